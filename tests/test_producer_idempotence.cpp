// Idempotent producing: sequence numbers, their wrap, and re-sequencing after
// an epoch bump.
#include <doctest/doctest.h>

#include <ostream>

#include "client/accumulator.hpp"
#include "client/producer_idempotence.hpp"

using namespace kafka;
using namespace kafka::detail;

TEST_CASE("idempotence: sequences wrap from INT32_MAX to 0") {
    CHECK(increment_sequence(0, 1) == 1);
    CHECK(increment_sequence(10, 5) == 15);
    CHECK(increment_sequence(INT32_MAX, 1) == 0);
    CHECK(increment_sequence(INT32_MAX - 1, 5) == 3);
    CHECK(increment_sequence(INT32_MAX - 4, 5) == 0);
    CHECK(increment_sequence(INT32_MAX - 5, 5) == INT32_MAX);
    CHECK(last_sequence(0, 1) == 0);
    CHECK(last_sequence(INT32_MAX, 2) == 0);
    CHECK(last_sequence(INT32_MAX - 2, 3) == INT32_MAX);
}

namespace {

std::unique_ptr<ProducerBatch> batch(PartitionQueue& q, int32_t records) {
    auto b = std::make_unique<ProducerBatch>();
    b->queue = &q;
    b->order = q.next_order++;
    for (int32_t i = 0; i < records; ++i) b->builder.append(1000 + i, std::nullopt, ByteView(std::string("v")));
    b->record_count = records;
    return b;
}

void finish(ProducerBatch& b) {
    b.builder.set_producer(b.producer_id, b.producer_epoch, b.base_sequence);
    Writer w;
    REQUIRE_FALSE(b.builder.finish_into(w));
    b.wire = w.take();
    b.finished = true;
}

RecordBatch header(const ProducerBatch& b) {
    DecodeOptions o;
    o.headers_only = true;
    auto set = decode_records(b.wire, o);
    REQUIRE(set);
    REQUIRE(set->batches.size() == 1);
    return set->batches[0];
}

}  // namespace

TEST_CASE("idempotence: each new batch takes the partition's next sequence, wrapping") {
    PartitionQueue q;
    q.next_sequence = INT32_MAX - 2;
    ProducerIdAndEpoch pid{77, 3};
    auto b1 = batch(q, 2);
    auto b2 = batch(q, 5);
    assign_sequence(q, *b1, pid);
    assign_sequence(q, *b2, pid);
    CHECK(b1->base_sequence == INT32_MAX - 2);
    CHECK(b2->base_sequence == INT32_MAX);
    CHECK(q.next_sequence == 4);  // INT32_MAX, 0, 1, 2, 3 went to b2
    CHECK(q.unacked.size() == 2);
    finish(*b2);
    RecordBatch h = header(*b2);
    CHECK(h.producer_id == 77);
    CHECK(h.producer_epoch == 3);
    CHECK(h.base_sequence == INT32_MAX);

    // A batch that could not be encoded gives its sequence back.
    auto b3 = batch(q, 1);
    assign_sequence(q, *b3, pid);
    CHECK(q.next_sequence == 5);
    unassign_sequence(q, *b3);
    CHECK(q.next_sequence == 4);
    CHECK(b3->base_sequence == kNoSequence);
    CHECK(q.unacked.size() == 2);
}

TEST_CASE("idempotence: after an epoch bump, queued batches are renumbered from 0 in order") {
    PartitionQueue q;
    ProducerIdAndEpoch old{5, 0};
    q.next_sequence = 100;
    auto a = batch(q, 3);
    auto b = batch(q, 4);
    auto fresh = batch(q, 2);  // never sent: no sequence yet
    assign_sequence(q, *a, old);
    assign_sequence(q, *b, old);
    finish(*a);
    finish(*b);
    b->reset_victim = true;
    q.batches.push_back(std::move(a));
    q.batches.push_back(std::move(b));
    q.batches.push_back(std::move(fresh));

    std::vector<std::unique_ptr<ProducerBatch>> victims;
    ProducerIdAndEpoch bumped{5, 1};
    resequence(q, bumped, false, victims);
    CHECK(victims.empty());
    REQUIRE(q.batches.size() == 3);
    CHECK(q.batches[0]->base_sequence == 0);
    CHECK(q.batches[1]->base_sequence == 3);
    CHECK_FALSE(q.batches[2]->has_sequence());
    CHECK(q.next_sequence == 7);
    CHECK(q.unacked.size() == 2);
    RecordBatch h = header(*q.batches[1]);  // the encoded header was rewritten, CRC included
    CHECK(h.producer_epoch == 1);
    CHECK(h.base_sequence == 3);
    CHECK(h.crc_ok);

    // Without KIP-360 the batches that asked for the reset fail instead.
    PartitionQueue r;
    auto v = batch(r, 1);
    assign_sequence(r, *v, old);
    v->reset_victim = true;
    r.batches.push_back(std::move(v));
    resequence(r, ProducerIdAndEpoch{6, 0}, true, victims);
    CHECK(victims.size() == 1);
    CHECK(r.batches.empty());
    CHECK(r.next_sequence == 0);
}
