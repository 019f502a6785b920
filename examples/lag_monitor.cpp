// Consumer lag: for each partition a group reads, the end offset (where the
// next record will be written), the group's committed offset (the next record
// it will read) and the gap between them, with totals.
//
//     lag_monitor BROKERS GROUP [TOPIC...] [--interval MS] [--count N]
//
// With topics: every partition of them ("-" where the group has committed
// nothing). Without: every partition the group has committed. --interval
// prints again every MS milliseconds, N times (default: once; with
// --interval and no --count, until interrupted). `kcli groups lag` prints the
// same numbers, with the member that owns each partition.
//
// The kafka-python equivalent:
//     admin = KafkaAdminClient(bootstrap_servers=brokers)
//     committed = admin.list_consumer_group_offsets(group)
//     consumer = KafkaConsumer(bootstrap_servers=brokers)
//     end = consumer.end_offsets(list(committed))
//     for tp, meta in sorted(committed.items()):
//         print(tp.topic, tp.partition, end[tp], meta.offset, end[tp] - meta.offset)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "client/admin.hpp"

namespace {

std::string number_or_dash(int64_t n) { return n >= 0 ? std::to_string(n) : "-"; }

// One table. False when the group's offsets could not be had at all.
bool print_lag(kafka::Admin& admin, const std::string& group, const std::vector<std::string>& topics) {
    // What the group has committed: the next offset it will read, per partition.
    auto committed = admin.committed_offsets(group, topics);
    if (!committed) {
        std::fprintf(stderr, "lag_monitor: %s\n", committed.message.c_str());
        return false;
    }
    // Where each of those partitions ends now (ListOffsets to the leaders).
    std::vector<kafka::TopicPartition> partitions;
    for (const auto& [tp, offset] : committed.value) partitions.push_back(tp);
    auto end = admin.end_offsets(partitions);
    if (!end) std::fprintf(stderr, "lag_monitor: %s\n", end.message.c_str());

    size_t width = 5;
    for (const auto& tp : partitions) width = std::max(width, tp.topic.size());
    const int w = static_cast<int>(width);
    std::printf("%-*s  %9s  %10s  %10s  %8s\n", w, "topic", "partition", "end", "committed", "lag");
    int64_t total_end = 0, total_committed = 0, total_lag = 0;
    for (const auto& [tp, committed_offset] : committed.value) {
        auto e = end.value.find(tp);
        const int64_t end_offset = e != end.value.end() ? e->second : -1;
        const int64_t lag = end_offset >= 0 && committed_offset >= 0 ? end_offset - committed_offset : -1;
        std::printf("%-*s  %9d  %10s  %10s  %8s\n", w, tp.topic.c_str(), tp.partition,
                    number_or_dash(end_offset).c_str(), number_or_dash(committed_offset).c_str(),
                    number_or_dash(lag).c_str());
        if (end_offset >= 0) total_end += end_offset;
        if (committed_offset >= 0) total_committed += committed_offset;
        if (lag >= 0) total_lag += lag;
    }
    std::printf("%-*s  %9s  %10lld  %10lld  %8lld\n", w, "total", "", static_cast<long long>(total_end),
                static_cast<long long>(total_committed), static_cast<long long>(total_lag));
    return true;
}

std::string now_text() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> positional;
    long interval_ms = 0, count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--interval" || a == "--count") && i + 1 < argc) {
            long n = std::strtol(argv[++i], nullptr, 10);
            (a == "--interval" ? interval_ms : count) = n;
        } else {
            positional.push_back(a);
        }
    }
    if (positional.size() < 2 || interval_ms < 0 || count < 0) {
        std::fprintf(stderr, "usage: lag_monitor BROKERS GROUP [TOPIC...] [--interval MS] [--count N]\n");
        return 2;
    }
    const std::string brokers = positional[0];
    const std::string group = positional[1];
    const std::vector<std::string> topics(positional.begin() + 2, positional.end());
    if (count == 0) count = interval_ms > 0 ? -1 : 1;  // -1: until interrupted

    auto admin = kafka::Admin::create({{"bootstrap.servers", brokers}});
    if (!admin) {
        std::fprintf(stderr, "lag_monitor: %s\n", admin.message.c_str());
        return 1;
    }
    for (long round = 1; count < 0 || round <= count; ++round) {
        if (round > 1) {
            std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
            std::printf("\n");
        }
        if (interval_ms > 0) std::printf("%s  group %s\n", now_text().c_str(), group.c_str());
        if (!print_lag(*admin.value, group, topics)) return 1;
        std::fflush(stdout);
    }
    return 0;
}
