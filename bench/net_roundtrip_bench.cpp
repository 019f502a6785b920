// Network round trip benchmark: request round trips per second on one
// connection, our net::Connection (net_roundtrip) against librdkafka
// (peers/rdkafka_roundtrip.c), in one run, on the same librdkafka mock
// cluster (one broker, started here). Each client runs in its own process, so
// its CPU time is its own.
//
//   net_roundtrip_bench [-n REQUESTS] [-d DEPTH[,DEPTH...]] [-r RUNS]
//
// For each depth (default 1,5,32; 1 is unpipelined), each client runs RUNS
// times (default 3), alternating which goes first, each on a fresh mock; the
// median is reported with the ratio ours/librdkafka.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "driver.hpp"

namespace {

using namespace kafka::bench;

struct Result {
    bool ok = false;
    long count = 0;
    double seconds = 0;
    double cpu = 0;  // user + sys over the timed requests
};

Result run_child(const std::string& program, const std::vector<std::string>& args) {
    Result r;
    std::string text;
    Ended ended = run_to_end(program, args, text);
    auto at = text.find("RESULT ");
    if (at != std::string::npos &&
        std::sscanf(text.c_str() + at, "RESULT count=%ld seconds=%lf cpu=%lf", &r.count, &r.seconds, &r.cpu) == 3)
        r.ok = ended.ok() && r.seconds > 0;
    if (!r.ok)
        std::fprintf(stderr, "net_roundtrip_bench: %s failed (status %d): %s\n", program.c_str(), ended.status, text.c_str());
    return r;
}

[[noreturn]] void usage() {
    std::fprintf(stderr, "usage: net_roundtrip_bench [-n REQUESTS] [-d DEPTH[,DEPTH...]] [-r RUNS]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    long requests = 20000;
    int runs = 3;
    std::vector<int> depths{1, 5, 32};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-n") {
            requests = std::atol(v.c_str());
        } else if (f == "-r") {
            runs = std::atoi(v.c_str());
        } else if (f == "-d") {
            depths.clear();
            for (size_t at = 0; at <= v.size();) {
                size_t comma = v.find(',', at);
                if (comma == std::string::npos) comma = v.size();
                int d = std::atoi(v.substr(at, comma - at).c_str());
                if (d <= 0 || d > 256) usage();
                depths.push_back(d);
                at = comma + 1;
            }
        } else {
            usage();
        }
    }
    if (requests <= 0 || runs <= 0 || depths.empty()) usage();

    const std::string dir = self_dir();
    const std::string ours = dir + "/net_roundtrip", theirs = dir + "/rdkafka_roundtrip";
    std::printf("net_roundtrip_bench: Metadata (brokers only) round trips on one connection to a 1-broker mock,\n");
    std::printf("%ld requests per run, %d run(s) each, median; librdkafka %s\n\n", requests, runs,
                rd_kafka_version_str());
    std::printf("  %-18s %12s %12s %12s %12s %12s %12s\n", "", "ours rt/s", "rdkafka rt/s", "ratio",
                "ours CPU us", "rdkafka CPU", "ratio");
    std::printf("  %-18s %12s %12s %12s %12s %12s %12s\n", "", "", "", "", "per rt", "us per rt", "");
    for (int depth : depths) {
        std::vector<double> rate[2], cpu[2];
        for (int run = 0; run < runs; ++run) {
            for (int k = 0; k < 2; ++k) {
                const bool is_ours = (k == 0) == (run % 2 == 0);
                MockCluster mock("net_roundtrip_bench", 1);
                Result r = run_child(is_ours ? ours : theirs, {"-b", mock.bootstraps(), "-n", std::to_string(requests),
                                                               "-d", std::to_string(depth)});
                if (!r.ok) return 1;
                rate[is_ours ? 0 : 1].push_back(static_cast<double>(r.count) / r.seconds);
                cpu[is_ours ? 0 : 1].push_back(r.cpu / static_cast<double>(r.count) * 1e6);
            }
        }
        const double ro = median(rate[0]), rt = median(rate[1]), co = median(cpu[0]), ct = median(cpu[1]);
        std::string label = depth == 1 ? "unpipelined" : "pipelined, " + std::to_string(depth);
        std::printf("  %-18s %12.0f %12.0f %11.2fx %12.1f %12.1f %11.2fx\n", label.c_str(), ro, rt,
                    rt > 0 ? ro / rt : 0, co, ct, ct > 0 ? co / ct : 0);
        std::fflush(stdout);
    }
    return 0;
}
