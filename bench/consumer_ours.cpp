// Our side of bench/consumer_bench: consumes like peers/rdkafka_consumer.c,
// with the same arguments and the same output line. Links only kafka::kafka.
//
//   consumer_ours -b BROKERS -t TOPIC -g GROUP -n COUNT [-X key=value]...
//
// Joins GROUP (auto.offset.reset=earliest, auto commit on), polls until COUNT
// records have come, touching every value, then closes.
// Prints: RESULT count=N seconds=S bytes=B errors=E
// where S runs from the first record to the COUNT-th (the group join, which
// the mock delays by 3 s, is not counted; CPU time, measured outside, is).
// The loop itself is kafka::bench::consume (loops.hpp), which `kcli bench` runs too.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/loops.hpp"
#include "client/consumer.hpp"

int main(int argc, char** argv) {
    std::string brokers, topic, group = "bench";
    long count = 0;
    kafka::Properties props;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-b") brokers = v;
        else if (f == "-t") topic = v;
        else if (f == "-g") group = v;
        else if (f == "-n") count = std::atol(v.c_str());
        else if (f == "-X") {
            if (props.set_line(v)) return 2;
        } else {
            std::fprintf(stderr, "consumer_ours: unknown flag %s\n", f.c_str());
            return 2;
        }
    }
    props.set("bootstrap.servers", brokers);
    props.set("group.id", group);
    if (!props.has("auto.offset.reset")) props.set("auto.offset.reset", "earliest");
    kafka::Consumer consumer(props);
    consumer.subscribe({topic});

    const auto deadline = kafka::bench::Clock::now() + std::chrono::seconds(120);
    const auto res = kafka::bench::consume(consumer, count, deadline,
                                           [](const kafka::ConsumerRecords&, const kafka::bench::ConsumeResult&) {
                                               return false;
                                           });
    consumer.close();
    std::printf("RESULT count=%ld seconds=%.6f bytes=%llu errors=%ld checksum=%llu\n", res.count, res.seconds,
                res.bytes, res.errors, res.checksum);
    return res.count == count ? 0 : 1;
}
