#include "client/producer_idempotence.hpp"

#include "client/accumulator.hpp"

namespace kafka::detail {

void assign_sequence(PartitionQueue& q, ProducerBatch& b, ProducerIdAndEpoch pid) {
    b.producer_id = pid.producer_id;
    b.producer_epoch = pid.epoch;
    b.base_sequence = q.next_sequence;
    q.next_sequence = increment_sequence(q.next_sequence, b.record_count);
    q.unacked.push_back(&b);
}

void unassign_sequence(PartitionQueue& q, ProducerBatch& b) {
    if (!q.unacked.empty() && q.unacked.back() == &b) q.unacked.pop_back();
    q.next_sequence = b.base_sequence;
    b.base_sequence = kNoSequence;
}

void resequence(PartitionQueue& q, ProducerIdAndEpoch pid, bool take_victims,
                std::vector<std::unique_ptr<ProducerBatch>>& victims) {
    q.next_sequence = 0;
    q.unacked.clear();
    std::deque<std::unique_ptr<ProducerBatch>> keep;
    for (auto& b : q.batches) {
        if (b->has_sequence() && take_victims && b->reset_victim) {
            victims.push_back(std::move(b));
            continue;
        }
        if (b->has_sequence()) {
            b->reset_victim = false;
            assign_sequence(q, *b, pid);
            if (b->finished)
                set_batch_producer_state(b->wire.data(), b->wire.size(), b->producer_id, b->producer_epoch,
                                         b->base_sequence);
        }
        keep.push_back(std::move(b));
    }
    q.batches.swap(keep);
}

}  // namespace kafka::detail
