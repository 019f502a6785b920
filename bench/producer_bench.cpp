// Producer benchmark: our producer against librdkafka's, in one run, on the
// same librdkafka mock cluster (3 brokers, started here), each producer in
// its own process so that its CPU time and peak RSS can be read from rusage.
//
//   producer_bench [-n COUNT] [-s SIZE] [-p PARTITIONS] [-r RUNS]
//                  [--latency-count N] [--rate R] [-X key=value]...
//
// Scenarios: COUNT records of SIZE bytes, acks=1, linger.ms=5, with no
// compression and with lz4, as fast as each producer goes; then send-to-ack
// latency at linger.ms=0 for N records paced at R a second. Each scenario
// runs RUNS times per producer, alternating which goes first, on a fresh
// mock cluster each time; the median is reported with the ratio
// ours/librdkafka. -X settings go to both producers.
//
// The mock keeps ~5 MB per partition: PARTITIONS defaults to enough for
// COUNT x SIZE to fit.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "driver.hpp"

namespace {

using namespace kafka::bench;

struct Result {
    bool ok = false;
    long count = 0;
    double seconds = 0;
    double cpu = 0;  // user + sys of the producing process
    double rss_mb = 0;
    double p50_us = 0, p99_us = 0;
};

Result run_child(const std::string& program, const std::vector<std::string>& args) {
    Result r;
    std::string text;
    Ended ended = run_to_end(program, args, text);
    r.cpu = ended.cpu;
    r.rss_mb = ended.maxrss_mb;
    long errors = -1;
    auto at = text.find("RESULT ");
    if (at != std::string::npos &&
        std::sscanf(text.c_str() + at, "RESULT count=%ld seconds=%lf errors=%ld p50_us=%lf p99_us=%lf", &r.count,
                    &r.seconds, &errors, &r.p50_us, &r.p99_us) == 5)
        r.ok = ended.ok() && errors == 0;
    if (!r.ok) std::fprintf(stderr, "producer_bench: %s failed (status %d): %s\n", program.c_str(), ended.status, text.c_str());
    return r;
}

struct Scenario {
    std::string name;
    std::vector<std::string> args;  // shared by both producers
    long count;
    bool latency;
};

}  // namespace

int main(int argc, char** argv) {
    long count = 1000000, size = 100, latency_count = 20000, rate = 10000;
    int partitions = 0, runs = 3;
    std::vector<std::string> extra;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-n") count = std::atol(v.c_str());
        else if (f == "-s") size = std::atol(v.c_str());
        else if (f == "-p") partitions = std::atoi(v.c_str());
        else if (f == "-r") runs = std::atoi(v.c_str());
        else if (f == "--latency-count") latency_count = std::atol(v.c_str());
        else if (f == "--rate") rate = std::atol(v.c_str());
        else if (f == "-X") {
            extra.push_back("-X");
            extra.push_back(v);
        } else {
            std::fprintf(stderr, "usage: producer_bench [-n COUNT] [-s SIZE] [-p PARTITIONS] [-r RUNS] "
                                 "[--latency-count N] [--rate R] [-X key=value]...\n");
            return 2;
        }
    }
    if (partitions <= 0) {
        // ~5 MB kept per partition; a record takes SIZE + ~20 bytes in a batch.
        const double bytes = static_cast<double>(count) * static_cast<double>(size + 20);
        partitions = std::max(3, static_cast<int>(bytes / (4.0 * 1024 * 1024)) + 1);
    }
    const std::string dir = self_dir();
    const std::string ours = dir + "/producer_ours", theirs = dir + "/rdkafka_producer";
    const std::string n = std::to_string(count), s = std::to_string(size);

    std::vector<Scenario> scenarios = {
        {"acks=1 linger.ms=5 none", {"-n", n, "-s", s, "-a", "1", "-l", "5", "-z", "none"}, count, false},
        {"acks=1 linger.ms=5 lz4", {"-n", n, "-s", s, "-a", "1", "-l", "5", "-z", "lz4"}, count, false},
        {"latency acks=1 linger.ms=0",
         {"-n", std::to_string(latency_count), "-s", s, "-a", "1", "-l", "0", "-z", "none", "-r", std::to_string(rate)},
         latency_count,
         true},
    };

    std::printf("producer_bench: %ld x %ld-byte records, %d partitions, 3 mock brokers, %d run(s) each, median\n",
                count, size, partitions, runs);
    std::printf("librdkafka %s\n\n", rd_kafka_version_str());
    for (const auto& sc : scenarios) {
        std::map<std::string, std::vector<Result>> results;
        for (int run = 0; run < runs; ++run) {
            for (int k = 0; k < 2; ++k) {
                const bool ours_first = run % 2 == 0;
                const bool is_ours = (k == 0) == ours_first;
                MockCluster mock("producer_bench", 3, "bench", partitions);
                std::vector<std::string> args = {"-b", mock.bootstraps(), "-t", "bench"};
                args.insert(args.end(), sc.args.begin(), sc.args.end());
                args.insert(args.end(), extra.begin(), extra.end());
                Result r = run_child(is_ours ? ours : theirs, args);
                if (!r.ok) return 1;
                results[is_ours ? "ours" : "librdkafka"].push_back(r);
            }
        }
        auto med = [&](const std::string& who, auto f) {
            std::vector<double> v;
            for (const auto& r : results[who]) v.push_back(f(r));
            return median(v);
        };
        struct Row {
            const char* name;
            double ours, theirs;
            bool lower_better;
        };
        std::vector<Row> rows;
        auto add = [&](const char* name, auto f, bool lower_better) {
            rows.push_back({name, med("ours", f), med("librdkafka", f), lower_better});
        };
        if (!sc.latency) {
            add("msg/s", [](const Result& r) { return r.count / r.seconds; }, false);
            add("MB/s", [&](const Result& r) { return r.count * static_cast<double>(size) / r.seconds / 1e6; }, false);
            add("CPU s / 1M msgs", [](const Result& r) { return r.cpu / (r.count / 1e6); }, true);
            add("peak RSS MB", [](const Result& r) { return r.rss_mb; }, true);
        } else {
            add("p50 send-to-ack us", [](const Result& r) { return r.p50_us; }, true);
            add("p99 send-to-ack us", [](const Result& r) { return r.p99_us; }, true);
            add("CPU s / 1M msgs", [](const Result& r) { return r.cpu / (r.count / 1e6); }, true);
            add("peak RSS MB", [](const Result& r) { return r.rss_mb; }, true);
        }
        std::printf("%s (%ld records%s)\n", sc.name.c_str(), sc.count,
                    sc.latency ? (", paced at " + std::to_string(rate) + "/s").c_str() : "");
        std::printf("  %-22s %14s %14s %16s\n", "", "ours", "librdkafka", "ours/librdkafka");
        for (const auto& r : rows)
            std::printf("  %-22s %14.2f %14.2f %15.2fx\n", r.name, r.ours, r.theirs, r.theirs > 0 ? r.ours / r.theirs : 0);
        std::printf("\n");
        std::fflush(stdout);
    }
    return 0;
}
