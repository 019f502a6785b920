// The producer against the librdkafka mock cluster (3 brokers): every send
// mode and codec, acks 0/1/all, partitions, headers, errors; everything read
// back with plain Fetch requests. Every wait is bounded.
#include "test_producer_support.hpp"

#include <asio/bind_executor.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

using namespace kafka;
using namespace kafka::test;

namespace {

struct Delivered {
    std::mutex mu;
    std::vector<std::pair<std::error_code, RecordMetadata>> results;
    void add(std::error_code ec, RecordMetadata md) {
        std::lock_guard<std::mutex> lock(mu);
        results.emplace_back(ec, std::move(md));
    }
    size_t size() {
        std::lock_guard<std::mutex> lock(mu);
        return results.size();
    }
};

}  // namespace

TEST_CASE("producer live: every send mode delivers, with offsets") {
    MockCluster mock(3);
    mock.create_topic("modes", 3);
    Producer producer(producer_props(mock, {{"linger.ms", "2"}}));

    // Fire-and-forget.
    for (int i = 0; i < 10; ++i) CHECK_FALSE(producer.send(ProducerRecord("modes", "ff-" + std::to_string(i))));

    // Synchronous: a future, and send_sync.
    RecordMetadata md = producer.send(ProducerRecord("modes", "k", "sync-future"), asio::use_future).get();
    CHECK(md.topic == "modes");
    CHECK(md.partition == key_partition(as_bytes("k"), 3));
    CHECK(md.offset >= 0);
    CHECK(md.timestamp > 0);
    RecordMetadata md2 = producer.send_sync(ProducerRecord("modes", "sync").with_partition(2));
    CHECK(md2.partition == 2);
    CHECK(md2.offset >= 0);

    // Asynchronous with a callback, from several threads at once.
    Delivered d;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 250; ++i) {
                ProducerRecord r("modes", "t" + std::to_string(t), "cb-" + std::to_string(i));
                producer.send(r, [&](std::error_code ec, RecordMetadata m) { d.add(ec, std::move(m)); });
            }
        });
    }
    for (auto& th : threads) th.join();

    // A handler bound to an executor of its own runs there.
    asio::io_context other;
    auto strand = asio::make_strand(other);
    std::atomic<bool> on_strand{false};
    producer.send(ProducerRecord("modes", "bound"), asio::bind_executor(strand, [&](std::error_code ec, RecordMetadata) {
                      CHECK_FALSE(ec);
                      on_strand = strand.running_in_this_thread();
                  }));
    CHECK_FALSE(producer.flush(10000ms));
    other.run_for(1000ms);
    CHECK(on_strand);

    REQUIRE(d.size() == 1000);
    std::map<int32_t, std::set<int64_t>> offsets;
    for (auto& res : d.results) {
        const std::error_code& ec = res.first;
        const RecordMetadata& m = res.second;
        CHECK_MESSAGE(!ec, ec.message());
        CHECK(m.offset >= 0);
        CHECK(offsets[m.partition].insert(m.offset).second);  // no offset twice
    }
    auto st = producer.stats();
    CHECK(st.records_acked == 10 + 2 + 1000 + 1);
    CHECK(st.records_failed == 0);
    CHECK_FALSE(producer.close());

    FetchReader reader(mock);
    size_t total = 0;
    for (int32_t p = 0; p < 3; ++p) total += reader.read("modes", p).records.size();
    CHECK(total == 1013);
}

TEST_CASE("producer live: each codec, keys, values and headers read back exactly") {
    MockCluster mock(3);
    for (const char* codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
        CAPTURE(codec);
        auto c = parse_compression(codec);
        REQUIRE(c);
        if (!compression_available(*c)) continue;
        const std::string topic = std::string("codec-") + codec;
        mock.create_topic(topic, 4);
        {
            Producer producer(producer_props(mock, {{"compression.type", codec}, {"linger.ms", "20"}}));
            for (int i = 0; i < 200; ++i) {
                ProducerRecord r(topic, "key-" + std::to_string(i % 17), "value-" + std::to_string(i));
                r.with_header("h1", "x" + std::to_string(i)).with_null_header("h2").with_timestamp(1700000000000 + i);
                producer.send(r);
            }
            CHECK_FALSE(producer.close(10000ms));
            CHECK(producer.stats().records_acked == 200);
        }
        FetchReader reader(mock);
        std::map<std::string, std::string> seen;
        std::multiset<Row> rows;
        for (int32_t p = 0; p < 4; ++p) {
            auto read = reader.read(topic, p);
            for (const auto& r : read.records) rows.insert({p, text(r.key), text(r.value), headers_text(r.headers)});
            for (const auto& b : read.batches) CHECK(b.compression() == *c);
            int64_t last_ts = 0;
            for (const auto& r : read.records) {
                const std::string key = text(r.key);
                CHECK(key_partition(as_bytes(key), 4) == p);
                REQUIRE(r.headers.size() == 2);
                CHECK(r.headers[0].key == "h1");
                CHECK(r.headers[1].key == "h2");
                CHECK_FALSE(r.headers[1].value.has_value());
                const std::string value = text(r.value);
                const int i = std::stoi(value.substr(6));
                CHECK(text(r.headers[0].value) == "x" + std::to_string(i));
                CHECK(r.timestamp == 1700000000000 + i);
                CHECK(r.timestamp > last_ts);  // order kept within the partition
                last_ts = r.timestamp;
                seen[value] = key;
            }
        }
        CHECK(seen.size() == 200);
        // kcat (librdkafka) reads the same records.
        if (have_command("kcat")) {
            auto theirs = kcat_rows(mock.bootstraps(), topic);
            CHECK_MESSAGE(theirs == rows, show(theirs));
        }
    }
}

TEST_CASE("producer live: acks 0, 1 and all") {
    MockCluster mock(3);
    mock.create_topic("acks", 2);
    for (const char* acks : {"0", "1", "all"}) {
        CAPTURE(acks);
        Producer producer(producer_props(mock, {{"acks", acks}, {"linger.ms", "0"}}));
        Delivered d;
        for (int i = 0; i < 50; ++i)
            producer.send(ProducerRecord("acks", std::string("a") + acks + "-" + std::to_string(i)).with_partition(i % 2),
                          [&](std::error_code ec, RecordMetadata m) { d.add(ec, std::move(m)); });
        CHECK_FALSE(producer.flush(10000ms));
        REQUIRE(d.size() == 50);
        for (auto& res : d.results) {
            const std::error_code& ec = res.first;
            const RecordMetadata& m = res.second;
            CHECK_FALSE(ec);
            if (std::string(acks) == "0") CHECK(m.offset == -1);  // the broker does not answer
            else CHECK(m.offset >= 0);
        }
        CHECK(producer.config().enable_idempotence == (std::string(acks) == "all"));
    }
    FetchReader reader(mock);
    CHECK(reader.read("acks", 0).records.size() + reader.read("acks", 1).records.size() == 150);
}

TEST_CASE("producer live: explicit, custom and sticky partitions") {
    MockCluster mock(3);
    mock.create_topic("parts", 6);
    Producer producer(producer_props(mock, {{"linger.ms", "0"}}));
    // Explicit.
    for (int32_t p = 0; p < 6; ++p) CHECK(producer.send_sync(ProducerRecord("parts", "x").with_partition(p)).partition == p);
    // A partition the topic lacks fails that record only.
    CHECK_THROWS_AS(producer.send_sync(ProducerRecord("parts", "x").with_partition(6)), std::system_error);
    // Unkeyed records stick to a partition for a while.
    std::set<int32_t> used;
    for (int i = 0; i < 20; ++i) used.insert(producer.send_sync(ProducerRecord("parts", "s")).partition);
    CHECK(used.size() <= 2);

    // A custom partitioner: everything to the last partition, kAnyPartition falls back.
    Producer custom(producer_props(mock, {{"linger.ms", "0"}}));
    custom.set_partitioner([](std::string_view, const std::optional<ByteView>& key, const std::optional<ByteView>&,
                              int32_t n) { return key ? n - 1 : kAnyPartition; });
    CHECK(custom.send_sync(ProducerRecord("parts", "key", "v")).partition == 5);
    CHECK(custom.send_sync(ProducerRecord("parts", "v")).partition >= 0);
}

TEST_CASE("producer live: errors fail their records and leave the producer usable") {
    MockCluster mock(3);
    mock.create_topic("ok", 1);
    mock.create_topic("forbidden", 1);
    mock.set_topic_error("forbidden", errc::topic_authorization_failed);
    Producer producer(producer_props(mock, {{"max.request.size", "10000"}, {"max.block.ms", "2000"}}));

    std::mutex mu;
    std::vector<std::error_code> errors;
    producer.on_delivery_error([&](std::error_code ec, const DeliveryFailure& f) {
        std::lock_guard<std::mutex> lock(mu);
        errors.push_back(ec);
        CHECK((f.topic == "forbidden" || ec == client_errc::record_too_large));
    });
    // Too large for a request: refused at once, clearly.
    std::error_code big = producer.send(ProducerRecord("ok", std::string(20000, 'x')));
    CHECK(big == client_errc::record_too_large);
    // Not authorized: fails with the broker's error.
    try {
        producer.send_sync(ProducerRecord("forbidden", "v"));
        FAIL("expected an error");
    } catch (const std::system_error& e) {
        CHECK(e.code() == errc::topic_authorization_failed);
    }
    producer.send(ProducerRecord("forbidden", "fire-and-forget"));
    // Others still go through.
    CHECK(producer.send_sync(ProducerRecord("ok", "fine")).offset >= 0);
    CHECK_FALSE(producer.flush(5000ms));
    {
        std::lock_guard<std::mutex> lock(mu);
        REQUIRE(errors.size() >= 1);
        CHECK(errors.back() == errc::topic_authorization_failed);
    }
    CHECK(producer.stats().records_failed >= 3);
}

TEST_CASE("producer live: close() with a broker gone reports every record, none silently dropped") {
    MockCluster mock(3);
    mock.create_topic("gone", 1);
    mock.set_leader("gone", 0, 2);
    Producer producer(producer_props(mock, {{"linger.ms", "0"}, {"request.timeout.ms", "2000"}}));
    CHECK(producer.send_sync(ProducerRecord("gone", "first")).offset == 0);
    mock.broker_down(2);
    std::atomic<int> unowned_failed{0};  // fire-and-forget records go to the error handler
    producer.on_delivery_error(
        [&](std::error_code ec, const DeliveryFailure& f) { unowned_failed += ec ? f.record_count : 0; });
    Delivered d;
    for (int i = 0; i < 20; ++i) {
        producer.send(ProducerRecord("gone", "late"), [&](std::error_code ec, RecordMetadata m) { d.add(ec, std::move(m)); });
        CHECK_FALSE(producer.send(ProducerRecord("gone", "late, fire and forget")));
    }
    const auto start = std::chrono::steady_clock::now();
    CHECK(producer.close(500ms) == client_errc::timed_out);
    CHECK(std::chrono::steady_clock::now() - start < 10s);
    REQUIRE(d.size() == 20);
    for (auto& res : d.results) CHECK(res.first);
    CHECK(unowned_failed == 20);
    CHECK(producer.stats().records_failed == 40);
    CHECK(producer.stats().records_acked == 1);
    CHECK(producer.send(ProducerRecord("gone", "after close")) == client_errc::shutting_down);
}

TEST_CASE("producer live: buffer.memory blocks up to max.block.ms, then a clear error") {
    MockCluster mock(1);
    mock.create_topic("slow", 1);
    mock.set_rtt(1, 1500ms);
    Producer producer(producer_props(
        mock, {{"buffer.memory", "40000"}, {"batch.size", "16384"}, {"max.block.ms", "200"}, {"linger.ms", "0"}}));
    std::error_code last;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 200 && !last; ++i) last = producer.send(ProducerRecord("slow", std::string(1000, 'x')));
    CHECK(last == client_errc::buffer_full);
    CHECK(std::chrono::steady_clock::now() - start >= 150ms);
    mock.set_rtt(1, 0ms);
    CHECK_FALSE(producer.flush(20000ms));
}

TEST_CASE("producer live: a topic that never appears fails after max.block.ms") {
    MockCluster mock(1);
    // The mock creates topics on Metadata v2; make this one answer UNKNOWN_TOPIC_OR_PARTITION.
    mock.set_topic_error("no-such-topic", errc::unknown_topic_or_partition);
    Producer producer(producer_props(mock, {{"max.block.ms", "300"}}));
    try {
        producer.send_sync(ProducerRecord("no-such-topic", "v"));
        FAIL("expected an error");
    } catch (const std::system_error& e) {
        CHECK((e.code() == client_errc::unknown_topic || e.code() == errc::unknown_topic_or_partition));
    }
}
