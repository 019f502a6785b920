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
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

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

    using Clock = std::chrono::steady_clock;
    long got = 0, errors = 0;
    unsigned long long bytes = 0, checksum = 0;
    Clock::time_point first{};
    auto deadline = Clock::now() + std::chrono::seconds(120);
    while (got < count && Clock::now() < deadline) {
        auto records = consumer.poll(std::chrono::milliseconds(100));
        for (const kafka::ConsumerRecord& r : records) {
            if (got == 0) first = Clock::now();
            auto v = r.value();
            bytes += v.size();
            if (!v.empty()) checksum += static_cast<unsigned char>(v[0]);
            ++got;
        }
        for (const auto& e : records.events())
            if (e.type == kafka::ConsumerEvent::Type::error) ++errors;
    }
    double seconds = std::chrono::duration<double>(Clock::now() - first).count();
    consumer.close();
    std::printf("RESULT count=%ld seconds=%.6f bytes=%llu errors=%ld checksum=%llu\n", got, seconds, bytes, errors,
                checksum);
    return got == count ? 0 : 1;
}
