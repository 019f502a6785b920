// Consumer benchmark: our consumer against librdkafka's and kcat, in one run,
// on the same librdkafka mock cluster (3 brokers, started here), consuming
// the same pre-produced topic from the beginning in a group. Each consumer
// runs in its own process so that its CPU time and peak RSS can be read from
// rusage.
//
//   consumer_bench [-n COUNT] [-s SIZE] [-p PARTITIONS] [-r RUNS] [-z CODEC] [-X key=value]...
//
// The topic is filled once (COUNT records of SIZE bytes, by a librdkafka
// producer in this process, CODEC compression); then each consumer reads it
// RUNS times, each time in a new group, alternating which goes first. msg/s
// and MB/s count from the first record to the COUNT-th (the mock delays a
// first join by 3 s; that wait is not a consumer's speed); CPU seconds and
// peak RSS are the whole process's. kcat prints "%o\n" per record to a pipe
// read here; its window runs from the first byte to the COUNT-th line. The
// median run is reported, with the ratio ours/librdkafka. -X settings go to
// ours and librdkafka.
//
// The mock keeps ~5 MB per partition: PARTITIONS defaults to enough for
// COUNT x SIZE to fit.
#include <librdkafka/rdkafka.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "driver.hpp"

namespace {

using namespace kafka::bench;

using Clock = std::chrono::steady_clock;

// Fills the topic with a librdkafka producer (the fastest way to a full log),
// partition by partition in turn; returns how many records the partitions
// hold afterwards (their high watermarks), or -1.
long fill(const std::string& bootstraps, const std::string& topic, int partitions, long count, long size,
          const std::string& codec) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const char* kv[][2] = {{"bootstrap.servers", bootstraps.c_str()}, {"linger.ms", "20"},
                           {"batch.num.messages", "10000"}, {"compression.codec", codec.c_str()},
                           {"acks", "1"}, {"log_level", "0"}};
    for (auto& p : kv)
        if (rd_kafka_conf_set(conf, p[0], p[1], err, sizeof err) != RD_KAFKA_CONF_OK) {
            std::fprintf(stderr, "consumer_bench: %s\n", err);
            return -1;
        }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) return -1;
    // Values differ from record to record (windows into a stream of letters
    // from a fixed LCG), so that compressed batches are not one value repeated.
    std::string letters(static_cast<size_t>(size) + (1 << 20), ' ');
    uint32_t x = 12345;
    for (auto& c : letters) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>('a' + (x >> 16) % 26);
    }
    for (long i = 0; i < count; ++i) {
        const char* value = letters.data() + (static_cast<size_t>(i) * 131) % (1 << 20);
        while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                                 RD_KAFKA_V_PARTITION(static_cast<int32_t>(i % partitions)),
                                 RD_KAFKA_V_VALUE(const_cast<char*>(value), static_cast<size_t>(size)),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 10);
        if (i % 10000 == 0) rd_kafka_poll(rk, 0);
    }
    long held = rd_kafka_flush(rk, 120000) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
    for (int p = 0; p < partitions && held >= 0; ++p) {
        int64_t lo = 0, hi = 0;
        if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR)
            held = -1;
        else
            held += static_cast<long>(hi - lo);
    }
    rd_kafka_destroy(rk);
    return held;
}

struct Result {
    bool ok = false;
    long count = 0;
    double seconds = 0;
    double wall = 0;  // spawn to exit: the group join and close included
    double cpu = 0;   // user + sys of the consuming process
    double rss_mb = 0;
    unsigned long long checksum = 0;
};

// VmHWM of a live process, in MB; 0 once it has exited. (A forked child's
// ru_maxrss would count this process's memory, the mock's log included, from
// before its exec; the high-water mark of its own address space does not.)
double peak_rss_mb(pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
    FILE* f = std::fopen(path, "r");
    if (!f) return 0;
    char line[256];
    double mb = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "VmHWM:", 6) == 0) mb = std::atof(line + 6) / 1024.0;
    std::fclose(f);
    return mb;
}

// Runs a consumer. With `count_lines`, the window is measured here: from the
// first byte of its output to the count_lines-th newline.
Result run_child(const std::string& program, const std::vector<std::string>& args, long count_lines = 0) {
    Result r;
    auto started = Clock::now();
    Child child = spawn(program, args);
    if (child.out < 0) return r;
    const pid_t pid = child.pid;
    std::string text;
    std::vector<char> buf(1 << 16);
    ssize_t n;
    long lines = 0;
    Clock::time_point first{}, last{};
    while (true) {
        struct pollfd pfd {child.out, POLLIN, 0};
        int ready = ::poll(&pfd, 1, 20);
        r.rss_mb = std::max(r.rss_mb, peak_rss_mb(pid));
        if (ready == 0) continue;
        n = ::read(child.out, buf.data(), buf.size());
        if (n <= 0) break;
        if (count_lines > 0) {
            if (first == Clock::time_point{}) first = Clock::now();
            lines += std::count(buf.data(), buf.data() + n, '\n');
            if (lines <= count_lines) last = Clock::now();
        } else {
            text.append(buf.data(), static_cast<size_t>(n));
        }
    }
    ::close(child.out);
    Ended ended = reap(pid);
    const int status = ended.status;
    r.wall = std::chrono::duration<double>(Clock::now() - started).count();
    r.cpu = ended.cpu;
    if (count_lines > 0) {
        r.count = lines;
        r.seconds = std::chrono::duration<double>(last - first).count();
        r.ok = ended.ok() && lines >= count_lines;
    } else {
        long errors = -1;
        auto at = text.find("RESULT ");
        if (at != std::string::npos &&
            std::sscanf(text.c_str() + at, "RESULT count=%ld seconds=%lf %*s errors=%ld checksum=%llu", &r.count,
                        &r.seconds, &errors, &r.checksum) == 4)
            r.ok = ended.ok() && errors == 0;
    }
    if (!r.ok)
        std::fprintf(stderr, "consumer_bench: %s failed (status %d, %ld lines): %s\n", program.c_str(), status, lines,
                     text.c_str());
    return r;
}

bool have_kcat() { return std::system("kcat -V > /dev/null 2>&1") == 0; }

}  // namespace

int main(int argc, char** argv) {
    long count = 2000000, size = 100;
    int partitions = 0, runs = 3;
    std::string codec = "none";
    std::vector<std::string> extra;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-n") count = std::atol(v.c_str());
        else if (f == "-s") size = std::atol(v.c_str());
        else if (f == "-p") partitions = std::atoi(v.c_str());
        else if (f == "-r") runs = std::atoi(v.c_str());
        else if (f == "-z") codec = v;
        else if (f == "-X") {
            extra.push_back("-X");
            extra.push_back(v);
        } else {
            std::fprintf(stderr, "usage: consumer_bench [-n COUNT] [-s SIZE] [-p PARTITIONS] [-r RUNS] [-z CODEC] "
                                 "[-X key=value]...\n");
            return 2;
        }
    }
    if (partitions <= 0) {
        const double bytes = static_cast<double>(count) * static_cast<double>(size + 20);
        partitions = std::max(3, static_cast<int>(bytes / (4.0 * 1024 * 1024)) + 1);
    }
    const std::string dir = self_dir();
    const std::string ours = dir + "/consumer_ours", theirs = dir + "/rdkafka_consumer";
    const bool kcat = have_kcat();

    MockCluster mock("consumer_bench", 3, "bench", partitions);
    auto t0 = Clock::now();
    long held = fill(mock.bootstraps(), "bench", partitions, count, size, codec);
    if (held <= 0) {
        std::fprintf(stderr, "consumer_bench: filling the topic failed\n");
        return 1;
    }
    if (held != count) {
        std::fprintf(stderr, "consumer_bench: the mock holds %ld of the %ld records (it keeps ~5 MB per partition); "
                             "reading %ld\n", held, count, held);
        count = held;
    }
    std::printf("consumer_bench: %ld x %ld-byte records (%s), %d partitions, 3 mock brokers, filled in %.1f s; "
                "%d run(s) each, median\n",
                count, size, codec.c_str(), partitions, std::chrono::duration<double>(Clock::now() - t0).count(), runs);
    std::printf("librdkafka %s\n\n", rd_kafka_version_str());
    std::fflush(stdout);

    std::vector<std::string> who{"ours", "librdkafka"};
    if (kcat) who.push_back("kcat");
    std::map<std::string, std::vector<Result>> results;
    const std::string n = std::to_string(count);
    for (int run = 0; run < runs; ++run) {
        for (size_t k = 0; k < who.size(); ++k) {
            const std::string& w = who[(k + static_cast<size_t>(run)) % who.size()];
            const std::string group = "bench-" + w + "-" + std::to_string(run);
            Result r;
            if (w == "kcat") {
                r = run_child("kcat", {"-b", mock.bootstraps(), "-G", group, "-X", "auto.offset.reset=earliest", "-q",
                                       "-c", n, "-f", "%o\n", "bench"},
                              count);
            } else {
                std::vector<std::string> args = {"-b", mock.bootstraps(), "-t", "bench", "-g", group, "-n", n};
                args.insert(args.end(), extra.begin(), extra.end());
                r = run_child(w == "ours" ? ours : theirs, args);
            }
            if (!r.ok) return 1;
            results[w].push_back(r);
        }
    }

    auto med = [&](const std::string& w, auto f) {
        std::vector<double> v;
        for (const auto& r : results[w]) v.push_back(f(r));
        return median(v);
    };
    struct Row {
        const char* name;
        double (*f)(const Result&, long);
    };
    const Row rows[] = {
        {"msg/s", [](const Result& r, long) { return r.count / r.seconds; }},
        {"MB/s", [](const Result& r, long s) { return r.count * static_cast<double>(s) / r.seconds / 1e6; }},
        {"CPU s / 1M msgs", [](const Result& r, long) { return r.cpu / (r.count / 1e6); }},
        {"peak RSS MB", [](const Result& r, long) { return r.rss_mb; }},
        {"wall s, join incl.", [](const Result& r, long) { return r.wall; }},
    };
    // Both read the same bytes.
    if (results["ours"].front().checksum != results["librdkafka"].front().checksum) {
        std::fprintf(stderr, "consumer_bench: ours and librdkafka read different values\n");
        return 1;
    }
    std::printf("  %-18s %12s %12s %12s %16s\n", "", "ours", "librdkafka", kcat ? "kcat" : "", "ours/librdkafka");
    for (const auto& row : rows) {
        auto get = [&](const std::string& w) { return med(w, [&](const Result& r) { return row.f(r, size); }); };
        double o = get("ours"), l = get("librdkafka");
        std::printf("  %-18s %12.2f %12.2f ", row.name, o, l);
        if (kcat) std::printf("%12.2f ", get("kcat"));
        else std::printf("%12s ", "");
        std::printf("%15.2fx\n", l > 0 ? o / l : 0);
    }
    return 0;
}
