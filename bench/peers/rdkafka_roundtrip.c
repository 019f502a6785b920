/* The librdkafka baseline of net_roundtrip_bench: request round trips on one
 * broker connection.
 *
 *   rdkafka_roundtrip -b HOST:PORT [-n REQUESTS] [-d DEPTH] [-w WARMUP]
 *
 * DEPTH application threads call rd_kafka_metadata() on one producer handle
 * with no topics known, so each call is one Metadata request for the brokers
 * only; the handle's broker thread pipelines them on its connection. DEPTH 1
 * is unpipelined. After WARMUP calls it times REQUESTS more and prints
 *   RESULT count=N seconds=S cpu=C
 * with C the user + system CPU time of the whole process over those calls. */
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static rd_kafka_t* rk;
static atomic_long left;
static atomic_int failed;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void* worker(void* arg) {
    (void)arg;
    while (atomic_fetch_sub(&left, 1) > 0 && !atomic_load(&failed)) {
        const struct rd_kafka_metadata* md = NULL;
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, NULL, &md, 10000);
        if (err) {
            if (!atomic_exchange(&failed, 1)) fprintf(stderr, "rdkafka_roundtrip: %s\n", rd_kafka_err2str(err));
            return NULL;
        }
        rd_kafka_metadata_destroy(md);
    }
    return NULL;
}

static int run(long n, int depth) {
    pthread_t threads[256];
    atomic_store(&left, n);
    for (int i = 0; i < depth; ++i) pthread_create(&threads[i], NULL, worker, NULL);
    for (int i = 0; i < depth; ++i) pthread_join(threads[i], NULL);
    return !atomic_load(&failed);
}

int main(int argc, char** argv) {
    const char* bootstrap = NULL;
    long requests = 20000, warmup = 200;
    int depth = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-b")) bootstrap = argv[i + 1];
        else if (!strcmp(argv[i], "-n")) requests = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "-d")) depth = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-w")) warmup = atol(argv[i + 1]);
        else bootstrap = NULL, i = argc;
    }
    if (!bootstrap || requests <= 0 || depth <= 0 || depth > 256 || warmup < 1) {
        fprintf(stderr, "usage: rdkafka_roundtrip -b HOST:PORT [-n REQUESTS] [-d DEPTH] [-w WARMUP]\n");
        return 2;
    }
    /* The first broker of a list, as net_roundtrip measures. */
    char first[256];
    snprintf(first, sizeof first, "%s", bootstrap);
    char* comma = strchr(first, ',');
    if (comma) *comma = '\0';

    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", first, err, sizeof err) ||
        rd_kafka_conf_set(conf, "client.id", "rdkafka_roundtrip", err, sizeof err) ||
        /* TCP_NODELAY, as our connection sets it. */
        rd_kafka_conf_set(conf, "socket.nagle.disable", "true", err, sizeof err) ||
        rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err)) {
        fprintf(stderr, "rdkafka_roundtrip: %s\n", err);
        return 2;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "rdkafka_roundtrip: %s\n", err);
        return 2;
    }
    if (!run(warmup, 1)) return 1;
    double cpu0 = cpu_seconds();
    double t0 = now_seconds();
    if (!run(requests, depth)) return 1;
    double seconds = now_seconds() - t0;
    double cpu = cpu_seconds() - cpu0;
    printf("RESULT count=%ld seconds=%.6f cpu=%.6f\n", requests, seconds, cpu);
    fflush(stdout);
    rd_kafka_destroy(rk);
    return 0;
}
