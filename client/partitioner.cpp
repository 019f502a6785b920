#include "client/partitioner.hpp"

#include <algorithm>

#include "protocol/murmur2.hpp"

namespace kafka {

int32_t key_partition(ByteView key, int32_t partition_count) noexcept {
    return partition_for_key(key, partition_count);
}

StickyPartitioner::StickyPartitioner(size_t sticky_bytes, bool adaptive, uint32_t seed)
    : sticky_bytes_(std::max<size_t>(sticky_bytes, 1)), adaptive_(adaptive), rng_(seed == 0 ? 1 : seed) {}

int32_t StickyPartitioner::partition(const std::vector<int32_t>& queue_sizes) {
    const auto n = static_cast<int32_t>(queue_sizes.size());
    if (n <= 0) return kAnyPartition;
    if (current_ < 0 || current_ >= n || (queue_sizes[static_cast<size_t>(current_)] < 0 && n > 1)) {
        current_ = pick(queue_sizes);
        produced_ = 0;
    }
    return current_;
}

void StickyPartitioner::on_append(int32_t partition, size_t bytes, bool new_batch) {
    if (partition != current_) return;  // keyed or explicit records do not move the sticky choice
    produced_ += bytes;
    // At a batch boundary the switch costs nothing; in the middle of a batch
    // only when the partition has clearly had its share.
    if ((new_batch && produced_ >= sticky_bytes_) || produced_ >= 2 * sticky_bytes_) {
        current_ = kAnyPartition;  // the next record draws a new one
        produced_ = 0;
    }
}

int32_t StickyPartitioner::pick(const std::vector<int32_t>& queue_sizes) {
    const auto n = static_cast<int32_t>(queue_sizes.size());
    candidates_.clear();
    int32_t max_queue = 0;
    for (int32_t p = 0; p < n; ++p) {
        int32_t q = queue_sizes[static_cast<size_t>(p)];
        if (q < 0) continue;
        candidates_.push_back(p);
        max_queue = std::max(max_queue, q);
    }
    if (candidates_.empty()) {
        // No partition has a known leader: any will do, the record waits in its queue.
        return static_cast<int32_t>(rng_() % static_cast<uint32_t>(n));
    }
    if (!adaptive_ || candidates_.size() == 1) {
        return candidates_[rng_() % candidates_.size()];
    }
    // KIP-794: weight each candidate by how much shorter its queue is than the
    // longest one (+1 so that equal queues draw uniformly).
    cumulative_.clear();
    uint64_t total = 0;
    for (int32_t p : candidates_) {
        total += static_cast<uint64_t>(max_queue - queue_sizes[static_cast<size_t>(p)]) + 1;
        cumulative_.push_back(total);
    }
    uint64_t r = static_cast<uint64_t>(rng_()) % total;
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
    return candidates_[static_cast<size_t>(it - cumulative_.begin())];
}

}  // namespace kafka
