// Fault soak: 200k keyed records over 8 partitions while the mock injects
// NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NOT_ENOUGH_REPLICAS,
// UNKNOWN_TOPIC_OR_PARTITION, dropped connections, a broker down for 400 ms
// and up again, two partition leaders moving, and extra round-trip time. Then
// every partition is read back and counted.
//   idempotent:      0 lost, 0 duplicated, per-partition order kept;
//   not idempotent:  0 lost; duplicates counted and reported.
// Bounded: a few seconds.
//
// The librdkafka mock checks sequence numbers only for transactional
// producers. A real broker answers OUT_OF_ORDER_SEQUENCE_NUMBER to a batch
// sent behind one that failed (and DUPLICATE_SEQUENCE_NUMBER to one it holds),
// writing neither, and the producer resends them in order; the mock writes
// them all and answers success. So with 5 batches in flight per partition the
// mock's log can hold batches out of order, and no replay of that log can say
// what a real broker would have kept: the producer's resends depend on the
// broker's answers. That run checks what the mock can show (nothing lost,
// every record acknowledged) and reports the rest; order and de-duplication
// at 5 in flight are checked against a broker that enforces sequences
// (test_producer_kip360.cpp, FakeBroker). The run with 1 in flight needs no
// such broker: retries go first and alone, and the injected errors are
// answered before anything is written, so its log is checked against the
// broker's sequence rule as is.
#include "test_producer_support.hpp"

#include <cstdlib>
#include <map>
#include <set>
#include <thread>

using namespace kafka;
using namespace kafka::test;

namespace {

constexpr int kRecords = 200000;
constexpr int32_t kPartitions = 8;
constexpr int16_t kProduce = 0;

struct SoakResult {
    size_t read = 0;
    size_t unique = 0;
    size_t duplicates = 0;
    size_t out_of_order = 0;
    size_t lost = 0;
    size_t wrong_partition = 0;
    // Batches a broker checking sequences would have refused (out of
    // sequence or duplicate), so the log is not one it would write.
    size_t refused_batches = 0;
    uint64_t refreshes_after_moves = 0;  // metadata refreshes from broker 2 going down on (leaders move too)
    int64_t flush_ms = 0;
    int64_t total_ms = 0;
    ProducerStats stats;
};

// Runs one partition's log through a broker's producer-state check (KIP-98):
// per producer id, a batch is written only when its epoch is the current one
// and its base sequence is the next expected (int32, wrapping), or when it
// opens a newer epoch at sequence 0 (KIP-360 bump). Counts the batches that
// check would have refused.
void apply_sequence_rule(const FetchReader::Read& read, SoakResult& res) {
    struct State {
        int16_t epoch = -1;
        int32_t next = 0;
    };
    std::map<int64_t, State> producers;
    for (const auto& b : read.batches) {
        State& st = producers[b.producer_id];
        const bool keep = b.producer_epoch > st.epoch ? b.base_sequence == 0 || st.epoch < 0
                                                      : b.producer_epoch == st.epoch && b.base_sequence == st.next;
        if (!keep) {
            ++res.refused_batches;
            continue;
        }
        st.epoch = b.producer_epoch;
        st.next = static_cast<int32_t>(static_cast<uint32_t>(b.base_sequence) + static_cast<uint32_t>(b.record_count));
    }
}

SoakResult soak(bool idempotent, int max_in_flight) {
    MockCluster mock(3);
    mock.create_topic("soak", kPartitions, 3);
    // Partitions spread over the three brokers.
    for (int32_t p = 0; p < kPartitions; ++p) mock.set_leader("soak", p, p % 3 + 1);

    SoakResult res;
    const auto start = std::chrono::steady_clock::now();
    {
        Producer producer(producer_props(mock, {{"enable.idempotence", idempotent ? "true" : "false"},
                                                {"acks", "all"},
                                                {"linger.ms", "2"},
                                                {"retry.backoff.ms", "20"},
                                                {"retry.backoff.max.ms", "200"},
                                                {"request.timeout.ms", "3000"},
                                                {"max.in.flight.requests.per.connection",
                                                 std::to_string(max_in_flight)}}));
        std::atomic<int> failed{0};
        uint64_t refreshes_before_moves = 0;
        producer.on_delivery_error([&](std::error_code ec, const DeliveryFailure& f) {
            MESSAGE("delivery failed: " << ec.message() << " " << f.topic << "-" << f.partition);
            failed += f.record_count;
        });
        for (int i = 0; i < kRecords; ++i) {
            // Keys spread the records; the value carries the send order.
            const std::string key = "k" + std::to_string(i % 997);
            const std::string value = std::to_string(i);
            REQUIRE_FALSE(producer.send(RecordView("soak", as_bytes(key), as_bytes(value))));
            if (i % 5000 == 4999) std::this_thread::sleep_for(std::chrono::milliseconds(15));
            if (i % 10000 == 0 && std::getenv("SOAK_TRACE"))
                MESSAGE(i << " at " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - start).count() << " ms");
            switch (i) {
            case 20000:
                mock.push_errors(kProduce, {errc::not_leader_or_follower, errc::not_leader_or_follower,
                                            errc::not_leader_or_follower});
                break;
            case 40000:
                mock.push_errors(kProduce, {errc::request_timed_out, errc::request_timed_out});
                break;
            case 60000:
                mock.push_errors(kProduce, {errc::not_enough_replicas, errc::not_enough_replicas,
                                            errc::not_enough_replicas_after_append});
                break;
            case 80000: mock.push_disconnect(kProduce); break;
            case 90000:
                mock.push_broker_errors(1, kProduce, {{errc::not_leader_or_follower, std::chrono::milliseconds(50)},
                                                      {errc::request_timed_out, std::chrono::milliseconds(50)}});
                break;
            // Broker 2 (leader of partitions 1, 4 and 7) down for a set time,
            // not a count of records: sending is faster than any window.
            case 100000:
                mock.broker_down(2);
                refreshes_before_moves = producer.stats().metadata_refreshes;
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                break;
            // Leaders move while broker 2 is down: partition 0 from broker 1
            // to 3, partition 5 from broker 3 to 1. The old leaders answer
            // NOT_LEADER_OR_FOLLOWER, and the producer must re-route.
            case 110000:
                mock.set_leader("soak", 0, 3);
                mock.set_leader("soak", 5, 1);
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                break;
            case 120000: mock.push_errors(kProduce, {errc::unknown_topic_or_partition}); break;
            case 130000: mock.broker_up(2); break;
            // Extra round-trip time, with no connection dropped meanwhile: the
            // mock applies a batch before it delays the answer, and does not
            // de-duplicate idempotent batches, so a lost answer would show up
            // as a duplicate that a real broker would have caught.
            case 150000: mock.set_rtt(3, std::chrono::milliseconds(100)); break;
            case 170000:
                mock.set_rtt(3, std::chrono::milliseconds(0));
                CHECK_FALSE(producer.flush(std::chrono::milliseconds(30000)));
                mock.push_errors(kProduce, {errc::not_leader_or_follower, errc::request_timed_out});
                break;
            case 185000: mock.push_disconnect(kProduce); break;
            default: break;
            }
        }
        const auto flush_start = std::chrono::steady_clock::now();
        CHECK_FALSE(producer.flush(std::chrono::milliseconds(60000)));
        res.flush_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                             flush_start)
                           .count();
        res.stats = producer.stats();
        res.refreshes_after_moves = res.stats.metadata_refreshes - refreshes_before_moves;
        CHECK(failed == 0);
        CHECK_FALSE(producer.close());
        if (std::getenv("SOAK_TRACE")) MESSAGE("closed at " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    }
    if (std::getenv("SOAK_TRACE")) MESSAGE("destroyed at " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());

    FetchReader reader(mock);
    std::vector<bool> seen(kRecords, false);
    for (int32_t p = 0; p < kPartitions; ++p) {
        auto read = reader.read("soak", p, std::chrono::milliseconds(20000));
        int last = -1;
        for (const auto& r : read.records) {
            const int i = std::stoi(text(r.value));
            if (i < 0 || i >= kRecords) FAIL("a record this test did not send: " << i);
            if (key_partition(as_bytes(text(r.key)), kPartitions) != p) ++res.wrong_partition;
            ++res.read;
            if (seen[static_cast<size_t>(i)]) {
                ++res.duplicates;
            } else {
                seen[static_cast<size_t>(i)] = true;
                ++res.unique;
            }
            if (i < last) {
                if (res.out_of_order < 5 && std::getenv("SOAK_TRACE"))
                    MESSAGE("partition " << p << " offset " << r.offset << ": " << i << " after " << last);
                ++res.out_of_order;
            }
            last = std::max(last, i);
        }
        if (idempotent) {
            // Every batch of the partition came from one producer, with sequences.
            size_t without = 0;
            for (const auto& b : read.batches) without += b.producer_id < 0;
            CHECK(without == 0);
            apply_sequence_rule(read, res);
        }
    }
    res.lost = static_cast<size_t>(kRecords) - res.unique;
    CHECK(res.wrong_partition == 0);
    res.total_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    MESSAGE("took " << res.total_ms << " ms, the final flush " << res.flush_ms << " ms");
    return res;
}

}  // namespace

TEST_CASE("producer soak: idempotent under faults, 1 in flight: 0 lost, 0 duplicated, order kept") {
    SoakResult r = soak(true, 1);
    MESSAGE("idempotent, 1 in flight: read " << r.read << ", lost " << r.lost << ", duplicates " << r.duplicates
                                             << ", out of order " << r.out_of_order << "; retries "
                                             << r.stats.batch_retries << ", epoch bumps " << r.stats.epoch_bumps
                                             << ", requests " << r.stats.requests_sent << ", metadata refreshes "
                                             << r.refreshes_after_moves);
    CHECK(r.lost == 0);
    CHECK(r.duplicates == 0);
    CHECK(r.out_of_order == 0);
    CHECK(r.read == static_cast<size_t>(kRecords));
    CHECK(r.refused_batches == 0);  // the log is one a broker would write as is
    CHECK(r.stats.batch_retries > 0);  // the faults did happen
    CHECK(r.refreshes_after_moves > 0);  // and the producer re-routed
    CHECK(r.stats.records_acked == static_cast<uint64_t>(kRecords));
}

TEST_CASE("producer soak: idempotent under faults, 5 in flight: 0 lost, every record acknowledged") {
    SoakResult r = soak(true, 5);
    // The raw log is the mock's, which enforces no sequences (see the top of
    // this file): its order is reported, not checked.
    MESSAGE("idempotent, 5 in flight: the mock wrote " << r.read << " (duplicates " << r.duplicates
                                                       << ", out of order " << r.out_of_order << "); retries "
                                                       << r.stats.batch_retries << ", epoch bumps "
                                                       << r.stats.epoch_bumps << ", requests "
                                                       << r.stats.requests_sent);
    CHECK(r.lost == 0);
    CHECK(r.stats.batch_retries > 0);
    CHECK(r.refreshes_after_moves > 0);
    CHECK(r.stats.records_acked == static_cast<uint64_t>(kRecords));
}

TEST_CASE("producer soak: not idempotent under faults: 0 lost, duplicates counted") {
    SoakResult r = soak(false, 5);
    MESSAGE("not idempotent: read " << r.read << ", lost " << r.lost << ", duplicates " << r.duplicates
                                    << ", out of order " << r.out_of_order << "; retries " << r.stats.batch_retries);
    CHECK(r.lost == 0);
    CHECK(r.read == static_cast<size_t>(kRecords) + r.duplicates);
    CHECK(r.stats.batch_retries > 0);
    CHECK(r.refreshes_after_moves > 0);
}
