// A group member for the crash test, run as its own process so that the test
// can SIGKILL it mid-stream:
//
//   consumer_crash_helper BOOTSTRAP GROUP TOPIC OUT_FILE DELAY_US
//
// Consumes with auto commit, slowly (DELAY_US per record, as if working on
// it), and appends "partition offset" for every record to OUT_FILE, flushed
// after each record so that the test knows what was read before the kill.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "client/consumer.hpp"

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s BOOTSTRAP GROUP TOPIC OUT_FILE DELAY_US\n", argv[0]);
        return 2;
    }
    kafka::Properties props;
    props.set("bootstrap.servers", argv[1]);
    props.set("group.id", argv[2]);
    props.set("auto.offset.reset", "earliest");
    props.set("auto.commit.interval.ms", "200");
    props.set("session.timeout.ms", "6000");
    props.set("heartbeat.interval.ms", "300");
    props.set("fetch.max.wait.ms", "100");
    props.set("max.poll.records", "20");
    props.set("partition.assignment.strategy", "range");
    FILE* out = std::fopen(argv[4], "a");
    if (!out) return 1;
    auto delay = std::chrono::microseconds(std::atoll(argv[5]));
    kafka::Consumer c(props);
    c.subscribe({argv[3]});
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < end) {
        auto recs = c.poll(std::chrono::milliseconds(100));
        for (const auto& r : recs) {
            std::this_thread::sleep_for(delay);
            std::fprintf(out, "%d %lld\n", r.partition(), static_cast<long long>(r.offset()));
            std::fflush(out);
        }
    }
    c.close();
    std::fclose(out);
    return 0;
}
