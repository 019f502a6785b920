// kcli bench: the producer and consumer benchmarks behind one subcommand.
// The loops are the ones bench/*_bench.cpp measure (bench/loops.hpp); this
// adds the flags, a progress line and a summary with the process's own CPU
// time and peak RSS (getrusage). It starts no cluster: -b is required.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "args.hpp"
#include "bench/loops.hpp"
#include "client/consumer.hpp"
#include "client/producer.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage: kcli -b BROKERS bench produce|consume [-t TOPIC] [-n COUNT] [-s SIZE] [-z CODEC] [-r RATE]\n"
    "                                             [--progress-ms MS] [-q] [-X key=value]... [-F FILE]\n"
    "  produce: sends COUNT records of SIZE bytes to TOPIC as fast as the producer takes them\n"
    "           (fire-and-forget, then flush), with acks=1 and linger.ms=5 unless -X says otherwise;\n"
    "           the first record is sent and acknowledged before the clock starts.\n"
    "  consume: reads TOPIC from the beginning, every partition, no group, until COUNT records or\n"
    "           the end of every partition; the clock runs from the first record to the last.\n"
    "  Prints a summary: records, seconds, msg/s, MB/s (values only, 1 MB = 10^6 bytes), the\n"
    "  process's CPU time (user + system) in all and per million records, and its peak RSS.\n"
    "  bench starts no cluster of its own: point it at one with -b.\n"
    "flags:\n"
    "  -b BROKERS        bootstrap servers, host:port[,host:port...] (required)\n"
    "  -t TOPIC          the topic (default kcli-bench)\n"
    "  -n COUNT          records (produce: default 1000000; consume: default all, up to the end)\n"
    "  -s SIZE           value bytes (produce; default 100)\n"
    "  -z CODEC          compression.type (produce): none, gzip, snappy, lz4, zstd\n"
    "  -r RATE           produce RATE records a second, reporting send-to-ack latency (p50, p99)\n"
    "  --progress-ms MS  a progress line every MS milliseconds after the first (default 1000;\n"
    "                    0: none); rewritten in place on a terminal, one line each otherwise\n"
    "  -q                no progress\n"
    "  -X key=value      any producer or consumer setting by its Kafka name\n"
    "  -F FILE           settings from a key=value file\n";

// A whole non-negative number, or false.
bool parse_count(const std::string& text, long& out) {
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end || v < 0 || v > LONG_MAX) return false;
    out = static_cast<long>(v);
    return true;
}

struct Usage {
    double user = 0, sys = 0;  // seconds
    double peak_rss_mb = 0;    // of the process's life so far
};

Usage usage_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    Usage u;
    u.user = static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) / 1e6;
    u.sys = static_cast<double>(ru.ru_stime.tv_sec) + static_cast<double>(ru.ru_stime.tv_usec) / 1e6;
    u.peak_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
    return u;
}

// The progress line on stderr: rewritten in place on a terminal, a plain
// line each time otherwise; nothing before the first interval has passed.
class Progress {
public:
    Progress(const char* what, long total, long interval_ms)
        : what_(what), total_(total), interval_(interval_ms), tty_(::isatty(STDERR_FILENO) == 1) {}

    void update(long done) {
        if (interval_.count() <= 0) return;
        const auto now = kafka::bench::Clock::now();
        if (now - last_ < interval_) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        char line[160];
        if (total_ > 0 && total_ != LONG_MAX)
            std::snprintf(line, sizeof line, "%s: %ld/%ld records (%.0f%%), %.0f msg/s, %.1f s", what_, done, total_,
                          100.0 * static_cast<double>(done) / static_cast<double>(total_),
                          secs > 0 ? static_cast<double>(done) / secs : 0.0, secs);
        else
            std::snprintf(line, sizeof line, "%s: %ld records, %.0f msg/s, %.1f s", what_, done,
                          secs > 0 ? static_cast<double>(done) / secs : 0.0, secs);
        if (tty_) std::fprintf(stderr, "\r%s\x1b[K", line);
        else std::fprintf(stderr, "%s\n", line);
        shown_ = true;
    }
    // Clears an in-place line before the summary.
    void done() {
        if (tty_ && shown_) std::fprintf(stderr, "\r\x1b[K");
    }

private:
    const char* what_;
    long total_;
    std::chrono::milliseconds interval_;
    bool tty_;
    bool shown_ = false;
    kafka::bench::Clock::time_point start_ = kafka::bench::Clock::now();
    kafka::bench::Clock::time_point last_ = start_;
};

// `failed` < 0: not a produce run, nothing to fail.
void print_summary(const char* mode, const std::string& topic, long records, long failed, double seconds,
                   unsigned long long bytes, const Usage& before, const Usage& after) {
    const double cpu = (after.user - before.user) + (after.sys - before.sys);
    const double rate = seconds > 0 ? static_cast<double>(records) / seconds : 0;
    const double mbps = seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0;
    std::printf("kcli bench %s: topic %s\n", mode, topic.c_str());
    if (failed >= 0) std::printf("  records:     %ld delivered, %ld failed\n", records, failed);
    else std::printf("  records:     %ld read\n", records);
    std::printf("  time:        %.3f s\n", seconds);
    std::printf("  throughput:  %.0f msg/s, %.2f MB/s\n", rate, mbps);
    std::printf("  cpu:         %.3f s (user %.3f, sys %.3f), %.3f s per 1M msgs\n", cpu, after.user - before.user,
                after.sys - before.sys, records > 0 ? cpu * 1e6 / static_cast<double>(records) : 0.0);
    std::printf("  peak rss:    %.1f MB\n", after.peak_rss_mb);
}

int bench_produce(const Args& args, kafka::Properties props, const std::string& topic, long count, long size,
                  long interval_ms) {
    long rate = 0;
    if (auto r = args.get("-r"); r && (!parse_count(*r, rate) || rate == 0)) {
        std::fprintf(stderr, "kcli bench: -r wants records per second\n");
        return 2;
    }
    if (!props.has("acks")) props.set("acks", "1");
    if (!props.has("linger.ms")) props.set("linger.ms", "5");
    if (auto z = args.get("-z")) props.set("compression.type", *z);
    if (!props.has("client.id")) props.set("client.id", "kcli-bench");
    std::string error;
    auto cfg = kafka::ProducerConfig::from(props, &error);
    if (!cfg) {
        std::fprintf(stderr, "kcli bench: %s\n", error.c_str());
        return 2;
    }
    std::mutex mu;
    std::string first_failure;
    kafka::Producer producer(std::move(*cfg));
    producer.on_delivery_error([&](std::error_code ec, const kafka::DeliveryFailure&) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_failure.empty()) first_failure = ec.message();
    });
    Progress progress("produce", count, interval_ms);
    const Usage before = usage_now();
    kafka::bench::ProduceResult res;
    try {
        res = kafka::bench::produce(producer, topic, count, size, rate, [&](long sent) { progress.update(sent); });
    } catch (const std::exception& e) {
        progress.done();
        std::fprintf(stderr, "kcli bench: the first record to %s failed: %s\n", topic.c_str(), e.what());
        return 1;
    }
    const Usage after = usage_now();
    progress.done();
    producer.close();
    print_summary("produce", topic, res.delivered, res.errors, res.seconds,
                  static_cast<unsigned long long>(res.delivered) * static_cast<unsigned long long>(size), before,
                  after);
    if (rate > 0) std::printf("  latency:     p50 %.1f us, p99 %.1f us (send to ack)\n", res.p50_us, res.p99_us);
    if (res.errors > 0) {
        std::lock_guard<std::mutex> lock(mu);
        std::fprintf(stderr, "kcli bench: %ld record(s) failed%s%s\n", res.errors, first_failure.empty() ? "" : ": ",
                     first_failure.c_str());
        return 1;
    }
    return 0;
}

int bench_consume(kafka::Properties props, const std::string& topic, long count, long interval_ms) {
    props.set("auto.offset.reset", "earliest");
    props.set("enable.partition.eof", "true");
    if (!props.has("client.id")) props.set("client.id", "kcli-bench");
    std::unique_ptr<kafka::Consumer> consumer;
    try {
        consumer = std::make_unique<kafka::Consumer>(props);
    } catch (const kafka::ConfigError& e) {
        std::fprintf(stderr, "kcli bench: %s\n", e.what());
        return 2;
    }
    auto ids = consumer->partitions_for(topic);
    if (!ids) {
        std::fprintf(stderr, "kcli bench: topic %s: %s\n", topic.c_str(), ids.error().message().c_str());
        return 1;
    }
    std::vector<kafka::TopicPartition> parts;
    for (int32_t id : *ids) parts.push_back({topic, id});
    consumer->assign(parts);
    watch_consumer(consumer.get());

    // Done at COUNT records, or when every partition has reported its end
    // with nothing read from it since.
    std::set<kafka::TopicPartition> at_end;
    bool ran_out = false;
    Progress progress("consume", count, interval_ms);
    const Usage before = usage_now();
    const auto res = kafka::bench::consume(
        *consumer, count, kafka::bench::Clock::time_point::max(),
        [&](const kafka::ConsumerRecords& records, const kafka::bench::ConsumeResult& so_far) {
            for (const auto& r : records) at_end.erase({r.topic(), r.partition()});
            for (const auto& ev : records.events()) {
                if (ev.type == kafka::ConsumerEvent::Type::partition_eof) at_end.insert(ev.partition);
                else std::fprintf(stderr, "%% %s: %s\n", ev.fatal ? "fatal" : "error", ev.message.c_str());
                if (ev.fatal) request_stop();
            }
            progress.update(so_far.count);
            ran_out = at_end.size() == parts.size();
            return stop_requested() || ran_out;
        });
    const Usage after = usage_now();
    progress.done();
    watch_consumer(nullptr);
    consumer->close();
    print_summary("consume", topic, res.count, -1, res.seconds, res.bytes, before, after);
    if (res.errors > 0) std::printf("  errors:      %ld\n", res.errors);
    if (count != LONG_MAX && res.count < count) {
        std::fprintf(stderr, "kcli bench: %s after %ld of %ld records\n",
                     ran_out ? "every partition reached its end" : "stopped", res.count, count);
        return 1;
    }
    return stop_requested() && count == LONG_MAX && !ran_out ? 1 : 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t", "-n", "-s", "-z", "-r", "--progress-ms"}));
    if (args.has("--help") || args.has("-h")) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli bench: %s\n", args.error().c_str());
        return 2;
    }
    if (auto bad = args.unknown({"-q"}); !bad.empty()) {
        std::fprintf(stderr, "kcli bench: unknown flag %s (see --help)\n", bad[0].c_str());
        return 2;
    }
    const auto& pos = args.positional();
    if (pos.size() != 1 || (pos[0] != "produce" && pos[0] != "consume")) {
        std::fprintf(stderr, "kcli bench: say what to measure: kcli bench produce|consume (see --help)\n");
        return 2;
    }
    const bool produce = pos[0] == "produce";
    if (!args.get("-b")) {
        std::fprintf(stderr,
                     "kcli bench: give the brokers with -b host:port[,...]: bench starts no cluster of its own "
                     "and measures the one you point it at\n");
        return 2;
    }
    const std::string topic = args.get("-t").value_or("kcli-bench");
    long count = produce ? 1000000 : LONG_MAX, size = 100, interval_ms = 1000;
    if (auto n = args.get("-n"); n && (!parse_count(*n, count) || count == 0)) {
        std::fprintf(stderr, "kcli bench: -n wants a record count\n");
        return 2;
    }
    if (auto s = args.get("-s"); s && !parse_count(*s, size)) {
        std::fprintf(stderr, "kcli bench: -s wants a value size in bytes\n");
        return 2;
    }
    if (auto p = args.get("--progress-ms"); p && !parse_count(*p, interval_ms)) {
        std::fprintf(stderr, "kcli bench: --progress-ms wants milliseconds\n");
        return 2;
    }
    if (args.has("-q")) interval_ms = 0;
    kafka::Properties props;
    if (!client_properties(args, props, "bench")) return 2;

    std::signal(SIGPIPE, SIG_IGN);
    if (!produce) {
        // Ctrl-C ends a consume run with its summary; a produce run just stops.
        stop_on_signals();
    }
    try {
        return produce ? bench_produce(args, props, topic, count, size, interval_ms)
                       : bench_consume(props, topic, count, interval_ms);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kcli bench: %s\n", e.what());
        return 1;
    }
}

}  // namespace kcli
