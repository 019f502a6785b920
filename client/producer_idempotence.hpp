// Idempotent producing (KIP-98, KIP-360): the producer id and epoch, and
// sequence arithmetic.
//
// Every batch of a partition carries the sequence number of its first record;
// the broker accepts a batch only when it follows the last one it wrote for
// (producer id, epoch, partition), answers DUPLICATE_SEQUENCE_NUMBER (or the
// original offset) for one it already has among the last five, and
// OUT_OF_ORDER_SEQUENCE_NUMBER for a gap. Sequences are int32 and wrap from
// INT32_MAX to 0. Bumping the epoch starts every partition again at 0.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "protocol/records.hpp"

namespace kafka {

// seq + n, wrapping from INT32_MAX to 0 as the broker does.
constexpr int32_t increment_sequence(int32_t seq, int32_t n) noexcept {
    return seq > INT32_MAX - n ? n - (INT32_MAX - seq) - 1 : seq + n;
}

// The sequence of the last record of a batch.
constexpr int32_t last_sequence(int32_t base_sequence, int32_t record_count) noexcept {
    return increment_sequence(base_sequence, record_count - 1);
}

struct ProducerIdAndEpoch {
    int64_t producer_id = kNoProducerId;
    int16_t epoch = kNoProducerEpoch;
    bool valid() const { return producer_id >= 0 && epoch >= 0; }
};

// InitProducerId v3+ can bump the epoch of an existing producer (KIP-360);
// older brokers can only hand out a new producer id.
constexpr int16_t kInitProducerIdBumpVersion = 3;

namespace detail {
struct PartitionQueue;
struct ProducerBatch;

// Gives a batch about to be sent for the first time the partition's next
// sequence (and moves the partition's counter on, wrapping).
void assign_sequence(PartitionQueue& q, ProducerBatch& b, ProducerIdAndEpoch pid);
// Takes back the sequence given to the last batch (it could not be encoded).
void unassign_sequence(PartitionQueue& q, ProducerBatch& b);
// After an epoch bump or a new producer id, with nothing in flight: the
// partition starts again at 0 and its queued batches that had sequences get
// new ones, in order, their encoded headers rewritten. Batches marked
// reset_victim move to `victims` when `take_victims`.
void resequence(PartitionQueue& q, ProducerIdAndEpoch pid, bool take_victims,
                std::vector<std::unique_ptr<ProducerBatch>>& victims);
}  // namespace detail

}  // namespace kafka
