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
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "client/producer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The same payload bytes as the librdkafka peer: letters from a fixed LCG.
std::string payload(size_t n) {
    std::string s(n, ' ');
    uint32_t x = 12345;
    for (size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>('a' + (x >> 16) % 26);
    }
    return s;
}

}  // namespace

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
        const size_t pool = 4096;
        const std::string bytes = payload(pool + static_cast<size_t>(size));
        auto value = [&](long i) {
            return kafka::ByteView(reinterpret_cast<const uint8_t*>(bytes.data()) + (static_cast<size_t>(i) * 37) % pool,
                                   static_cast<size_t>(size));
        };

        // Warm up: metadata and connections, outside the timed part.
        producer.send_sync(kafka::RecordView(topic, value(0)));
        const uint64_t acked_before = producer.stats().records_acked;

        std::vector<double> latency;
        if (rate > 0) latency.reserve(static_cast<size_t>(count));
        const auto start = Clock::now();
        for (long i = 0; i < count; ++i) {
            kafka::RecordView r(topic, value(i));
            if (rate > 0) {
                // Paced: record i is due at start + i / rate; sleep until then
                // (no spinning: the producer's own threads get the CPU).
                const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(static_cast<double>(i) / rate));
                if (Clock::now() < due) std::this_thread::sleep_until(due);
                const auto sent = Clock::now();
                producer.send(r, [&latency, sent](std::error_code ec, const kafka::RecordMetadata&) {
                    if (!ec) latency.push_back(seconds_since(sent));  // on the producer's one I/O thread
                });
            } else {
                producer.send(r);
            }
        }
        producer.flush();
        const double seconds = seconds_since(start);
        const auto st = producer.stats();
        const long delivered = static_cast<long>(st.records_acked - acked_before);

        double p50 = 0, p99 = 0;
        if (!latency.empty()) {
            std::sort(latency.begin(), latency.end());
            p50 = latency[latency.size() / 2] * 1e6;
            p99 = latency[(latency.size() * 99) / 100] * 1e6;
        }
        std::printf("RESULT count=%ld seconds=%.6f errors=%ld p50_us=%.1f p99_us=%.1f\n", delivered, seconds,
                    count - delivered, p50, p99);
        producer.close();
        return delivered == count ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "producer_ours: %s\n", e.what());
        return 2;
    }
}
