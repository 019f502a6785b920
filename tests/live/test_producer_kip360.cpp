// The producer against a broker that checks sequences and bumps epochs like
// Kafka (test_producer_fake_broker.hpp): KIP-360 epoch bumps after
// OUT_OF_ORDER_SEQUENCE_NUMBER and UNKNOWN_PRODUCER_ID, the clean failure
// where InitProducerId cannot bump (v2 and older), and exactly-once, in-order
// delivery with 5 requests in flight while answers are refused or lost.
#include "test_producer_fake_broker.hpp"
#include "test_producer_support.hpp"

#include <cstdlib>
#include <mutex>

using namespace kafka;
using namespace kafka::test;

namespace {

struct Outcomes {
    std::mutex mu;
    std::vector<std::error_code> errors;
    size_t ok = 0;
    auto callback() {
        return [this](std::error_code ec, const RecordMetadata&) {
            std::lock_guard<std::mutex> lock(mu);
            if (ec) errors.push_back(ec);
            else ++ok;
        };
    }
};

Properties props(const FakeBroker& broker, Properties extra = {}) {
    extra.set("bootstrap.servers", broker.bootstrap());
    return extra;
}

}  // namespace

TEST_CASE("producer KIP-360: OUT_OF_ORDER_SEQUENCE_NUMBER and UNKNOWN_PRODUCER_ID bump the epoch") {
    for (errc e : {errc::out_of_order_sequence_number, errc::unknown_producer_id}) {
        CAPTURE(e);
        FakeBroker broker({{"t", 1}});
        Outcomes o;
        {
            Producer producer(props(broker, {{"linger.ms", "0"}, {"retry.backoff.ms", "10"}}));
            CHECK(producer.send_sync(ProducerRecord("t", "before")).offset == 0);
            broker.push_fault(FakeBroker::Fault::error, e);
            for (int i = 0; i < 20; ++i) producer.send(ProducerRecord("t", "after-" + std::to_string(i)), o.callback());
            CHECK_FALSE(producer.flush(10000ms));
            CHECK(producer.stats().epoch_bumps == 1);
        }
        CHECK(o.errors.empty());
        CHECK(o.ok == 20);
        CHECK(broker.bumps() == 1);
        auto log = broker.log("t", 0);
        REQUIRE(log.size() == 21);
        CHECK(log[0].epoch == 0);
        int32_t next = 0;
        for (size_t i = 1; i < log.size(); ++i) {
            CHECK(log[i].value == "after-" + std::to_string(i - 1));
            CHECK(log[i].producer_id == log[0].producer_id);  // the same producer, a new epoch
            CHECK(log[i].epoch == 1);
            CHECK(log[i].sequence == next++);
        }
    }
}

TEST_CASE("producer KIP-360: a broker without it (InitProducerId v2): the batch fails, a new id goes on") {
    FakeBroker broker({{"t", 1}}, /*init_producer_id_max=*/2);
    Outcomes hit, rest;
    Producer producer(props(broker, {{"linger.ms", "0"}, {"retry.backoff.ms", "10"}}));
    producer.send_sync(ProducerRecord("t", "before"));
    broker.push_fault(FakeBroker::Fault::error, errc::out_of_order_sequence_number);
    producer.send(ProducerRecord("t", "hit"), hit.callback());
    CHECK_FALSE(producer.flush(10000ms));
    for (int i = 0; i < 5; ++i) producer.send(ProducerRecord("t", "after"), rest.callback());
    CHECK_FALSE(producer.flush(10000ms));
    REQUIRE(hit.errors.size() == 1);
    CHECK(hit.errors[0] == errc::out_of_order_sequence_number);
    CHECK(rest.ok == 5);
    CHECK(broker.bumps() == 0);
    auto log = broker.log("t", 0);
    REQUIRE(log.size() == 6);
    CHECK(log[1].producer_id != log[0].producer_id);
    CHECK(log[1].sequence == 0);
}

TEST_CASE("producer KIP-98: 5 in flight, answers refused and lost: every record once, in order") {
    FakeBroker broker({{"t", 2}});
    constexpr int kRecords = 20000;
    const auto t0 = std::chrono::steady_clock::now();
    {
        Producer producer(props(broker, {{"linger.ms", "0"},
                                         {"batch.size", "2000"},
                                         {"retry.backoff.ms", "5"},
                                         {"retry.backoff.max.ms", "50"},
                                         {"max.in.flight.requests.per.connection", "5"}}));
        for (int i = 0; i < kRecords; ++i) {
            const std::string v = std::to_string(i);
            RecordView r("t", as_bytes(v));
            r.partition = i % 2;
            REQUIRE_FALSE(producer.send(r));
            if (i % 2000 == 1000 && std::getenv("KIP_TRACE"))
                MESSAGE(i << " at " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - t0).count());
            if (i % 2000 == 1000) {
                broker.push_fault(FakeBroker::Fault::error, errc::not_leader_or_follower);
                broker.push_fault(FakeBroker::Fault::drop_after_write);
                broker.push_fault(FakeBroker::Fault::error, errc::request_timed_out);
            }
        }
        CHECK_FALSE(producer.flush(30000ms));
        if (std::getenv("KIP_TRACE"))
            MESSAGE("flushed at " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - t0).count());
        auto st = producer.stats();
        MESSAGE("retries " << st.batch_retries << ", requests " << st.requests_sent << "; broker saw "
                           << broker.out_of_order() << " out-of-order and " << broker.duplicates()
                           << " duplicate batches");
        CHECK(st.records_acked == static_cast<uint64_t>(kRecords));
        CHECK(st.records_failed == 0);
        CHECK(st.batch_retries > 0);
    }
    CHECK(broker.duplicates() > 0);  // a lost answer was resent and recognised
    for (int32_t p = 0; p < 2; ++p) {
        auto log = broker.log("t", p);
        CHECK(log.size() == static_cast<size_t>(kRecords / 2));
        int expect = p;
        size_t wrong = 0;
        for (const auto& s : log) {
            if (s.value != std::to_string(expect)) ++wrong;
            expect += 2;
        }
        CHECK(wrong == 0);
    }
}
