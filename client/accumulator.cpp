#include "client/accumulator.hpp"

#include <algorithm>

#include "protocol/errors.hpp"

namespace kafka::detail {

namespace {
// `now` may be left unset (Clock::time_point{}) by callers on the hot path:
// the clock is then read only where time is needed (a new batch, a wait).
Clock::time_point resolve(Clock::time_point now) { return now == Clock::time_point{} ? Clock::now() : now; }

// What a batch of `bytes` really takes: its buffer starts at the 61-byte
// header and doubles as records are appended, so it ends up to twice the
// data. buffer.memory counts that, not just batch.size.
size_t buffer_bytes(size_t bytes) {
    size_t cap = kRecordBatchOverhead;
    while (cap < bytes) cap *= 2;
    return cap;
}

// Batch objects kept for reuse: their builders and wire buffers keep their
// capacity, so a steady stream allocates nothing per batch either.
constexpr size_t kFreeBatches = 64;
}  // namespace

RecordAccumulator::RecordAccumulator(AccumulatorOptions options) : opt_(options) {
    opt_.batch_size = std::max<size_t>(opt_.batch_size, 1);
    opt_.max_in_flight = std::max(opt_.max_in_flight, 1);
}

RecordAccumulator::~RecordAccumulator() = default;

void RecordAccumulator::set_waker(std::function<void()> waker) {
    Lock lock = this->lock();
    waker_ = std::move(waker);
}

TopicQueue& RecordAccumulator::topic_locked(std::string_view name, bool& created) {
    created = false;
    if (last_topic_ && last_topic_->name == name) return *last_topic_;
    auto it = topics_.find(name);
    if (it == topics_.end()) {
        auto t = std::make_unique<TopicQueue>(std::string(name), opt_.batch_size, opt_.adaptive);
        TopicQueue* raw = t.get();
        topics_.emplace(std::string_view(raw->name), std::move(t));
        topic_list_.push_back(raw);
        created = true;
        last_topic_ = raw;
        return *raw;
    }
    last_topic_ = it->second.get();
    return *last_topic_;
}

int32_t RecordAccumulator::partition_count(std::string_view topic) {
    Lock lock = this->lock();
    bool created = false;
    TopicQueue& t = topic_locked(topic, created);
    if (created && waker_) waker_();  // the sender fetches its metadata
    return t.draining ? 0 : t.partition_count;
}

int32_t RecordAccumulator::known_partition_count(std::string_view topic) {
    Lock lock = this->lock();
    bool created = false;
    return topic_locked(topic, created).partition_count;
}

int32_t RecordAccumulator::choose_partition_locked(TopicQueue& t, const RecordView& r, int32_t partition) {
    const int32_t n = t.partition_count;
    if (partition != kAnyPartition) return partition >= 0 && partition < n ? partition : -1;
    if (r.key && !opt_.ignore_keys) return key_partition(*r.key, n);
    int32_t current = t.sticky.current();
    if (current >= 0 && current < n && t.partitions[static_cast<size_t>(current)]->leader >= 0) return current;
    t.load.resize(static_cast<size_t>(n));
    for (int32_t p = 0; p < n; ++p) {
        const PartitionQueue& q = *t.partitions[static_cast<size_t>(p)];
        t.load[static_cast<size_t>(p)] = q.leader < 0 ? -1 : static_cast<int32_t>(q.batches.size());
    }
    return t.sticky.partition(t.load);
}

bool RecordAccumulator::reserve_locked(Lock& lock, size_t bytes, bool may_block, Clock::time_point now) {
    if (used_ + bytes <= opt_.buffer_memory) {
        used_ += bytes;
        return true;
    }
    if (!may_block || opt_.max_block.count() <= 0) return false;
    // Out of memory: everything queued becomes sendable (see sendable_locked)
    // so that memory comes back as soon as possible.
    ++memory_waiters_;
    if (waker_) waker_();
    const auto until = resolve(now) + opt_.max_block;
    bool ok = memory_cv_.wait_until(lock, until, [&] { return closed_ || used_ + bytes <= opt_.buffer_memory; });
    --memory_waiters_;
    if (!ok || closed_) return false;
    used_ += bytes;
    return true;
}

std::unique_ptr<ProducerBatch> RecordAccumulator::new_batch_locked(TopicQueue& t, PartitionQueue& q,
                                                                   Clock::time_point now) {
    std::unique_ptr<ProducerBatch> b;
    if (!free_batches_.empty()) {
        b = std::move(free_batches_.back());
        free_batches_.pop_back();
    } else {
        b = std::make_unique<ProducerBatch>();
    }
    if (!free_builders_.empty()) {
        b->builder = std::move(free_builders_.back());
        free_builders_.pop_back();
    }
    b->topic = &t;
    b->queue = &q;
    b->partition = q.partition;
    b->order = q.next_order++;
    b->created = now;
    return b;
}

RecordAccumulator::AppendResult RecordAccumulator::append(const RecordView& r, int32_t partition, int64_t timestamp,
                                                         DeliveryCallback& callback, Clock::time_point now,
                                                         bool may_block) {
    Lock lock = this->lock();
    if (closed_) return {make_error_code(client_errc::shutting_down), -1};
    bool created = false;
    TopicQueue& t = topic_locked(r.topic, created);
    if (t.partition_count == 0 || t.draining) {
        // No metadata yet: keep a copy until the sender learns the partition count.
        const size_t rec = RecordBatchBuilder::max_record_size(r.key ? r.key->size : 0, r.value ? r.value->size : 0,
                                                               r.headers, r.header_count);
        if (rec + kRecordBatchOverhead > opt_.max_request_size || rec + kRecordBatchOverhead > opt_.buffer_memory)
            return {make_error_code(client_errc::record_too_large), -1};
        const size_t size = rec + sizeof(PendingRecord);
        if (!reserve_locked(lock, size, may_block, now)) return {make_error_code(client_errc::buffer_full), -1};
        if ((t.partition_count == 0 || t.draining) && !closed_) {
            PendingRecord p;
            p.partition = partition;
            if (r.key) p.key = Bytes(r.key->begin(), r.key->end());
            if (r.value) p.value = Bytes(r.value->begin(), r.value->end());
            p.headers.assign(r.headers, r.headers + r.header_count);
            p.timestamp = timestamp;
            p.callback = std::move(callback);
            p.size = size;
            if (t.pending.empty()) t.pending_since = resolve(now);
            t.pending.push_back(std::move(p));
            ++incomplete_;
            ++appended_;
            if (!t.metadata_requested && waker_) waker_();
            return {{}, -1};
        }
        used_ -= size;  // the metadata came while we waited for memory
        if (closed_) return {make_error_code(client_errc::shutting_down), -1};
    }
    int32_t p = choose_partition_locked(t, r, partition);
    if (p < 0) return {make_error_code(errc::unknown_topic_or_partition), -1};
    return append_locked(lock, t, p, timestamp, r.key, r.value, r.headers, r.header_count, callback, now, may_block,
                         false);
}

RecordAccumulator::AppendResult RecordAccumulator::append_pending(std::string_view topic, PendingRecord& rec,
                                                                 int32_t partition, Clock::time_point now) {
    Lock lock = this->lock();
    used_ -= std::min(used_, rec.size);
    rec.size = 0;
    bool created = false;
    TopicQueue& t = topic_locked(topic, created);
    RecordView view;
    view.topic = topic;
    if (rec.key) view.key = ByteView(*rec.key);
    if (rec.value) view.value = ByteView(*rec.value);
    int32_t p = t.partition_count > 0 ? choose_partition_locked(t, view, partition) : -1;
    if (p < 0) return {make_error_code(errc::unknown_topic_or_partition), -1};
    --incomplete_;  // append_locked counts it again
    --appended_;
    auto res = append_locked(lock, t, p, rec.timestamp, view.key, view.value, rec.headers.data(), rec.headers.size(),
                             rec.callback, now, false, true);
    if (res.ec) {
        ++incomplete_;
        ++appended_;
    }
    return res;
}

RecordAccumulator::AppendResult RecordAccumulator::append_locked(Lock& lock, TopicQueue& t, int32_t p,
                                                                int64_t timestamp, std::optional<ByteView> key,
                                                                std::optional<ByteView> value,
                                                                const RecordHeader* headers, size_t header_count,
                                                                DeliveryCallback& callback, Clock::time_point now,
                                                                bool may_block, bool force_memory) {
    const size_t rec = RecordBatchBuilder::max_record_size(key ? key->size : 0, value ? value->size : 0, headers,
                                                           header_count);
    // Java's check: the serialized record must fit a request and the buffer.
    if (rec + kRecordBatchOverhead > opt_.max_request_size || rec + kRecordBatchOverhead > opt_.buffer_memory)
        return {make_error_code(client_errc::record_too_large), -1};

    PartitionQueue& q = *t.partitions[static_cast<size_t>(p)];
    ProducerBatch* b = q.batches.empty() ? nullptr : q.batches.back().get();
    auto fits = [&](const ProducerBatch* batch) {
        return batch && !batch->full && batch->builder.estimated_size() + rec <= opt_.batch_size;
    };
    bool new_batch = false;
    if (!fits(b)) {
        if (b && !b->full) {
            b->full = true;  // the next record does not fit: this one is ready
            if (waker_ && !q.gated) waker_();
        }
        now = resolve(now);
        const size_t need = buffer_bytes(std::max(opt_.batch_size, rec + kRecordBatchOverhead));
        if (force_memory) {
            used_ += need;
        } else if (!reserve_locked(lock, need, may_block, now)) {
            return {make_error_code(closed_ ? client_errc::shutting_down : client_errc::buffer_full), -1};
        }
        if (closed_ && !force_memory) {
            used_ -= need;
            return {make_error_code(client_errc::shutting_down), -1};
        }
        // Another thread may have opened a batch while this one waited.
        b = q.batches.empty() ? nullptr : q.batches.back().get();
        if (fits(b)) {
            used_ -= need;
        } else {
            auto nb = new_batch_locked(t, q, now);
            nb->reserved = need;
            q.batches.push_back(std::move(nb));
            b = q.batches.back().get();
            new_batch = true;
            // Wake the sender when this batch is due before its timer.
            const auto due = now + opt_.linger;
            if (!next_wakeup_ || due < *next_wakeup_) {
                next_wakeup_ = due;
                if (waker_) waker_();
            }
        }
    }

    const size_t before = b->builder.estimated_size();
    b->builder.append(timestamp, key, value, headers, header_count);
    const int32_t index = b->record_count++;
    if (callback) {
        b->callbacks.push_back({index, timestamp, std::move(callback)});
    } else {
        ++b->uncalled;
    }
    ++incomplete_;
    ++appended_;
    if (b->builder.estimated_size() >= opt_.batch_size) {
        b->full = true;
        if (waker_ && !q.gated) waker_();
    }
    t.sticky.on_append(p, b->builder.estimated_size() - before, new_batch);
    return {{}, p};
}

std::vector<PendingRecord> RecordAccumulator::update_topic(std::string_view topic, int32_t partition_count,
                                                           const std::vector<int32_t>& leaders) {
    Lock lock = this->lock();
    bool created = false;
    TopicQueue& t = topic_locked(topic, created);
    t.metadata_requested = false;
    if (partition_count <= 0) return {};
    if (partition_count != t.partition_count) t.sticky.reset();
    // Kafka never takes partitions away; keep queues for any we know.
    for (int32_t p = static_cast<int32_t>(t.partitions.size()); p < partition_count; ++p) {
        auto q = std::make_unique<PartitionQueue>();
        q->partition = p;
        t.partitions.push_back(std::move(q));
    }
    t.partition_count = std::max(t.partition_count, partition_count);
    for (size_t p = 0; p < t.partitions.size(); ++p)
        t.partitions[p]->leader = p < leaders.size() ? leaders[p] : -1;
    std::vector<PendingRecord> out;
    out.swap(t.pending);
    if (!out.empty()) t.draining = true;
    return out;
}

std::vector<PendingRecord> RecordAccumulator::take_pending(std::string_view topic) {
    Lock lock = this->lock();
    bool created = false;
    TopicQueue& t = topic_locked(topic, created);
    std::vector<PendingRecord> out;
    out.swap(t.pending);
    if (out.empty()) t.draining = false;
    return out;
}

std::vector<std::string> RecordAccumulator::topic_names() {
    Lock lock = this->lock();
    std::vector<std::string> out;
    for (TopicQueue* t : topic_list_) out.push_back(t->name);
    return out;
}

std::vector<std::string> RecordAccumulator::topics_wanting_metadata() {
    Lock lock = this->lock();
    std::vector<std::string> out;
    for (TopicQueue* t : topic_list_) {
        bool want = t->partition_count == 0;
        for (auto& q : t->partitions)
            if (!q->batches.empty() && q->leader < 0) want = true;
        if (want) {
            t->metadata_requested = true;
            out.push_back(t->name);
        }
    }
    return out;
}

std::vector<std::pair<std::string, PendingRecord>> RecordAccumulator::take_stale_pending(Clock::time_point now,
                                                                                         const std::string* topic) {
    Lock lock = this->lock();
    std::vector<std::pair<std::string, PendingRecord>> out;
    for (TopicQueue* t : topic_list_) {
        if (t->pending.empty()) continue;
        if (topic ? t->name != *topic : now - t->pending_since < opt_.max_block) continue;
        for (auto& p : t->pending) {
            used_ -= p.size;
            out.emplace_back(t->name, std::move(p));
        }
        t->pending.clear();
    }
    if (!out.empty() && memory_waiters_ > 0) memory_cv_.notify_all();
    return out;
}

bool RecordAccumulator::sendable_locked(const PartitionQueue& q, const ProducerBatch& front, Clock::time_point now,
                                        std::optional<Clock::time_point>& wakeup) const {
    auto wake_at = [&](Clock::time_point t) {
        if (!wakeup || t < *wakeup) wakeup = t;
    };
    if (front.drained) {  // a retry: after its backoff
        if (now < front.retry_at) {
            wake_at(front.retry_at);
            return false;
        }
        return true;
    }
    if (front.full || q.batches.size() > 1 || flushing_ > 0 || closed_ || memory_waiters_ > 0) return true;
    const auto ready_at = front.created + opt_.linger;
    if (now >= ready_at) return true;
    wake_at(ready_at);
    return false;
}

bool RecordAccumulator::partition_gate_locked(const PartitionQueue& q, const ProducerBatch& front) const {
    // A retry goes alone, so that batches land in their original order (and,
    // with idempotence, in sequence order).
    if (front.drained) return q.in_flight == 0;
    return !q.retry_in_flight && q.in_flight < opt_.max_in_flight;
}

void RecordAccumulator::reenqueue(std::unique_ptr<ProducerBatch> batch) {
    Lock lock = this->lock();
    PartitionQueue& q = *batch->queue;
    batch->full = true;
    auto it = q.batches.begin();
    while (it != q.batches.end() && (*it)->order < batch->order) ++it;
    q.batches.insert(it, std::move(batch));
}

void RecordAccumulator::release(std::unique_ptr<ProducerBatch> b, uint64_t records_done) {
    Lock lock = this->lock();
    if (records_done > 0) {
        incomplete_ -= std::min(incomplete_, records_done);
        if (incomplete_ == 0) done_cv_.notify_all();
    }
    used_ -= std::min(used_, b->reserved);
    if (memory_waiters_ > 0) memory_cv_.notify_all();
    recycle_locked(std::move(b));
}

void RecordAccumulator::recycle_locked(std::unique_ptr<ProducerBatch> b) {
    if (free_batches_.size() >= kFreeBatches || b->wire.capacity() > 4 * opt_.batch_size) return;
    b->builder.reset();
    b->wire.clear();
    b->record_count = 0;
    b->reserved = 0;
    b->retry_at = {};
    b->attempts = 0;
    b->full = b->finished = b->drained = b->is_retry = false;
    b->producer_id = kNoProducerId;
    b->producer_epoch = kNoProducerEpoch;
    b->base_sequence = kNoSequence;
    b->callbacks.clear();
    b->uncalled = 0;
    b->last_error = {};
    b->reset_victim = false;
    free_batches_.push_back(std::move(b));
}

void RecordAccumulator::recycle_builder(RecordBatchBuilder&& builder) {
    Lock lock = this->lock();
    if (free_builders_.size() < kFreeBatches) free_builders_.push_back(std::move(builder));
}

void RecordAccumulator::recycle_builders(std::vector<RecordBatchBuilder>& builders) {
    if (builders.empty()) return;
    Lock lock = this->lock();
    for (auto& b : builders) {
        if (free_builders_.size() >= kFreeBatches) break;
        free_builders_.push_back(std::move(b));
    }
    builders.clear();
}

void RecordAccumulator::release_all(std::vector<std::unique_ptr<ProducerBatch>>& batches, uint64_t records_done) {
    Lock lock = this->lock();
    if (records_done > 0) {
        incomplete_ -= std::min(incomplete_, records_done);
        if (incomplete_ == 0) done_cv_.notify_all();
    }
    for (auto& b : batches) {
        used_ -= std::min(used_, b->reserved);
        recycle_locked(std::move(b));
    }
    batches.clear();
    if (memory_waiters_ > 0) memory_cv_.notify_all();
}

void RecordAccumulator::records_done(uint64_t n) {
    Lock lock = this->lock();
    incomplete_ -= std::min(incomplete_, n);
    if (incomplete_ == 0) done_cv_.notify_all();
}

void RecordAccumulator::take_all(std::vector<std::unique_ptr<ProducerBatch>>& batches,
                                 std::vector<std::pair<std::string, PendingRecord>>& pending) {
    Lock lock = this->lock();
    for (TopicQueue* t : topic_list_) {
        for (auto& q : t->partitions) {
            for (auto& b : q->batches) batches.push_back(std::move(b));
            q->batches.clear();
        }
        for (auto& p : t->pending) {
            used_ -= p.size;
            pending.emplace_back(t->name, std::move(p));
        }
        t->pending.clear();
        t->draining = false;
    }
    if (memory_waiters_ > 0) memory_cv_.notify_all();
}

void RecordAccumulator::begin_flush() {
    Lock lock = this->lock();
    ++flushing_;
    if (waker_) waker_();
}

void RecordAccumulator::end_flush() {
    Lock lock = this->lock();
    --flushing_;
}

bool RecordAccumulator::wait_all_done(std::chrono::milliseconds timeout) {
    Lock lock = this->lock();
    if (timeout >= std::chrono::hours(24 * 365)) {  // "forever" (and no overflow converting it)
        done_cv_.wait(lock, [&] { return incomplete_ == 0; });
        return true;
    }
    return done_cv_.wait_for(lock, timeout, [&] { return incomplete_ == 0; });
}

void RecordAccumulator::close() {
    Lock lock = this->lock();
    closed_ = true;
    memory_cv_.notify_all();
    if (waker_) waker_();
}

bool RecordAccumulator::closed() const {
    Lock lock = this->lock();
    return closed_;
}

size_t RecordAccumulator::buffer_used() const {
    Lock lock = this->lock();
    return used_;
}

uint64_t RecordAccumulator::appended() const {
    Lock lock = this->lock();
    return appended_;
}

uint64_t RecordAccumulator::incomplete() const {
    Lock lock = this->lock();
    return incomplete_;
}

}  // namespace kafka::detail
