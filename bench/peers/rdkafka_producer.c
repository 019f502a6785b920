/* The baseline for bench/producer_bench: a librdkafka producer doing what
 * producer_ours does, with the same arguments and the same output line.
 * librdkafka is a benchmark peer only; the kafka library never links it.
 *
 *   rdkafka_producer -b BROKERS -t TOPIC -n COUNT -s SIZE [-a ACKS] [-l LINGER_MS]
 *                    [-z CODEC] [-r RATE] [-X key=value]...
 *
 * Without -r: sends COUNT records as fast as it can (delivery reports count
 * them, as confluent-kafka users do), then flushes. With -r: sends RATE
 * records a second and measures each record's send-to-ack latency.
 * Prints: RESULT count=N seconds=S errors=E p50_us=P p99_us=Q */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long errors = 0;
static long delivered = 0;
static double* sent_at = NULL; /* latency mode: per record */
static double* latency = NULL;
static long latencies = 0;

static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) {
        if (errors++ < 5) fprintf(stderr, "rdkafka_producer: delivery failed: %s\n", rd_kafka_err2str(m->err));
        return;
    }
    delivered++;
    if (sent_at && m->_private) {
        long i = (long)(intptr_t)m->_private - 1;
        latency[latencies++] = now_s() - sent_at[i];
    }
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* The same payload bytes as producer_ours: letters from a fixed LCG. */
static void fill_payload(char* buf, size_t n) {
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (char)('a' + (x >> 16) % 26);
    }
}

static void set(rd_kafka_conf_t* conf, const char* k, const char* v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "rdkafka_producer: %s\n", err);
        exit(2);
    }
}

int main(int argc, char** argv) {
    const char *brokers = NULL, *topic = NULL;
    long count = 100000, size = 100, rate = 0;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "acks", "1");
    set(conf, "linger.ms", "5");
    set(conf, "log_level", "3");
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "-b")) brokers = v;
        else if (!strcmp(f, "-t")) topic = v;
        else if (!strcmp(f, "-n")) count = atol(v);
        else if (!strcmp(f, "-s")) size = atol(v);
        else if (!strcmp(f, "-a")) set(conf, "acks", v);
        else if (!strcmp(f, "-l")) set(conf, "linger.ms", v);
        else if (!strcmp(f, "-z")) set(conf, "compression.codec", v);
        else if (!strcmp(f, "-r")) rate = atol(v);
        else if (!strcmp(f, "-X")) {
            char kv[512];
            snprintf(kv, sizeof kv, "%s", v);
            char* eq = strchr(kv, '=');
            if (!eq) return 2;
            *eq = 0;
            set(conf, kv, eq + 1);
        } else {
            fprintf(stderr, "rdkafka_producer: unknown flag %s\n", f);
            return 2;
        }
    }
    if (!brokers || !topic) {
        fprintf(stderr, "usage: rdkafka_producer -b BROKERS -t TOPIC -n COUNT -s SIZE ...\n");
        return 2;
    }
    set(conf, "bootstrap.servers", brokers);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rdkafka_producer: %s\n", err);
        return 2;
    }
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic, NULL);

    const size_t pool = 4096;
    char* payload = malloc(pool + (size_t)size);
    fill_payload(payload, pool + (size_t)size);

    /* Warm up: metadata and connections, outside the timed part. */
    rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload, (size_t)size, NULL, 0, NULL);
    rd_kafka_flush(rk, 10000);
    delivered = 0;

    if (rate > 0) {
        sent_at = calloc((size_t)count, sizeof(double));
        latency = calloc((size_t)count, sizeof(double));
    }
    const double start = now_s();
    for (long i = 0; i < count; i++) {
        const char* v = payload + (size_t)(i * 37) % pool;
        if (rate > 0) {
            /* Paced: record i is due at start + i / rate. Delivery reports
             * are served by rd_kafka_poll() on this thread, so poll often
             * while waiting (sleeping at most 50 us, no spinning). */
            double due = start + (double)i / (double)rate;
            for (double t = now_s(); t < due; t = now_s()) {
                rd_kafka_poll(rk, 0);
                double wait = due - t < 50e-6 ? due - t : 50e-6;
                struct timespec ts = {0, (long)(wait * 1e9)};
                nanosleep(&ts, NULL);
            }
            sent_at[i] = now_s();
        }
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void*)v, (size_t)size, NULL, 0,
                                rate > 0 ? (void*)(intptr_t)(i + 1) : NULL) == -1) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                fprintf(stderr, "rdkafka_producer: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                return 1;
            }
            rd_kafka_poll(rk, 1); /* the queue is full: serve delivery reports */
        }
        if (rate > 0 || (i & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 120000);
    const double seconds = now_s() - start;

    double p50 = 0, p99 = 0;
    if (latencies > 0) {
        qsort(latency, (size_t)latencies, sizeof(double), cmp_double);
        p50 = latency[latencies / 2] * 1e6;
        p99 = latency[(latencies * 99) / 100] * 1e6;
    }
    printf("RESULT count=%ld seconds=%.6f errors=%ld p50_us=%.1f p99_us=%.1f\n", delivered, seconds,
           count - delivered, p50, p99);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return errors ? 1 : 0;
}
