// Internal: the consumer's shared state and its two threads.
//
//   application thread                 io thread (one io_context, one thread)
//   ------------------                 ----------------------------------------
//   poll(): runs rebalance callbacks,  Fetcher: one Fetch in flight per leader,
//     decodes chunks, hands records      sent again as soon as the answer's
//     out, moves positions               batch headers are scanned
//   commit/seek/pause/...: post work   GroupCoordinator: FindCoordinator, Join,
//     to the io thread, wait on a        Sync, heartbeats, commits, LeaveGroup
//     future when they must            positions: OffsetFetch, ListOffsets
//
// `mu_` guards everything both threads touch: the partitions, the queue of
// fetched chunks and events (ready_), the application tasks, and the
// prefetch accounting. Group and fetch-session state live on the io thread
// only. Callbacks to the application run on the polling thread only.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "client/consumer_config.hpp"
#include "client/consumer_records.hpp"
#include "client/consumer_types.hpp"
#include "net/cluster.hpp"

namespace kafka {

class Fetcher;
class GroupCoordinator;
using SteadyClock = std::chrono::steady_clock;

struct PartitionState {
    TopicPartition tp;
    std::shared_ptr<const std::string> topic;  // shared with the partition's chunks
    Uuid topic_id;

    // What the application has been given.
    int64_t position = -1;     // the next offset poll() returns; -1 unknown
    int64_t committable = -1;  // the position when poll() was last entered: what auto commit stores
    int64_t committed = -1;    // the last offset we committed (or read as committed)
    int32_t position_epoch = -1;

    enum class Phase : uint8_t {
        need_committed,  // ask the group for its committed offset
        need_reset,      // apply `reset` (auto.offset.reset or seek_to_*) with ListOffsets
        resetting,       // ListOffsets or OffsetFetch in flight
        fetching,
        failed,          // auto.offset.reset=none and nowhere to start: seek() to go on
    };
    Phase phase = Phase::need_committed;
    OffsetReset reset = OffsetReset::latest;
    int64_t fetch_offset = -1;  // the next offset to fetch (runs ahead of position)
    uint64_t epoch = 1;         // bumped whenever the position jumps: older chunks are dropped
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    bool paused = false;
    bool revoking = false;  // being given up: neither fetched nor returned
    bool assigned = true;   // false once dropped from the assignment
    bool in_flight = false;
    SteadyClock::time_point retry_at{};
    size_t buffered = 0;  // bytes fetched, not yet polled
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    bool eof_reported = false;
    int32_t max_bytes = 0;  // grows when one batch exceeds max.partition.fetch.bytes and the broker cut it

    bool fetchable() const { return assigned && !revoking && !paused && phase == Phase::fetching; }
};
using PartitionPtr = std::shared_ptr<PartitionState>;

// An item of the fetch queue: records of one partition, or an event that
// must come after them (partition EOF, a decode error).
struct ReadyItem {
    PartitionPtr partition;
    uint64_t epoch = 0;
    std::shared_ptr<detail::FetchedChunk> chunk;
    std::optional<ConsumerEvent> event;
};

// Work the polling thread must do: rebalance callbacks, commit callbacks.
struct AppTask {
    enum class Kind : uint8_t { assigned, revoked, lost, call };
    Kind kind = Kind::call;
    std::vector<TopicPartition> partitions;
    std::function<void()> call;      // Kind::call
    std::function<void()> on_done;   // run on the io thread afterwards
};

class ConsumerImpl {
public:
    ConsumerImpl(ConsumerConfig config);
    ~ConsumerImpl();

    // ---- application thread (consumer.cpp)
    void subscribe(std::vector<std::string> topics, RebalanceListener listener);
    void unsubscribe();
    void assign(const std::vector<TopicPartition>& partitions);
    std::vector<TopicPartition> assignment() const;
    std::vector<std::string> subscription() const;
    ConsumerRecords poll(std::chrono::milliseconds timeout);
    std::error_code commit_sync(std::optional<TopicPartitionOffsets> offsets, std::chrono::milliseconds timeout);
    void commit_async(std::optional<TopicPartitionOffsets> offsets,
                      std::function<void(std::error_code, const TopicPartitionOffsets&)> cb);
    Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> committed(
        const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout);
    std::error_code seek(const TopicPartition& tp, int64_t offset);
    std::error_code seek_to(const std::vector<TopicPartition>& partitions, OffsetReset where);
    Result<int64_t> position(const TopicPartition& tp, std::chrono::milliseconds timeout);
    std::error_code pause(const std::vector<TopicPartition>& partitions, bool paused);
    std::vector<TopicPartition> paused() const;
    Result<std::map<TopicPartition, int64_t>> list_offsets(const std::map<TopicPartition, int64_t>& timestamps,
                                                           std::chrono::milliseconds timeout,
                                                           std::map<TopicPartition, int64_t>* found_timestamps = nullptr);
    Result<std::map<TopicPartition, PartitionLag>> lag(std::vector<TopicPartition> partitions,
                                                       std::chrono::milliseconds timeout);
    Result<std::vector<int32_t>> partitions_for(const std::string& topic, std::chrono::milliseconds timeout);
    void close(std::chrono::milliseconds timeout);
    void wakeup();
    std::string member_id() const;
    int32_t generation() const;
    bool closed() const { return closed_; }

    // ---- shared with the io thread
    const ConsumerConfig& config() const { return config_; }
    asio::io_context& io() { return io_; }
    net::Cluster& cluster() { return *cluster_; }

    // Runs `f` on the io thread.
    template <class F>
    void post(F&& f) {
        asio::post(io_, std::forward<F>(f));
    }

    // (mu_ held by the caller)
    std::mutex& mutex() const { return mu_; }
    std::map<TopicPartition, PartitionPtr>& partitions() { return partitions_; }
    void push_ready_locked(ReadyItem item);
    void push_event_locked(ConsumerEvent ev);
    void push_task_locked(AppTask task);
    bool prefetch_full_locked() const { return buffered_total_ >= config_.queued_max_bytes; }
    PartitionPtr add_partition_locked(const TopicPartition& tp, PartitionState::Phase phase);
    void drop_partition_locked(const TopicPartition& tp);
    void notify() { cv_.notify_all(); }
    // Calls `ready` once, as soon as poll() would not wait: records, events
    // or callbacks are ready, wakeup(), close(), or `timeout` has passed.
    // `ready` runs with mu_ held, on any thread: it must only post.
    void when_ready(std::chrono::milliseconds timeout, net::UniqueFunction<void()> ready);
    // The last time the application entered poll (or is in it now).
    bool poll_overdue(SteadyClock::time_point now) const;
    std::shared_ptr<const std::string> intern_topic(const std::string& topic);

    Fetcher& fetcher() { return *fetcher_; }
    GroupCoordinator& group() { return *group_; }

private:
    void run_task(AppTask& task);
    void collect_locked(ConsumerRecords& out, std::unique_lock<std::mutex>& lock);
    void release_locked(ReadyItem& item);
    bool poll_would_return_locked() const {
        return !ready_.empty() || !tasks_.empty() || !events_.empty() || wakeup_.load() || closed_;
    }
    void fire_waiter_locked();
    // Blocks the application thread on work done by the io thread.
    template <class T>
    std::optional<T> wait_io(std::function<void(std::function<void(T)>)> start, std::chrono::milliseconds timeout);

    ConsumerConfig config_;
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    std::shared_ptr<net::Cluster> cluster_;
    std::unique_ptr<Fetcher> fetcher_;
    std::unique_ptr<GroupCoordinator> group_;
    std::thread thread_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<TopicPartition, PartitionPtr> partitions_;
    std::map<std::string, std::shared_ptr<const std::string>> topic_names_;
    std::deque<ReadyItem> ready_;
    std::deque<AppTask> tasks_;
    std::vector<ConsumerEvent> events_;
    size_t buffered_total_ = 0;
    bool manual_ = false;
    std::vector<std::string> subscription_;
    RebalanceListener listener_;
    std::atomic<int64_t> last_poll_ns_{0};
    std::atomic<bool> in_poll_{false};
    std::atomic<bool> wakeup_{false};
    bool closed_ = false;
    // A pending async_poll(): its completion, and the timer that ends its wait.
    net::UniqueFunction<void()> waiter_;
    std::shared_ptr<asio::steady_timer> waiter_timer_;
    std::atomic<bool> async_waiting_{false};
};

}  // namespace kafka
