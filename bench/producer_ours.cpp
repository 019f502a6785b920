// Our side of bench/producer_bench: produces like peers/rdkafka_producer.c,
// with the same arguments and the same output line. Links only kafka::kafka.
//
//   producer_ours -b BROKERS -t TOPIC -n COUNT -s SIZE [-a ACKS] [-l LINGER_MS]
//                 [-z CODEC] [-r RATE] [-X key=value]...
//
// Without -r: sends COUNT records as fast as it can (fire-and-forget; the
// producer's counters say how many were delivered), then flushes. With -r:
// sends RATE records a second, each with a callback measuring its
// send-to-ack latency.
// Prints: RESULT count=N seconds=S errors=E p50_us=P p99_us=Q
// The loop itself is kafka::bench::produce (loops.hpp), which `kcli bench` runs too.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/loops.hpp"
#include "client/producer.hpp"

int main(int argc, char** argv) {
    std::string brokers, topic;
    long count = 100000, size = 100, rate = 0;
    kafka::Properties props{{"acks", "1"}, {"linger.ms", "5"}};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-b") brokers = v;
        else if (f == "-t") topic = v;
        else if (f == "-n") count = std::atol(v.c_str());
        else if (f == "-s") size = std::atol(v.c_str());
        else if (f == "-a") props.set("acks", v);
        else if (f == "-l") props.set("linger.ms", v);
        else if (f == "-z") props.set("compression.type", v);
        else if (f == "-r") rate = std::atol(v.c_str());
        else if (f == "-X") {
            if (props.set_line(v)) return 2;
        } else {
            std::fprintf(stderr, "producer_ours: unknown flag %s\n", f.c_str());
            return 2;
        }
    }
    if (brokers.empty() || topic.empty()) {
        std::fprintf(stderr, "usage: producer_ours -b BROKERS -t TOPIC -n COUNT -s SIZE ...\n");
        return 2;
    }
    props.set("bootstrap.servers", brokers);

    try {
        kafka::Producer producer(props);
        const auto res = kafka::bench::produce(producer, topic, count, size, rate, [](long) {});
        std::printf("RESULT count=%ld seconds=%.6f errors=%ld p50_us=%.1f p99_us=%.1f\n", res.delivered, res.seconds,
                    res.errors, res.p50_us, res.p99_us);
        producer.close();
        return res.delivered == count ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "producer_ours: %s\n", e.what());
        return 2;
    }
}
