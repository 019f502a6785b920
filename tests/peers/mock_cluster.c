/* A librdkafka mock cluster on 127.0.0.1, as a process: the demo and the
 * shell-level tests run kcli, kcat and kafka-python against it. librdkafka is
 * a test peer here; the library and kcli never link it.
 *
 *   mock_cluster [-b BROKERS] [-t TOPIC:PARTITIONS]... [-s SECONDS]
 *
 * Prints the bootstrap servers on the first line of stdout, then runs until
 * stdin closes, SIGINT/SIGTERM, or SECONDS pass (default 600). */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char** argv) {
    int brokers = 3;
    int seconds = 600;
    const char* topics[64];
    int ntopics = 0;
    int opt;
    while ((opt = getopt(argc, argv, "b:t:s:")) != -1) {
        switch (opt) {
        case 'b': brokers = atoi(optarg); break;
        case 't': if (ntopics < 64) topics[ntopics++] = optarg; break;
        case 's': seconds = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s [-b BROKERS] [-t TOPIC:PARTITIONS]... [-s SECONDS]\n", argv[0]);
            return 2;
        }
    }
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "mock_cluster: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        fprintf(stderr, "mock_cluster: could not start the mock cluster\n");
        return 1;
    }
    for (int i = 0; i < ntopics; ++i) {
        char name[256];
        snprintf(name, sizeof name, "%s", topics[i]);
        char* colon = strrchr(name, ':');
        int parts = 1;
        if (colon) {
            *colon = '\0';
            parts = atoi(colon + 1);
        }
        if (rd_kafka_mock_topic_create(mc, name, parts, brokers < 3 ? brokers : 3)) {
            fprintf(stderr, "mock_cluster: cannot create topic %s\n", name);
            return 1;
        }
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    time_t end = time(NULL) + seconds;
    while (!stop && time(NULL) < end) {
        struct pollfd p = {0, POLLIN, 0};
        int n = poll(&p, 1, 200);
        if (n > 0) {
            char buf[256];
            if (read(0, buf, sizeof buf) <= 0) break; /* stdin closed */
        }
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
