// The producer's record accumulator: per-partition queues of record batches.
//
// User threads append() under one mutex: the record is partitioned and
// encoded straight into its partition's open batch (RecordBatchBuilder), so
// its bytes are copied once, and nothing is allocated per record unless the
// record has a callback that does not fit inline. The sender (the producer's
// strand) drain()s the batches that are ready - full, lingered linger.ms,
// flushing, or due for retry - for partitions whose leader is known, and
// hands batches back with reenqueue() (retry, in their original order) or
// release() (done).
//
// Fields of PartitionQueue marked "sender" are only touched by the sender;
// the rest are guarded by the accumulator's mutex. Nothing here does I/O or
// reads a clock: callers pass `now`, so the tests drive time by hand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "client/partitioner.hpp"
#include "client/producer_types.hpp"
#include "protocol/records.hpp"

namespace kafka::detail {

using Clock = std::chrono::steady_clock;

struct TopicQueue;
struct PartitionQueue;

struct RecordCallback {
    int32_t index = 0;  // offset delta in the batch
    int64_t timestamp = kNoTimestamp;
    DeliveryCallback fn;
};

struct ProducerBatch {
    TopicQueue* topic = nullptr;
    PartitionQueue* queue = nullptr;
    int32_t partition = 0;
    uint64_t order = 0;  // creation order within the partition: retries keep it

    RecordBatchBuilder builder;  // the records, until the sender finishes the batch
    Bytes wire;                  // the finished batch as sent
    int32_t record_count = 0;
    size_t reserved = 0;  // bytes of buffer.memory held
    Clock::time_point created{};
    Clock::time_point retry_at{};
    int attempts = 0;       // times sent
    bool full = false;      // takes no more records
    bool finished = false;  // `wire` holds the batch
    bool drained = false;   // left its queue at least once (taken by the sender)
    bool is_retry = false;  // this send is a retry (the partition waits for it)

    // Idempotence (KIP-98): assigned when first sent, kept across retries.
    int64_t producer_id = kNoProducerId;
    int16_t producer_epoch = kNoProducerEpoch;
    int32_t base_sequence = kNoSequence;

    std::vector<RecordCallback> callbacks;  // records sent with a callback
    int32_t uncalled = 0;                   // records sent without one
    std::error_code last_error;             // the last retriable error, reported on expiry

    bool reset_victim = false;  // its error asked for the epoch bump (KIP-360)

    bool has_sequence() const { return base_sequence != kNoSequence; }
    Clock::time_point deadline(Clock::duration delivery_timeout) const { return created + delivery_timeout; }
};

struct PartitionQueue {
    int32_t partition = 0;
    std::deque<std::unique_ptr<ProducerBatch>> batches;  // oldest first; the back one may be open
    int32_t leader = -1;                                 // -1: unknown
    uint64_t next_order = 0;
    // At the last drain its first batch was ready but had to wait for a
    // request slot: a response will run the sender, appends need not wake it.
    bool gated = false;

    // sender
    int in_flight = 0;                             // batches of this partition in flight
    bool retry_in_flight = false;                  // one of them is a retry: nothing else goes
    int32_t next_sequence = 0;                     // idempotence: for the next new batch
    std::deque<ProducerBatch*> unacked;            // sequenced batches not yet acked, in order
};

// A record that arrived before its topic's partition count was known.
struct PendingRecord {
    int32_t partition = kAnyPartition;
    std::optional<Bytes> key;
    std::optional<Bytes> value;
    std::vector<RecordHeader> headers;
    int64_t timestamp = kNoTimestamp;
    DeliveryCallback callback;
    size_t size = 0;  // of buffer.memory
};

struct TopicQueue {
    explicit TopicQueue(std::string n, size_t sticky_bytes, bool adaptive)
        : name(std::move(n)), sticky(sticky_bytes, adaptive) {}
    std::string name;
    int32_t partition_count = 0;  // 0: no metadata yet
    std::vector<std::unique_ptr<PartitionQueue>> partitions;
    StickyPartitioner sticky;
    std::vector<int32_t> load;  // scratch for the sticky partitioner
    std::vector<PendingRecord> pending;
    Clock::time_point pending_since{};
    // Metadata came, but the records that waited for it are still being
    // appended: new records keep queueing behind them, so order is kept.
    bool draining = false;
    bool metadata_requested = false;
};

struct AccumulatorOptions {
    size_t batch_size = 16384;
    size_t buffer_memory = 33554432;
    size_t max_request_size = 1048576;
    Clock::duration linger = std::chrono::milliseconds(5);
    Clock::duration max_block = std::chrono::milliseconds(60000);
    Clock::duration delivery_timeout = std::chrono::milliseconds(120000);
    int max_in_flight = 5;  // per partition (and per connection, which the sender enforces)
    bool ignore_keys = false;
    bool adaptive = true;
};

class RecordAccumulator {
public:
    explicit RecordAccumulator(AccumulatorOptions options);
    ~RecordAccumulator();
    RecordAccumulator(const RecordAccumulator&) = delete;
    RecordAccumulator& operator=(const RecordAccumulator&) = delete;

    const AccumulatorOptions& options() const { return opt_; }

    // ---- user threads
    struct AppendResult {
        std::error_code ec;        // failed: `callback` was not consumed; complete it
        int32_t partition = -1;    // where it went; -1 while waiting for metadata
    };
    // `partition` is the record's own, or kAnyPartition. `may_block`: wait up
    // to max.block.ms for buffer.memory (never on the sender's thread). `now`
    // may be Clock::time_point{}: the clock is then read only when needed.
    AppendResult append(const RecordView& r, int32_t partition, int64_t timestamp, DeliveryCallback& callback,
                        Clock::time_point now, bool may_block);
    // The topic's partition count for a new record, 0 when not known yet (or
    // while records that waited for it are being appended).
    int32_t partition_count(std::string_view topic);
    // The partition count from metadata, for those waiting records.
    int32_t known_partition_count(std::string_view topic);

    // ---- sender
    // Metadata for a topic: partition count and each partition's leader (-1:
    // none). Returns the records that waited for it, for the caller to
    // append again (outside the lock, through the user's partitioner), then
    // to call take_pending() until it is empty: records sent meanwhile still
    // queue behind the waiting ones.
    std::vector<PendingRecord> update_topic(std::string_view topic, int32_t partition_count,
                                            const std::vector<int32_t>& leaders);
    std::vector<PendingRecord> take_pending(std::string_view topic);
    // Appends a record taken from update_topic(): never blocks, and may go
    // over buffer.memory by what the record already held. On failure the
    // record still counts as incomplete: fail its callback, then records_done(1).
    AppendResult append_pending(std::string_view topic, PendingRecord& rec, int32_t partition, Clock::time_point now);
    // Every topic seen so far.
    std::vector<std::string> topic_names();
    // Topics whose metadata is wanted: new ones and ones with a leaderless queue.
    std::vector<std::string> topics_wanting_metadata();
    // Pending records of topics that waited longer than max.block.ms, or of
    // `topic` when given (its metadata failed for good).
    std::vector<std::pair<std::string, PendingRecord>> take_stale_pending(Clock::time_point now,
                                                                          const std::string* topic = nullptr);

    struct DrainOut {
        // Per leader: the requests to send, each a list of batches (one per partition).
        std::vector<std::pair<int32_t, std::vector<std::unique_ptr<ProducerBatch>>>> requests;
        std::vector<std::unique_ptr<ProducerBatch>> expired;  // past delivery.timeout.ms
        std::optional<Clock::time_point> next_wakeup;         // when a waiting batch becomes ready
        bool leader_unknown = false;                          // some queue waits for metadata
        bool want_metadata = false;  // a topic has no partition count yet, or a queue no leader
        bool pending = false;        // records wait for a topic's metadata
        bool queued = false;         // batches remain queued
    };
    // Takes ready batches. `requests_allowed(broker)` says how many more
    // requests may go to a broker; `gate_open` is false while the producer
    // has no id or is bumping its epoch (nothing may be sent).
    template <class Allowed>
    void drain(Clock::time_point now, bool gate_open, Allowed requests_allowed, DrainOut& out);
    // Returns a batch that was drained, to be sent again after `retry_at`.
    // It goes before every later batch of its partition.
    void reenqueue(std::unique_ptr<ProducerBatch> batch);
    // Frees a batch whose records are all completed (callbacks already
    // called); `records_done` of them count as completed (see records_done()).
    void release(std::unique_ptr<ProducerBatch> batch, uint64_t records_done = 0);
    // The same for many batches at once (one lock), emptying `batches`.
    void release_all(std::vector<std::unique_ptr<ProducerBatch>>& batches, uint64_t records_done);
    // Completed records: wakes flush().
    void records_done(uint64_t n);
    // A builder whose batch is finished, emptied but with its capacity, for
    // the next new batch (so batch buffers are not allocated again and
    // again, and a batch in flight holds only its finished bytes).
    void recycle_builder(RecordBatchBuilder&& builder);
    void recycle_builders(std::vector<RecordBatchBuilder>& builders);  // empties `builders`

    // Every queued batch and pending record, to fail (close after its timeout).
    void take_all(std::vector<std::unique_ptr<ProducerBatch>>& batches,
                  std::vector<std::pair<std::string, PendingRecord>>& pending);
    // Calls f(PartitionQueue&) for every partition (sender; for the epoch bump).
    template <class F>
    void for_each_partition(F f);

    // ---- lifecycle
    void begin_flush();
    void end_flush();
    // Waits until every record appended so far is completed; false on timeout.
    bool wait_all_done(std::chrono::milliseconds timeout);
    // New appends fail with shutting_down.
    void close();
    bool closed() const;

    // Called (under the lock) when the sender should run: a batch filled, a
    // batch lingers less than the sender's timer, or memory is short.
    void set_waker(std::function<void()> waker);

    size_t buffer_used() const;
    uint64_t incomplete() const;
    uint64_t appended() const;  // records taken so far

private:
    using Lock = std::unique_lock<std::mutex>;
    // The lock is held for short stretches by the user threads and the
    // sender: spin on try_lock a little before sleeping in the kernel, which
    // costs a futex wake-up on both sides.
    Lock lock() const {
        Lock l(mu_, std::defer_lock);
        for (int i = 0; i < 64; ++i) {
            if (l.try_lock()) return l;
            spin_pause();
        }
        l.lock();
        return l;
    }
    static void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    TopicQueue& topic_locked(std::string_view name, bool& created);
    int32_t choose_partition_locked(TopicQueue& t, const RecordView& r, int32_t partition);
    std::unique_ptr<ProducerBatch> new_batch_locked(TopicQueue& t, PartitionQueue& q, Clock::time_point now);
    // Reserves `bytes` of buffer.memory, waiting when allowed; releases the
    // lock while waiting. False: buffer_full.
    bool reserve_locked(Lock& lock, size_t bytes, bool may_block, Clock::time_point now);
    AppendResult append_locked(Lock& lock, TopicQueue& t, int32_t partition, int64_t timestamp,
                               std::optional<ByteView> key, std::optional<ByteView> value,
                               const RecordHeader* headers, size_t header_count, DeliveryCallback& callback,
                               Clock::time_point now, bool may_block, bool force_memory);
    bool sendable_locked(const PartitionQueue& q, const ProducerBatch& front, Clock::time_point now,
                         std::optional<Clock::time_point>& wakeup) const;
    bool partition_gate_locked(const PartitionQueue& q, const ProducerBatch& front) const;
    void recycle_locked(std::unique_ptr<ProducerBatch> b);

    AccumulatorOptions opt_;
    mutable std::mutex mu_;
    std::condition_variable memory_cv_;
    std::condition_variable done_cv_;
    std::unordered_map<std::string_view, std::unique_ptr<TopicQueue>> topics_;
    std::vector<TopicQueue*> topic_list_;  // stable drain order
    TopicQueue* last_topic_ = nullptr;
    size_t used_ = 0;
    int memory_waiters_ = 0;
    uint64_t incomplete_ = 0;
    uint64_t appended_ = 0;
    int flushing_ = 0;
    bool closed_ = false;
    std::optional<Clock::time_point> next_wakeup_;  // the sender's timer, as drain() last set it
    std::function<void()> waker_;
    size_t drain_start_ = 0;  // rotates so that no partition always goes first
    std::vector<std::unique_ptr<ProducerBatch>> free_batches_;
    std::vector<RecordBatchBuilder> free_builders_;
};

// ---------------------------------------------------------------------------

template <class Allowed>
void RecordAccumulator::drain(Clock::time_point now, bool gate_open, Allowed requests_allowed, DrainOut& out) {
    Lock lock = this->lock();
    // Expire first: batches past delivery.timeout.ms never go out.
    for (TopicQueue* t : topic_list_) {
        if (t->partition_count == 0 || t->draining) out.want_metadata = true;
        if (!t->pending.empty()) out.pending = true;
        for (auto& qp : t->partitions) {
            auto& q = *qp;
            while (!q.batches.empty() && now >= q.batches.front()->deadline(opt_.delivery_timeout)) {
                out.expired.push_back(std::move(q.batches.front()));
                q.batches.pop_front();
            }
            if (!q.batches.empty()) {
                auto d = q.batches.front()->deadline(opt_.delivery_timeout);
                if (!out.next_wakeup || d < *out.next_wakeup) out.next_wakeup = d;
            }
        }
    }

    // Gather sendable partitions per leader, in a rotating order.
    struct Slot {
        int32_t broker;
        int allowed;
        size_t request_bytes;
        std::vector<std::unique_ptr<ProducerBatch>> batches;
    };
    std::vector<Slot> slots;  // few brokers: a vector beats a map
    auto slot_for = [&](int32_t broker) -> Slot* {
        for (auto& s : slots)
            if (s.broker == broker) return &s;
        int n = gate_open ? requests_allowed(broker) : 0;
        slots.push_back({broker, n, 0, {}});
        return &slots.back();
    };

    // Every partition, starting at a rotating index.
    std::vector<PartitionQueue*> order;
    for (TopicQueue* t : topic_list_)
        for (auto& qp : t->partitions) {
            qp->gated = false;
            if (!qp->batches.empty()) order.push_back(qp.get());
        }
    out.queued = !order.empty();
    if (order.empty()) {
        next_wakeup_ = out.next_wakeup;
        return;
    }
    const size_t start = drain_start_++ % order.size();

    bool progress = true;
    while (progress) {  // one request per broker per round; rounds while batches and slots remain
        progress = false;
        for (auto& s : slots) s.request_bytes = 0;
        for (size_t i = 0; i < order.size(); ++i) {
            PartitionQueue& q = *order[(start + i) % order.size()];
            if (q.batches.empty()) continue;
            ProducerBatch& front = *q.batches.front();
            if (q.leader < 0) {
                out.leader_unknown = true;
                out.want_metadata = true;
                continue;
            }
            if (!sendable_locked(q, front, now, out.next_wakeup)) continue;
            Slot* s = slot_for(q.leader);
            if (s->allowed <= 0 || !partition_gate_locked(q, front)) {
                q.gated = true;
                continue;
            }
            // One batch per partition per request (each partition is visited
            // once per round), up to max.request.size.
            size_t size = front.builder.estimated_size() + front.wire.size();
            if (s->request_bytes > 0 && s->request_bytes + size > opt_.max_request_size) continue;
            s->request_bytes += size;
            auto b = std::move(q.batches.front());
            q.batches.pop_front();
            b->full = true;
            b->is_retry = b->drained;
            b->drained = true;
            if (b->is_retry) q.retry_in_flight = true;
            ++q.in_flight;
            s->batches.push_back(std::move(b));
        }
        for (auto& s : slots) {
            if (s.batches.empty()) continue;
            out.requests.emplace_back(s.broker, std::move(s.batches));
            s.batches.clear();
            --s.allowed;
            progress = true;
        }
    }
    next_wakeup_ = out.next_wakeup;
}

template <class F>
void RecordAccumulator::for_each_partition(F f) {
    Lock lock = this->lock();
    for (TopicQueue* t : topic_list_)
        for (auto& qp : t->partitions) f(*qp);
}

}  // namespace kafka::detail
