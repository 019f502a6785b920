// Idempotence against the mock: producer id and sequences on the wire,
// DUPLICATE_SEQUENCE_NUMBER as success, and what happens after
// OUT_OF_ORDER_SEQUENCE_NUMBER and UNKNOWN_PRODUCER_ID where the epoch cannot
// be bumped (KIP-360): the mock refuses bumps of non-transactional
// producers, and a broker capped at InitProducerId v2 has none. The producer
// then takes a new producer id; the batch that hit the error fails, the
// others go on.
#include "test_producer_support.hpp"

#include <mutex>

using namespace kafka;
using namespace kafka::test;

namespace {

constexpr int16_t kProduce = 0;
constexpr int16_t kInitProducerId = 22;

struct Outcomes {
    std::mutex mu;
    std::vector<std::error_code> errors;
    std::vector<RecordMetadata> ok;
    auto callback() {
        return [this](std::error_code ec, RecordMetadata md) {
            std::lock_guard<std::mutex> lock(mu);
            if (ec) errors.push_back(ec);
            else ok.push_back(std::move(md));
        };
    }
};

}  // namespace

TEST_CASE("producer idempotence live: batches carry the producer id and consecutive sequences") {
    MockCluster mock(3);
    mock.create_topic("seq", 2);
    {
        Producer producer(producer_props(mock, {{"linger.ms", "0"}, {"batch.size", "200"}}));
        CHECK(producer.config().enable_idempotence);  // the default, as in the Java client
        for (int i = 0; i < 100; ++i) producer.send(ProducerRecord("seq", "value-" + std::to_string(i)).with_partition(i % 2));
        CHECK_FALSE(producer.close(10000ms));
        CHECK(producer.stats().records_acked == 100);
    }
    FetchReader reader(mock);
    for (int32_t p = 0; p < 2; ++p) {
        auto read = reader.read("seq", p);
        CHECK(read.records.size() == 50);
        REQUIRE_FALSE(read.batches.empty());
        int32_t next = 0;
        const int64_t pid = read.batches.front().producer_id;
        CHECK(pid >= 0);
        for (const auto& b : read.batches) {
            CHECK(b.producer_id == pid);
            CHECK(b.producer_epoch == 0);
            CHECK(b.base_sequence == next);  // no gap, no overlap
            next += b.record_count;
        }
        CHECK(next == 50);
    }
}

TEST_CASE("producer idempotence live: DUPLICATE_SEQUENCE_NUMBER counts as success") {
    MockCluster mock(1);
    mock.create_topic("dup", 1);
    Producer producer(producer_props(mock, {{"linger.ms", "0"}}));
    producer.send_sync(ProducerRecord("dup", "warm-up"));
    mock.push_errors(kProduce, {errc::duplicate_sequence_number});
    Outcomes o;
    producer.send(ProducerRecord("dup", "already there"), o.callback());
    CHECK_FALSE(producer.flush(10000ms));
    CHECK(o.errors.empty());
    CHECK(o.ok.size() == 1);
    CHECK(producer.stats().duplicate_sequence == 1);
}

TEST_CASE("producer idempotence live: OUT_OF_ORDER_SEQUENCE_NUMBER / UNKNOWN_PRODUCER_ID when the bump is refused") {
    // The producer asks for an epoch bump (InitProducerId v4 with its id and
    // epoch, KIP-360). The librdkafka mock refuses bumps of producers without
    // a transactional id (INVALID_PRODUCER_ID_MAPPING), so the producer takes
    // a new producer id: the batch that hit the error fails with it, the
    // batches behind it go out under the new id, from sequence 0.
    for (errc e : {errc::out_of_order_sequence_number, errc::unknown_producer_id}) {
        CAPTURE(e);
        MockCluster mock(1);
        mock.create_topic("bump", 1);
        Outcomes first, rest;
        {
            Producer producer(producer_props(mock, {{"linger.ms", "0"}, {"retry.backoff.ms", "10"}}));
            CHECK(producer.send_sync(ProducerRecord("bump", "before")).offset == 0);
            mock.push_errors(kProduce, {e});
            producer.send(ProducerRecord("bump", "hit"), first.callback());
            CHECK_FALSE(producer.flush(10000ms));
            for (int i = 0; i < 20; ++i) producer.send(ProducerRecord("bump", "after-" + std::to_string(i)), rest.callback());
            CHECK_FALSE(producer.flush(10000ms));
            CHECK(producer.stats().epoch_bumps == 1);
        }
        REQUIRE(first.errors.size() == 1);
        CHECK(first.errors[0] == e);
        CHECK(rest.errors.empty());
        CHECK(rest.ok.size() == 20);
        FetchReader reader(mock);
        auto read = reader.read("bump", 0);
        REQUIRE(read.records.size() == 21);
        for (int i = 0; i < 20; ++i) CHECK(text(read.records[static_cast<size_t>(i) + 1].value) == "after-" + std::to_string(i));
        const auto& first_batch = read.batches.front();
        const auto& last_batch = read.batches.back();
        CHECK(last_batch.producer_id != first_batch.producer_id);
        int32_t next = 0;
        for (const auto& b : read.batches) {
            if (b.producer_id != last_batch.producer_id) continue;
            CHECK(b.base_sequence == next);
            next += b.record_count;
        }
        CHECK(next == 20);
    }
}

TEST_CASE("producer idempotence live: without KIP-360 the failing batch fails cleanly, the rest goes on") {
    MockCluster mock(1);
    mock.create_topic("nobump", 1);
    mock.set_api_version(kInitProducerId, 0, 2);  // a broker that cannot bump epochs
    Outcomes o;
    Producer producer(producer_props(mock, {{"linger.ms", "0"}, {"retry.backoff.ms", "10"}}));
    producer.send_sync(ProducerRecord("nobump", "before"));
    mock.push_errors(kProduce, {errc::out_of_order_sequence_number});
    producer.send(ProducerRecord("nobump", "hit"), o.callback());
    CHECK_FALSE(producer.flush(10000ms));
    REQUIRE(o.errors.size() == 1);
    CHECK(o.errors[0] == errc::out_of_order_sequence_number);
    // The producer goes on, under a new producer id.
    CHECK(producer.send_sync(ProducerRecord("nobump", "after")).offset >= 0);
    CHECK(producer.stats().epoch_bumps == 1);
    FetchReader reader(mock);
    auto read = reader.read("nobump", 0);
    REQUIRE(read.batches.size() == 2);
    CHECK(read.batches[0].producer_id != read.batches[1].producer_id);
    CHECK(read.batches[1].base_sequence == 0);
}

TEST_CASE("producer idempotence live: a batch the broker refuses fails alone, the sequence gap is repaired") {
    MockCluster mock(1);
    mock.create_topic("refused", 1);
    Outcomes o;
    Producer producer(producer_props(mock, {{"linger.ms", "0"}}));
    producer.send_sync(ProducerRecord("refused", "before"));
    mock.push_errors(kProduce, {errc::message_too_large});
    producer.send(ProducerRecord("refused", "too large, says the broker"), o.callback());
    CHECK_FALSE(producer.flush(10000ms));
    REQUIRE(o.errors.size() == 1);
    CHECK(o.errors[0] == errc::message_too_large);
    for (int i = 0; i < 5; ++i) CHECK(producer.send_sync(ProducerRecord("refused", "after")).offset >= 1);
    FetchReader reader(mock);
    CHECK(reader.read("refused", 0).records.size() == 6);
}

TEST_CASE("producer idempotence live: turned off, no producer id is asked for") {
    MockCluster mock(1);
    mock.create_topic("plain", 1);
    {
        Producer producer(producer_props(mock, {{"enable.idempotence", "false"}, {"linger.ms", "0"}}));
        CHECK_FALSE(producer.config().enable_idempotence);
        CHECK(producer.send_sync(ProducerRecord("plain", "v")).offset == 0);
    }
    FetchReader reader(mock);
    auto read = reader.read("plain", 0);
    REQUIRE(read.batches.size() == 1);
    CHECK(read.batches[0].producer_id == -1);
    CHECK(read.batches[0].base_sequence == -1);
}
