// The record accumulator, driven by hand: batching by batch.size and
// linger.ms, one request per leader, retries in order, expiry, memory.
#include <doctest/doctest.h>

#include <ostream>

#include <string>

#include "client/accumulator.hpp"
#include "protocol/errors.hpp"

using namespace kafka;
using namespace kafka::detail;
using namespace std::chrono_literals;

namespace {

struct Fixture {
    explicit Fixture(AccumulatorOptions o = defaults()) : acc(o) {
        acc.set_waker([this] { ++wakes; });
    }
    static AccumulatorOptions defaults() {
        AccumulatorOptions o;
        o.batch_size = 1000;
        o.linger = 5ms;
        o.buffer_memory = 1 << 20;
        o.max_block = 0ms;
        return o;
    }
    // Topic "t": `n` partitions, partition p led by broker p % 2 + 1.
    void topic(int32_t n, const std::string& name = "t") {
        std::vector<int32_t> leaders;
        for (int32_t p = 0; p < n; ++p) leaders.push_back(p % 2 + 1);
        for (auto pending = acc.update_topic(name, n, leaders); !pending.empty(); pending = acc.take_pending(name))
            for (auto& rec : pending) REQUIRE_FALSE(acc.append_pending(name, rec, rec.partition, t0).ec);
    }
    RecordAccumulator::AppendResult add(int32_t partition, const std::string& value, Clock::time_point at,
                                        const std::string& name = "t") {
        RecordView r(name, as_bytes(value));
        DeliveryCallback none;
        return acc.append(r, partition, 1000, none, at, false);
    }
    RecordAccumulator::DrainOut drain(Clock::time_point at, bool gate = true, int allowed = 5) {
        RecordAccumulator::DrainOut out;
        acc.drain(at, gate, [&](int32_t) { return allowed; }, out);
        return out;
    }
    static size_t batches(const RecordAccumulator::DrainOut& out) {
        size_t n = 0;
        for (auto& r : out.requests) n += r.second.size();
        return n;
    }
    void done(RecordAccumulator::DrainOut& out) {
        for (auto& r : out.requests)
            for (auto& b : r.second) {
                --b->queue->in_flight;
                acc.records_done(static_cast<uint64_t>(b->record_count));
                acc.release(std::move(b));
            }
    }

    Clock::time_point t0 = Clock::time_point{} + 1h;
    RecordAccumulator acc;
    int wakes = 0;
};

}  // namespace

TEST_CASE("accumulator: a batch waits linger.ms, then goes") {
    Fixture f;
    f.topic(1);
    REQUIRE_FALSE(f.add(0, "v1", f.t0).ec);
    CHECK(f.wakes == 1);  // a new batch, due before the (unarmed) timer
    REQUIRE_FALSE(f.add(0, "v2", f.t0 + 1ms).ec);
    CHECK(f.wakes == 1);

    auto early = f.drain(f.t0 + 4ms);
    CHECK(early.requests.empty());
    REQUIRE(early.next_wakeup);
    CHECK(*early.next_wakeup == f.t0 + 5ms);

    auto out = f.drain(f.t0 + 5ms);
    REQUIRE(out.requests.size() == 1);
    CHECK(out.requests[0].first == 1);
    REQUIRE(out.requests[0].second.size() == 1);
    ProducerBatch& b = *out.requests[0].second[0];
    CHECK(b.record_count == 2);
    CHECK(b.partition == 0);
    CHECK(f.acc.incomplete() == 2);

    // The records are in the batch, as appended.
    Writer w;
    REQUIRE_FALSE(b.builder.finish_into(w));
    auto set = decode_records(w.buffer());
    REQUIRE(set);
    REQUIRE(set->batches.size() == 1);
    REQUIRE(set->batches[0].records.size() == 2);
    CHECK(set->batches[0].records[1].value == to_bytes("v2"));
    CHECK(set->batches[0].records[1].timestamp == 1000);
    f.done(out);
    CHECK(f.acc.incomplete() == 0);
    CHECK(f.acc.buffer_used() == 0);
}

TEST_CASE("accumulator: batch.size closes a batch, which goes without lingering") {
    Fixture f;
    f.topic(1);
    const std::string value(100, 'x');
    int appended = 0;
    while (f.drain(f.t0).requests.empty()) {
        REQUIRE_FALSE(f.add(0, value, f.t0).ec);
        ++appended;
        REQUIRE(appended < 100);
    }
    // About batch.size / record size records went into the first batch.
    CHECK(appended >= 8);
    CHECK(appended <= 10);
}

TEST_CASE("accumulator: linger 0 sends at once, flush sends without lingering") {
    auto o = Fixture::defaults();
    o.linger = 0ms;
    Fixture f(o);
    f.topic(1);
    REQUIRE_FALSE(f.add(0, "a", f.t0).ec);
    CHECK(Fixture::batches(f.drain(f.t0)) == 1);

    Fixture g;
    g.topic(1);
    REQUIRE_FALSE(g.add(0, "a", g.t0).ec);
    CHECK(g.drain(g.t0).requests.empty());
    g.acc.begin_flush();
    CHECK(Fixture::batches(g.drain(g.t0)) == 1);
    g.acc.end_flush();
}

TEST_CASE("accumulator: one request per leader carries many partitions") {
    auto o = Fixture::defaults();
    o.linger = 0ms;
    Fixture f(o);
    f.topic(6);  // partitions 0,2,4 on broker 1; 1,3,5 on broker 2
    for (int32_t p = 0; p < 6; ++p) REQUIRE_FALSE(f.add(p, "v", f.t0).ec);
    auto out = f.drain(f.t0);
    REQUIRE(out.requests.size() == 2);
    for (auto& [broker, batches] : out.requests) {
        CHECK(batches.size() == 3);
        for (auto& b : batches) CHECK(b->queue->leader == broker);
    }

    // A broker with no request slot left gets nothing; the other one does.
    Fixture g(o);
    g.topic(2);
    REQUIRE_FALSE(g.add(0, "v", g.t0).ec);
    REQUIRE_FALSE(g.add(1, "v", g.t0).ec);
    RecordAccumulator::DrainOut out2;
    g.acc.drain(g.t0, true, [](int32_t broker) { return broker == 1 ? 0 : 5; }, out2);
    REQUIRE(out2.requests.size() == 1);
    CHECK(out2.requests[0].first == 2);

    // The gate closed (no producer id yet): nothing at all.
    Fixture h(o);
    h.topic(1);
    REQUIRE_FALSE(h.add(0, "v", h.t0).ec);
    CHECK(h.drain(h.t0, false).requests.empty());
    CHECK(Fixture::batches(h.drain(h.t0, true)) == 1);
}

TEST_CASE("accumulator: max.request.size splits a broker's batches over requests") {
    auto o = Fixture::defaults();
    o.linger = 0ms;
    o.max_request_size = 1000;
    Fixture f(o);
    f.topic(4);
    const std::string value(500, 'x');
    // Partitions 0 and 2 are both on broker 1; each record takes a ~570-byte batch.
    for (int32_t p : {0, 2}) REQUIRE_FALSE(f.add(p, value, f.t0).ec);
    for (int32_t p : {0, 2}) REQUIRE_FALSE(f.add(p, value, f.t0).ec);
    auto out = f.drain(f.t0);
    // Two batches do not fit one request: four requests of one batch.
    REQUIRE(out.requests.size() == 4);
    for (auto& r : out.requests) CHECK(r.second.size() == 1);
    o.max_request_size = 1500;
    Fixture g(o);
    g.topic(4);
    for (int32_t p : {0, 2}) REQUIRE_FALSE(g.add(p, value, g.t0).ec);
    auto two = g.drain(g.t0);
    REQUIRE(two.requests.size() == 1);
    CHECK(two.requests[0].second.size() == 2);
    // A record bigger than a request is refused at once.
    CHECK(f.add(0, std::string(2000, 'y'), f.t0).ec == client_errc::record_too_large);
}

TEST_CASE("accumulator: several batches of a partition pipeline up to max.in.flight") {
    auto o = Fixture::defaults();
    o.linger = 0ms;
    o.batch_size = 200;
    o.max_in_flight = 2;
    Fixture f(o);
    f.topic(1);
    const std::string value(150, 'x');
    for (int i = 0; i < 4; ++i) REQUIRE_FALSE(f.add(0, value, f.t0).ec);  // 4 batches
    auto out = f.drain(f.t0);
    CHECK(out.requests.size() == 2);  // two requests, one batch each: the partition's limit
    CHECK(f.drain(f.t0).requests.empty());
    f.done(out);
    CHECK(f.drain(f.t0).requests.size() == 2);
}

TEST_CASE("accumulator: a retry goes first, alone, after its backoff") {
    auto o = Fixture::defaults();
    o.linger = 0ms;
    o.batch_size = 200;
    Fixture f(o);
    f.topic(1);
    const std::string value(150, 'x');
    REQUIRE_FALSE(f.add(0, value, f.t0).ec);
    auto first = f.drain(f.t0);
    REQUIRE(Fixture::batches(first) == 1);
    auto failed = std::move(first.requests[0].second[0]);
    const uint64_t order = failed->order;
    --failed->queue->in_flight;

    REQUIRE_FALSE(f.add(0, value, f.t0).ec);  // a newer batch, queued meanwhile
    failed->retry_at = f.t0 + 100ms;
    f.acc.reenqueue(std::move(failed));

    auto wait = f.drain(f.t0 + 50ms);
    CHECK(wait.requests.empty());  // the retry is first and blocks the newer one
    REQUIRE(wait.next_wakeup);
    CHECK(*wait.next_wakeup == f.t0 + 100ms);

    auto retry = f.drain(f.t0 + 100ms);
    REQUIRE(Fixture::batches(retry) == 1);
    CHECK(retry.requests[0].second[0]->order == order);
    // While the retry is in flight, nothing else of the partition goes.
    CHECK(f.drain(f.t0 + 100ms).requests.empty());
    for (auto& r : retry.requests)
        for (auto& b : r.second)
            if (b->is_retry) b->queue->retry_in_flight = false;
    f.done(retry);
    auto next = f.drain(f.t0 + 100ms);
    REQUIRE(Fixture::batches(next) == 1);
    CHECK(next.requests[0].second[0]->order == order + 1);
}

TEST_CASE("accumulator: batches past delivery.timeout.ms expire") {
    auto o = Fixture::defaults();
    o.delivery_timeout = 1000ms;
    Fixture f(o);
    f.topic(2);
    // Partition 1 has no leader: its batch waits, then expires.
    f.acc.update_topic("t", 2, {1, -1});
    REQUIRE_FALSE(f.add(1, "v", f.t0).ec);
    auto out = f.drain(f.t0 + 10ms);
    CHECK(out.requests.empty());
    CHECK(out.leader_unknown);
    CHECK(f.acc.topics_wanting_metadata() == std::vector<std::string>{"t"});
    auto later = f.drain(f.t0 + 1000ms);
    REQUIRE(later.expired.size() == 1);
    CHECK(later.expired[0]->partition == 1);
}

TEST_CASE("accumulator: records wait for their topic's metadata") {
    Fixture f;
    REQUIRE_FALSE(f.add(kAnyPartition, "early", f.t0, "new-topic").ec);
    CHECK(f.acc.partition_count("new-topic") == 0);
    CHECK(f.acc.incomplete() == 1);
    CHECK(f.acc.topics_wanting_metadata() == std::vector<std::string>{"new-topic"});
    auto pending = f.acc.update_topic("new-topic", 3, {1, 2, 1});
    REQUIRE(pending.size() == 1);
    auto res = f.acc.append_pending("new-topic", pending[0], pending[0].partition, f.t0);
    CHECK_FALSE(res.ec);
    CHECK(res.partition >= 0);
    CHECK(f.acc.incomplete() == 1);
    CHECK(f.acc.take_pending("new-topic").empty());
    CHECK(f.acc.partition_count("new-topic") == 3);

    // A topic that never comes: its records go stale after max.block.ms.
    auto o = Fixture::defaults();
    o.max_block = 100ms;
    Fixture g(o);
    REQUIRE_FALSE(g.add(kAnyPartition, "v", g.t0, "ghost").ec);
    CHECK(g.acc.take_stale_pending(g.t0 + 50ms).empty());
    auto stale = g.acc.take_stale_pending(g.t0 + 100ms);
    REQUIRE(stale.size() == 1);
    CHECK(stale[0].first == "ghost");
    g.acc.records_done(1);
    CHECK(g.acc.buffer_used() == 0);
}

TEST_CASE("accumulator: records sent while waiting ones are appended queue behind them") {
    Fixture f;
    REQUIRE_FALSE(f.add(0, "first", f.t0, "x").ec);
    auto pending = f.acc.update_topic("x", 1, {1});
    REQUIRE(pending.size() == 1);
    // Metadata is there, but "first" is not appended yet: "second" waits too.
    CHECK(f.acc.partition_count("x") == 0);
    CHECK(f.acc.known_partition_count("x") == 1);
    REQUIRE_FALSE(f.add(0, "second", f.t0, "x").ec);
    REQUIRE_FALSE(f.acc.append_pending("x", pending[0], 0, f.t0).ec);
    auto more = f.acc.take_pending("x");
    REQUIRE(more.size() == 1);
    REQUIRE_FALSE(f.acc.append_pending("x", more[0], 0, f.t0).ec);
    CHECK(f.acc.take_pending("x").empty());
    REQUIRE_FALSE(f.add(0, "third", f.t0, "x").ec);  // straight into the batch now
    auto out = f.drain(f.t0 + 5ms);
    REQUIRE(Fixture::batches(out) == 1);
    Writer w;
    REQUIRE_FALSE(out.requests[0].second[0]->builder.finish_into(w));
    auto set = decode_records(w.buffer());
    REQUIRE(set);
    REQUIRE(set->batches[0].records.size() == 3);
    CHECK(set->batches[0].records[0].value == to_bytes("first"));
    CHECK(set->batches[0].records[1].value == to_bytes("second"));
    CHECK(set->batches[0].records[2].value == to_bytes("third"));
}

TEST_CASE("accumulator: keyed records follow murmur2, explicit partitions are checked") {
    Fixture f;
    f.topic(1000);
    RecordView r("t", as_bytes("abc"), as_bytes("v"));
    DeliveryCallback none;
    CHECK(f.acc.append(r, kAnyPartition, 1, none, f.t0, false).partition == 107);
    CHECK(f.acc.append(r, 5, 1, none, f.t0, false).partition == 5);
    CHECK(f.acc.append(r, 1000, 1, none, f.t0, false).ec == errc::unknown_topic_or_partition);

    auto o = Fixture::defaults();
    o.ignore_keys = true;
    Fixture g(o);
    g.topic(1000);
    int32_t p1 = g.acc.append(r, kAnyPartition, 1, none, g.t0, false).partition;
    RecordView r2("t", as_bytes("other-key"), as_bytes("v"));
    CHECK(g.acc.append(r2, kAnyPartition, 1, none, g.t0, false).partition == p1);  // sticky, keys ignored
}

TEST_CASE("accumulator: buffer.memory runs out, then comes back") {
    auto o = Fixture::defaults();
    // A batch of batch.size 1000 counts as 1952 bytes: its buffer doubles
    // from the 61-byte header (61 << 5). Two fit, a third does not.
    o.buffer_memory = 4500;
    o.batch_size = 1000;
    Fixture f(o);
    f.topic(3);
    REQUIRE_FALSE(f.add(0, "a", f.t0).ec);
    REQUIRE_FALSE(f.add(1, "b", f.t0).ec);
    CHECK(f.add(2, "c", f.t0).ec == client_errc::buffer_full);
    CHECK(f.add(0, "a2", f.t0).partition == 0);  // fits the open batch: no memory needed
    auto out = f.drain(f.t0 + 5ms);
    f.done(out);
    CHECK(f.acc.buffer_used() == 0);
    CHECK_FALSE(f.add(2, "c", f.t0).ec);

    // Waiting for memory with max.block.ms: a bounded wait, then buffer_full.
    o.max_block = 20ms;
    Fixture g(o);
    g.topic(3);
    RecordView r("t", as_bytes("x"));
    DeliveryCallback none;
    REQUIRE_FALSE(g.acc.append(r, 0, 1, none, Clock::now(), true).ec);
    REQUIRE_FALSE(g.acc.append(r, 1, 1, none, Clock::now(), true).ec);
    const auto before = Clock::now();
    CHECK(g.acc.append(r, 2, 1, none, Clock::now(), true).ec == client_errc::buffer_full);
    CHECK(Clock::now() - before >= 15ms);
}

TEST_CASE("accumulator: closed takes no more, take_all hands everything back") {
    Fixture f;
    f.topic(2);
    REQUIRE_FALSE(f.add(0, "a", f.t0).ec);
    REQUIRE_FALSE(f.add(kAnyPartition, "b", f.t0, "unknown").ec);
    f.acc.close();
    CHECK(f.acc.closed());
    CHECK(f.add(0, "late", f.t0).ec == client_errc::shutting_down);
    std::vector<std::unique_ptr<ProducerBatch>> batches;
    std::vector<std::pair<std::string, PendingRecord>> pending;
    f.acc.take_all(batches, pending);
    CHECK(batches.size() == 1);
    CHECK(pending.size() == 1);
    CHECK(f.acc.wait_all_done(0ms) == false);
    f.acc.records_done(2);
    CHECK(f.acc.wait_all_done(0ms));
}
