/* The librdkafka baseline of bench/consumer_bench: a high-level consumer in a
 * group, with librdkafka's defaults, consuming like consumer_ours.
 *
 *   rdkafka_consumer -b BROKERS -t TOPIC -g GROUP -n COUNT [-X key=value]...
 *
 * Prints: RESULT count=N seconds=S bytes=B errors=E checksum=C
 * where S runs from the first record to the COUNT-th. */
#include <librdkafka/rdkafka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "rdkafka_consumer: %s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *brokers = NULL, *topic = NULL, *group = "bench";
    long count = 0;
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "auto.offset.reset", "earliest");
    set(conf, "log_level", "3");
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *f = argv[i], *v = argv[i + 1];
        if (!strcmp(f, "-b")) brokers = v;
        else if (!strcmp(f, "-t")) topic = v;
        else if (!strcmp(f, "-g")) group = v;
        else if (!strcmp(f, "-n")) count = atol(v);
        else if (!strcmp(f, "-X")) {
            char kv[1024];
            snprintf(kv, sizeof kv, "%s", v);
            char *eq = strchr(kv, '=');
            if (!eq) return 2;
            *eq = 0;
            if (set(conf, kv, eq + 1)) return 2;
        } else {
            fprintf(stderr, "rdkafka_consumer: unknown flag %s\n", f);
            return 2;
        }
    }
    if (!brokers || !topic) return 2;
    if (set(conf, "bootstrap.servers", brokers) || set(conf, "group.id", group)) return 2;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rdkafka_consumer: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);

    long got = 0, errors = 0;
    unsigned long long bytes = 0, checksum = 0;
    double first = 0, deadline = now_s() + 120;
    while (got < count && now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) ++errors;
        } else {
            if (got == 0) first = now_s();
            bytes += m->len;
            if (m->len) checksum += ((const unsigned char *)m->payload)[0];
            ++got;
        }
        rd_kafka_message_destroy(m);
    }
    double seconds = now_s() - first;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    printf("RESULT count=%ld seconds=%.6f bytes=%llu errors=%ld checksum=%llu\n", got, seconds, bytes, errors,
           checksum);
    return got == count ? 0 : 1;
}
