// kcli bench against the librdkafka mock (3 brokers): produce, then consume
// what was produced, small counts; exit status 0 and a summary whose
// numbers agree with each other.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "test_kcli_admin_support.hpp"

using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

struct Summary {
    long records = -1, failed = -1;
    double seconds = -1, msg_s = -1, mb_s = -1, cpu = -1, user = -1, sys = -1, cpu_per_m = -1, rss_mb = -1;
};

// Reads the summary lines ("  records:     N delivered, F failed", ...).
Summary parse_summary(const std::string& out) {
    Summary s;
    auto line = [&](const char* key) {
        const size_t at = out.find(std::string("  ") + key);
        return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
    };
    const std::string records = line("records:");
    if (std::sscanf(records.c_str(), "  records: %ld delivered, %ld failed", &s.records, &s.failed) != 2)
        std::sscanf(records.c_str(), "  records: %ld read", &s.records);
    std::sscanf(line("time:").c_str(), "  time: %lf s", &s.seconds);
    std::sscanf(line("throughput:").c_str(), "  throughput: %lf msg/s, %lf MB/s", &s.msg_s, &s.mb_s);
    std::sscanf(line("cpu:").c_str(), "  cpu: %lf s (user %lf, sys %lf), %lf s per 1M msgs", &s.cpu, &s.user, &s.sys,
                &s.cpu_per_m);
    std::sscanf(line("peak rss:").c_str(), "  peak rss: %lf MB", &s.rss_mb);
    return s;
}

bool near(double a, double b) { return std::fabs(a - b) <= 0.02 * std::max(std::fabs(a), std::fabs(b)) + 0.01; }

}  // namespace

TEST_CASE("live kcli bench: produce then consume against the mock, with summaries") {
    MockCluster mock(3);
    mock.create_topic("bench", 6);
    const std::string b = mock.bootstraps();

    auto p = kcli({"bench", "produce", "-b", b, "-t", "bench", "-n", "20000", "-s", "64"}, {}, 60s);
    INFO("produce:\n" << p.out << p.err);
    REQUIRE(p.code == 0);
    CHECK(p.out.rfind("kcli bench produce: topic bench\n", 0) == 0);
    const Summary sp = parse_summary(p.out);
    CHECK(sp.records == 20000);
    CHECK(sp.failed == 0);
    CHECK(sp.seconds > 0);
    CHECK(sp.msg_s > 0);
    CHECK(near(sp.msg_s, 20000 / sp.seconds));
    CHECK(near(sp.mb_s, sp.msg_s * 64 / 1e6));
    CHECK(sp.cpu > 0);
    CHECK(near(sp.cpu, sp.user + sp.sys));
    CHECK(near(sp.cpu_per_m, sp.cpu / 0.02));
    CHECK(sp.rss_mb > 1);
    CHECK(sp.rss_mb < 1000);

    // The warm-up record is in the topic too: 20001 to read.
    auto c = kcli({"bench", "consume", "-b", b, "-t", "bench", "-n", "20000"}, {}, 60s);
    INFO("consume:\n" << c.out << c.err);
    REQUIRE(c.code == 0);
    const Summary sc = parse_summary(c.out);
    CHECK(sc.records == 20000);
    CHECK(sc.seconds >= 0);
    CHECK(near(sc.mb_s, sc.msg_s * 64 / 1e6));
    CHECK(sc.cpu >= 0);
    CHECK(sc.rss_mb > 1);

    // Without -n: everything up to the end of every partition.
    auto all = kcli({"bench", "consume", "-b", b, "-t", "bench", "-q"}, {}, 60s);
    INFO("consume all:\n" << all.out << all.err);
    CHECK(all.code == 0);
    CHECK(parse_summary(all.out).records == 20001);
    // More than there is: the end of every partition stops it, with exit status 1.
    auto more = kcli({"bench", "consume", "-b", b, "-t", "bench", "-n", "30000"}, {}, 60s);
    CHECK(more.code == 1);
    CHECK(parse_summary(more.out).records == 20001);
    CHECK(more.err.find("every partition reached its end after 20001 of 30000 records") != std::string::npos);
}

TEST_CASE("live kcli bench: progress lines when not on a terminal, a paced run, and usage errors") {
    MockCluster mock(3);
    mock.create_topic("bench", 6);
    const std::string b = mock.bootstraps();

    // A progress line after each interval: plain lines (stderr is a file here).
    auto p = kcli({"bench", "produce", "-b", b, "-t", "bench", "-n", "50000", "-s", "32", "-X",
                   "compression.type=lz4", "--progress-ms", "1"},
                  {}, 60s);
    INFO(p.out << p.err);
    REQUIRE(p.code == 0);
    CHECK(parse_summary(p.out).records == 50000);
    CHECK(p.err.find("produce: ") != std::string::npos);
    CHECK(p.err.find(" records (") != std::string::npos);
    CHECK(p.err.find('\r') == std::string::npos);
    CHECK(p.err.find('\x1b') == std::string::npos);

    // Paced: send-to-ack latency in the summary.
    auto paced = kcli({"bench", "produce", "-b", b, "-t", "bench", "-n", "200", "-r", "1000", "-q"}, {}, 60s);
    INFO(paced.out << paced.err);
    CHECK(paced.code == 0);
    double p50 = -1, p99 = -1;
    const size_t at = paced.out.find("  latency:");
    REQUIRE(at != std::string::npos);
    CHECK(std::sscanf(paced.out.c_str() + at, "  latency: p50 %lf us, p99 %lf us", &p50, &p99) == 2);
    CHECK(p50 > 0);
    CHECK(p99 >= p50);

    // bench starts no cluster: without -b it says so and does nothing.
    auto no_b = kcli({"bench", "produce", "-n", "10"});
    CHECK(no_b.code == 2);
    CHECK(no_b.err.find("give the brokers with -b") != std::string::npos);
    CHECK(no_b.err.find("starts no cluster") != std::string::npos);
    CHECK(kcli({"bench", "-b", b}).code == 2);
    CHECK(kcli({"bench", "sideways", "-b", b}).code == 2);
    CHECK(kcli({"bench", "produce", "-b", b, "-n", "lots"}).code == 2);
    CHECK(kcli({"bench", "produce", "-b", b, "--bogus"}).code == 2);
    auto h = kcli({"bench", "--help"});
    CHECK(h.code == 0);
    CHECK(h.out.find("produce|consume") != std::string::npos);
}
