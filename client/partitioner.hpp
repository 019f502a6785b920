// Which partition a record goes to.
//
//  - An explicit partition is honoured.
//  - A keyed record goes to toPositive(murmur2(key)) % partitions, bit for bit
//    as the Java client (and kafka-python's default partitioner) computes it.
//  - An unkeyed record (or any record with partitioner.ignore.keys=true) goes
//    to the topic's sticky partition (KIP-480): records stick to one partition
//    until about a batch's worth of bytes went there, so batches fill up, then
//    the next one is drawn at random among the partitions that have a leader.
//    With partitioner.adaptive.partitioning.enable (the default, KIP-794) the
//    draw favours partitions with shorter queues, so a slow broker gets less.
//  - A custom partitioner replaces all of the above (it may hand a record back
//    to the built-in one by returning kAnyPartition).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include "protocol/types.hpp"

namespace kafka {

// "No partition chosen": let the built-in partitioner decide.
inline constexpr int32_t kAnyPartition = -1;

// A user partitioner: returns a partition in [0, partition_count), or
// kAnyPartition for the built-in choice. It runs on the thread that calls
// send(), outside the producer's locks, and must not block.
using Partitioner = std::function<int32_t(std::string_view topic, const std::optional<ByteView>& key,
                                          const std::optional<ByteView>& value, int32_t partition_count)>;

// The Java client's keyed choice: toPositive(murmur2(key)) % partition_count.
int32_t key_partition(ByteView key, int32_t partition_count) noexcept;

// The sticky choice for one topic (KIP-480, KIP-794). Not thread-safe: the
// accumulator calls it under its lock.
class StickyPartitioner {
public:
    // `sticky_bytes` is batch.size.
    explicit StickyPartitioner(size_t sticky_bytes, bool adaptive = true, uint32_t seed = std::random_device{}());

    // The partition for the next unkeyed record. `queue_sizes[i]` is the
    // number of batches waiting for partition i, or -1 when it has no leader
    // (it is then skipped unless no partition has one).
    int32_t partition(const std::vector<int32_t>& queue_sizes);

    // Reports `bytes` appended to `partition`; `new_batch` when the record
    // started a batch (the previous one was full or sent). Switches when the
    // partition has had a batch's worth: at a batch boundary once sticky_bytes
    // went there, or in any case at twice that.
    void on_append(int32_t partition, size_t bytes, bool new_batch);

    // Forget the current choice (the partition count changed).
    void reset() { current_ = kAnyPartition; }
    int32_t current() const { return current_; }

private:
    int32_t pick(const std::vector<int32_t>& queue_sizes);

    size_t sticky_bytes_;
    bool adaptive_;
    int32_t current_ = kAnyPartition;
    size_t produced_ = 0;
    std::minstd_rand rng_;
    std::vector<uint64_t> cumulative_;  // scratch: weights of the candidates
    std::vector<int32_t> candidates_;
};

}  // namespace kafka
