// The measured loops of the producer and consumer benchmarks, shared by
// bench/producer_ours.cpp and bench/consumer_ours.cpp (which the *_bench.cpp
// drivers run next to librdkafka's) and by `kcli bench`. Only kafka::kafka.
//
// A progress hook is called from the loop every so often, never per record,
// so that watching a long run does not change what it measures.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "client/consumer.hpp"
#include "client/producer.hpp"

namespace kafka::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The same payload bytes as the librdkafka peer: letters from a fixed LCG.
inline std::string payload(size_t n) {
    std::string s(n, ' ');
    uint32_t x = 12345;
    for (size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>('a' + (x >> 16) % 26);
    }
    return s;
}

// Record values of `size` bytes, cut from one buffer at varying offsets: no
// allocation per record.
class Values {
public:
    explicit Values(long size) : size_(static_cast<size_t>(size)), bytes_(payload(kPool + size_)) {}
    ByteView operator()(long i) const {
        return ByteView(reinterpret_cast<const uint8_t*>(bytes_.data()) + (static_cast<size_t>(i) * 37) % kPool, size_);
    }

private:
    static constexpr size_t kPool = 4096;
    size_t size_;
    std::string bytes_;
};

// The progress hooks are called every this many records sent.
constexpr long kProgressEvery = 16384;

struct ProduceResult {
    long delivered = 0;  // acknowledged in the timed part
    double seconds = 0;  // first send to the end of flush()
    long errors = 0;     // count - delivered
    double p50_us = 0, p99_us = 0;  // send-to-ack, paced runs only
};

// Sends one record and waits for it (metadata and connections, not timed),
// then `count` records of `size` bytes to `topic`: fire-and-forget as fast as
// it goes, or, with `rate` > 0, `rate` a second, each with a callback
// measuring its send-to-ack latency. Then flush(). Throws what send_sync()
// throws when the warm-up record fails. `progress(sent)` runs every
// kProgressEvery records.
template <class Progress>
ProduceResult produce(Producer& producer, const std::string& topic, long count, long size, long rate,
                      Progress&& progress) {
    const Values value(size);
    producer.send_sync(RecordView(topic, value(0)));
    const uint64_t acked_before = producer.stats().records_acked;

    std::vector<double> latency;
    if (rate > 0) latency.reserve(static_cast<size_t>(count));
    const auto start = Clock::now();
    for (long i = 0; i < count; ++i) {
        RecordView r(topic, value(i));
        if (rate > 0) {
            // Paced: record i is due at start + i / rate; sleep until then
            // (no spinning: the producer's own threads get the CPU).
            const auto due = start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(static_cast<double>(i) / rate));
            if (Clock::now() < due) std::this_thread::sleep_until(due);
            const auto sent = Clock::now();
            producer.send(r, [&latency, sent](std::error_code ec, const RecordMetadata&) {
                if (!ec) latency.push_back(seconds_since(sent));  // on the producer's one I/O thread
            });
        } else {
            producer.send(r);
        }
        if ((i + 1) % kProgressEvery == 0) progress(i + 1);
    }
    producer.flush();
    ProduceResult res;
    res.seconds = seconds_since(start);
    res.delivered = static_cast<long>(producer.stats().records_acked - acked_before);
    res.errors = count - res.delivered;
    if (!latency.empty()) {
        std::sort(latency.begin(), latency.end());
        res.p50_us = latency[latency.size() / 2] * 1e6;
        res.p99_us = latency[(latency.size() * 99) / 100] * 1e6;
    }
    return res;
}

struct ConsumeResult {
    long count = 0;
    double seconds = 0;  // from the first record to the end (0 when none came)
    unsigned long long bytes = 0;
    long errors = 0;  // error events
    unsigned long long checksum = 0;  // the first byte of every value, summed
};

// Polls (100 ms at a time) until `count` records have come or `deadline`
// passes, touching every value. After each poll, `stop(records, so_far)` may
// end the run early (every partition at its end, a signal); it is also the
// place for progress.
template <class Stop>
ConsumeResult consume(Consumer& consumer, long count, Clock::time_point deadline, Stop&& stop) {
    ConsumeResult res;
    Clock::time_point first{};
    while (res.count < count && Clock::now() < deadline) {
        auto records = consumer.poll(std::chrono::milliseconds(100));
        for (const ConsumerRecord& r : records) {
            if (res.count == 0) first = Clock::now();
            auto v = r.value();
            res.bytes += v.size();
            if (!v.empty()) res.checksum += static_cast<unsigned char>(v[0]);
            if (++res.count == count) break;  // exactly `count`, as the librdkafka peer reads them
        }
        for (const auto& e : records.events())
            if (e.type == ConsumerEvent::Type::error) ++res.errors;
        if (stop(records, res)) break;
    }
    if (res.count > 0) res.seconds = seconds_since(first);
    return res;
}

}  // namespace kafka::bench
