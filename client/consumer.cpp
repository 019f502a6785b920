// ConsumerImpl, the application thread's side: poll, rebalance callbacks,
// commits, positions. The io thread's side is in fetcher.cpp and
// group_coordinator.cpp; the Consumer facade is in consumer_api.cpp.
#include <algorithm>
#include <set>
#include <stdexcept>

#include "client/consumer.hpp"
#include "client/consumer_errors.hpp"
#include "client/consumer_impl.hpp"
#include "client/fetcher.hpp"
#include "client/group_coordinator.hpp"
#include "client/offsets.hpp"
#include "protocol/messages/list_offsets.hpp"

namespace kafka {

ConsumerRecords::~ConsumerRecords() = default;

namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// Runs `f` when it goes out of scope (rebalance callbacks may throw; the io
// thread must still hear that the application is done).
template <class F>
struct Finally {
    F f;
    ~Finally() { f(); }
};
template <class F>
Finally(F) -> Finally<F>;

}  // namespace

ConsumerImpl::ConsumerImpl(ConsumerConfig config) : config_(std::move(config)) {
    work_.emplace(io_.get_executor());
    cluster_ = net::Cluster::create(io_.get_executor(), config_.net);
    fetcher_ = std::make_unique<Fetcher>(*this);
    group_ = std::make_unique<GroupCoordinator>(*this);
    last_poll_ns_ = now_ns();
    thread_ = std::thread([this] { io_.run(); });
    post([this] {
        cluster_->async_bootstrap([this](std::error_code ec) {
            if (!ec) return fetcher_->kick();
            ConsumerEvent ev;
            ev.error = ec;
            ev.message = "cannot reach any bootstrap server: " + ec.message() + " (still trying)";
            std::lock_guard<std::mutex> lock(mu_);
            push_event_locked(std::move(ev));
        });
        fetcher_->start();
        group_->start();
    });
}

ConsumerImpl::~ConsumerImpl() {
    close(config_.default_api_timeout);
    if (thread_.joinable()) thread_.join();
}

template <class T>
std::optional<T> ConsumerImpl::wait_io(std::function<void(std::function<void(T)>)> start,
                                       std::chrono::milliseconds timeout) {
    struct Shared {
        std::promise<T> promise;
        std::atomic<bool> set{false};
    };
    auto shared = std::make_shared<Shared>();
    auto future = shared->promise.get_future();
    post([start = std::move(start), shared] {
        start([shared](T v) {
            if (!shared->set.exchange(true)) shared->promise.set_value(std::move(v));
        });
    });
    if (future.wait_for(timeout) != std::future_status::ready) return std::nullopt;
    return future.get();
}

// ---- shared state (mu_ held) --------------------------------------------------------

std::shared_ptr<const std::string> ConsumerImpl::intern_topic(const std::string& topic) {
    auto& slot = topic_names_[topic];
    if (!slot) slot = std::make_shared<const std::string>(topic);
    return slot;
}

PartitionPtr ConsumerImpl::add_partition_locked(const TopicPartition& tp, PartitionState::Phase phase) {
    auto it = partitions_.find(tp);
    if (it != partitions_.end() && it->second->assigned) {
        it->second->revoking = false;
        return it->second;
    }
    auto p = std::make_shared<PartitionState>();
    p->tp = tp;
    p->topic = intern_topic(tp.topic);
    p->phase = phase;
    p->reset = config_.auto_offset_reset;
    partitions_[tp] = p;
    return p;
}

void ConsumerImpl::drop_partition_locked(const TopicPartition& tp) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) return;
    it->second->assigned = false;
    partitions_.erase(it);
}

void ConsumerImpl::push_ready_locked(ReadyItem item) {
    if (item.chunk) {
        buffered_total_ += item.chunk->accounted_bytes;
        item.partition->buffered += item.chunk->accounted_bytes;
    }
    ready_.push_back(std::move(item));
    fire_waiter_locked();
}

void ConsumerImpl::push_event_locked(ConsumerEvent ev) {
    events_.push_back(std::move(ev));
    cv_.notify_all();
    fire_waiter_locked();
}

void ConsumerImpl::push_task_locked(AppTask task) {
    tasks_.push_back(std::move(task));
    cv_.notify_all();
    fire_waiter_locked();
}

void ConsumerImpl::release_locked(ReadyItem& item) {
    if (!item.chunk) return;
    bool was_full = prefetch_full_locked();
    buffered_total_ -= item.chunk->accounted_bytes;
    item.partition->buffered -= item.chunk->accounted_bytes;
    item.chunk->accounted_bytes = 0;
    if (was_full && !prefetch_full_locked()) post([this] { fetcher_->kick(); });
}

bool ConsumerImpl::poll_overdue(SteadyClock::time_point now) const {
    if (in_poll_) return false;
    auto last = SteadyClock::time_point(std::chrono::nanoseconds(last_poll_ns_.load()));
    return now - last > config_.max_poll_interval;
}

// ---- subscribing and assigning ------------------------------------------------------

void ConsumerImpl::subscribe(std::vector<std::string> topics, RebalanceListener listener) {
    if (manual_) throw std::logic_error("subscribe() after assign(): call unsubscribe() first");
    if (config_.group_id.empty()) throw ConfigError("subscribe() needs group.id");
    if (topics.empty()) return unsubscribe();
    listener_ = std::move(listener);
    {
        std::lock_guard<std::mutex> lock(mu_);
        subscription_ = topics;
    }
    post([this, topics = std::move(topics)]() mutable { group_->subscribe(std::move(topics)); });
}

void ConsumerImpl::unsubscribe() {
    if (closed_) return;
    bool in_group = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        in_group = !subscription_.empty();
    }
    if (in_group) {
        auto parts = assignment();
        if (config_.enable_auto_commit && !parts.empty()) commit_sync(std::nullopt, config_.default_api_timeout);
        if (listener_.on_revoked && !parts.empty()) listener_.on_revoked(parts);
        wait_io<bool>([this](std::function<void(bool)> done) { group_->leave(true, [done] { done(true); }); },
                      config_.default_api_timeout);
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [tp, p] : partitions_) p->assigned = false;
    partitions_.clear();
    subscription_.clear();
    manual_ = false;
}

void ConsumerImpl::assign(const std::vector<TopicPartition>& parts) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!subscription_.empty()) throw std::logic_error("assign() while subscribed: call unsubscribe() first");
        manual_ = !parts.empty();
        std::set<TopicPartition> want(parts.begin(), parts.end());
        std::vector<TopicPartition> gone;
        for (const auto& [tp, p] : partitions_)
            if (!want.count(tp)) gone.push_back(tp);
        for (const auto& tp : gone) drop_partition_locked(tp);
        for (const auto& tp : want) add_partition_locked(tp, PartitionState::Phase::need_committed);
    }
    post([this] { fetcher_->kick(); });
}

std::vector<TopicPartition> ConsumerImpl::assignment() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<TopicPartition> out;
    for (const auto& [tp, p] : partitions_)
        if (p->assigned && !p->revoking) out.push_back(tp);
    return out;
}

std::vector<std::string> ConsumerImpl::subscription() const {
    std::lock_guard<std::mutex> lock(mu_);
    return subscription_;
}

// ---- polling -------------------------------------------------------------------------

void ConsumerImpl::run_task(AppTask& task) {
    Finally done{[&] {
        if (task.on_done) post(std::move(task.on_done));
    }};
    switch (task.kind) {
        case AppTask::Kind::assigned:
            if (listener_.on_assigned) listener_.on_assigned(task.partitions);
            break;
        case AppTask::Kind::revoked:
        case AppTask::Kind::lost: {
            bool lost = task.kind == AppTask::Kind::lost;
            // Revoked (not lost) partitions keep what was consumed: commit first.
            if (!lost && config_.enable_auto_commit && !task.partitions.empty()) {
                TopicPartitionOffsets offsets;
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    for (const auto& tp : task.partitions) {
                        auto it = partitions_.find(tp);
                        if (it != partitions_.end() && it->second->position >= 0)
                            offsets[tp] = OffsetAndMetadata{it->second->position, "", it->second->position_epoch};
                    }
                }
                if (!offsets.empty()) commit_sync(std::move(offsets), config_.default_api_timeout);
            }
            // Dropped before the callback: a throwing callback still gives them back.
            Finally drop{[&] {
                std::lock_guard<std::mutex> lock(mu_);
                for (const auto& tp : task.partitions) drop_partition_locked(tp);
            }};
            auto& cb = lost && listener_.on_lost ? listener_.on_lost : listener_.on_revoked;
            if (cb && !task.partitions.empty()) cb(task.partitions);
            break;
        }
        case AppTask::Kind::call:
            if (task.call) task.call();
            break;
    }
}

void ConsumerImpl::collect_locked(ConsumerRecords& out, std::unique_lock<std::mutex>& lock) {
    const size_t max = static_cast<size_t>(config_.max_poll_records);
    while (out.count_ < max && !ready_.empty()) {
        ReadyItem& item = ready_.front();
        PartitionState& p = *item.partition;
        auto stale = [&] { return !p.assigned || p.revoking || p.epoch != item.epoch || p.paused; };
        if (stale()) {
            release_locked(item);
            ready_.pop_front();
            continue;
        }
        if (item.event) {
            out.events_.push_back(std::move(*item.event));
            ready_.pop_front();
            continue;
        }
        auto chunk = item.chunk;
        if (!chunk->decoded) {
            // Decoding needs no lock: only this thread touches a queued chunk.
            lock.unlock();
            detail::decode_chunk(*chunk);
            lock.lock();
            if (stale()) {
                release_locked(item);
                ready_.pop_front();
                continue;
            }
            if (chunk->error) {
                ConsumerEvent ev;
                ev.partition = p.tp;
                ev.offset = chunk->error_offset;
                ev.error = chunk->error;
                ev.message = "record batch at offset " + std::to_string(chunk->error_offset) + " of " +
                             p.tp.to_string() + " skipped: " + chunk->error.message();
                out.events_.push_back(std::move(ev));
            }
        }
        size_t avail = chunk->records.size() - chunk->consumed;
        size_t take = std::min(avail, max - out.count_);
        if (take > 0) {
            const ConsumerRecord* first = chunk->records.data() + chunk->consumed;
            out.segments_.push_back({first, first + take});
            if (out.chunks_.empty() || out.chunks_.back() != chunk) out.chunks_.push_back(chunk);
            out.count_ += take;
            chunk->consumed += take;
            const ConsumerRecord& last = chunk->records[chunk->consumed - 1];
            p.position = last.offset() + 1;
            p.position_epoch = last.leader_epoch();
        }
        if (chunk->consumed == chunk->records.size()) {
            // Control records, aborted transactions and skipped batches move the position too.
            p.position = std::max(p.position, chunk->next_offset);
            release_locked(item);
            ready_.pop_front();
        }
    }
}

ConsumerRecords ConsumerImpl::poll(std::chrono::milliseconds timeout) {
    ConsumerRecords out;
    if (closed_) return out;
    auto deadline = SteadyClock::now() + timeout;
    last_poll_ns_ = now_ns();
    in_poll_ = true;
    Finally leave_poll{[this] {
        last_poll_ns_ = now_ns();
        in_poll_ = false;
    }};
    std::unique_lock<std::mutex> lock(mu_);
    // Records returned before this call count as processed: auto commit may store them.
    for (auto& [tp, p] : partitions_)
        if (p->position >= 0 && !p->revoking) p->committable = p->position;
    while (true) {
        while (!tasks_.empty()) {
            AppTask task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            {
                // Callbacks may throw: take the lock back either way.
                Finally relock{[&] { lock.lock(); }};
                run_task(task);
            }
        }
        collect_locked(out, lock);
        for (auto& ev : events_) out.events_.push_back(std::move(ev));
        events_.clear();
        if (!out.empty() || !out.events_.empty()) break;
        if (wakeup_.exchange(false) || closed_) break;
        if (SteadyClock::now() >= deadline) break;
        cv_.wait_until(lock, deadline, [&] { return poll_would_return_locked(); });
    }
    return out;
}

void ConsumerImpl::wakeup() {
    wakeup_ = true;
    cv_.notify_all();
    // No lock here: wakeup() is called from signal handlers (kcli). A pending
    // async_poll() is completed from the io thread.
    if (async_waiting_) post([this] {
        std::lock_guard<std::mutex> lock(mu_);
        if (wakeup_) fire_waiter_locked();
    });
}

void ConsumerImpl::when_ready(std::chrono::milliseconds timeout, net::UniqueFunction<void()> ready) {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiter_) throw std::logic_error("async_poll: another poll is in progress");
    last_poll_ns_ = now_ns();
    in_poll_ = true;  // waiting for records counts as polling (max.poll.interval.ms)
    waiter_ = std::move(ready);
    async_waiting_ = true;
    if (poll_would_return_locked() || timeout <= std::chrono::milliseconds(0)) return fire_waiter_locked();
    auto timer = std::make_shared<asio::steady_timer>(io_, timeout);
    waiter_timer_ = timer;
    timer->async_wait([this, timer](std::error_code ec) {
        if (ec) return;
        std::lock_guard<std::mutex> timer_lock(mu_);
        if (waiter_timer_ == timer) fire_waiter_locked();
    });
}

void ConsumerImpl::fire_waiter_locked() {
    if (!waiter_) return;
    auto ready = std::move(waiter_);
    waiter_ = nullptr;
    async_waiting_ = false;
    if (auto timer = std::move(waiter_timer_)) post([timer] { timer->cancel(); });
    waiter_timer_.reset();
    ready();
}

// ---- committing ------------------------------------------------------------------------

std::error_code ConsumerImpl::commit_sync(std::optional<TopicPartitionOffsets> offsets,
                                          std::chrono::milliseconds timeout) {
    if (config_.group_id.empty()) return client_errc::invalid_config;
    if (!offsets) {
        offsets.emplace();
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& [tp, p] : partitions_)
            if (p->assigned && !p->revoking && p->position >= 0)
                (*offsets)[tp] = OffsetAndMetadata{p->position, "", p->position_epoch};
    }
    if (offsets->empty()) return {};
    auto r = wait_io<std::error_code>(
        [this, offsets = std::move(*offsets)](std::function<void(std::error_code)> done) mutable {
            group_->commit(std::move(offsets), std::move(done));
        },
        timeout);
    return r ? *r : make_error_code(client_errc::timed_out);
}

void ConsumerImpl::commit_async(std::optional<TopicPartitionOffsets> offsets,
                                std::function<void(std::error_code, const TopicPartitionOffsets&)> cb) {
    if (!offsets) {
        offsets.emplace();
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& [tp, p] : partitions_)
            if (p->assigned && !p->revoking && p->position >= 0)
                (*offsets)[tp] = OffsetAndMetadata{p->position, "", p->position_epoch};
    }
    auto shared = std::make_shared<TopicPartitionOffsets>(std::move(*offsets));
    post([this, shared, cb = std::move(cb)]() mutable {
        group_->commit(*shared, [this, shared, cb = std::move(cb)](std::error_code ec) mutable {
            if (!cb) return;
            AppTask task;
            task.call = [cb = std::move(cb), ec, shared] { cb(ec, *shared); };
            std::lock_guard<std::mutex> lock(mu_);
            push_task_locked(std::move(task));
        });
    });
}

Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> ConsumerImpl::committed(
    const std::vector<TopicPartition>& parts, std::chrono::milliseconds timeout) {
    using Answer = std::pair<std::error_code, std::map<TopicPartition, OffsetAndMetadata>>;
    auto r = wait_io<Answer>(
        [this, parts](std::function<void(Answer)> done) {
            group_->fetch_committed(parts, [done](std::error_code ec, std::map<TopicPartition, OffsetAndMetadata> m) {
                done(Answer{ec, std::move(m)});
            });
        },
        timeout);
    if (!r) return client_errc::timed_out;
    if (r->first) return r->first;
    std::map<TopicPartition, std::optional<OffsetAndMetadata>> out;
    for (const auto& tp : parts) {
        auto it = r->second.find(tp);
        if (it != r->second.end() && it->second.offset >= 0) out[tp] = it->second;
        else out[tp] = std::nullopt;
    }
    return out;
}

// ---- positions ------------------------------------------------------------------------

std::error_code ConsumerImpl::seek(const TopicPartition& tp, int64_t offset) {
    if (offset < 0) return client_errc::invalid_argument;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = partitions_.find(tp);
        if (it == partitions_.end() || !it->second->assigned) return client_errc::not_assigned;
        PartitionState& p = *it->second;
        p.position = p.fetch_offset = offset;
        p.position_epoch = -1;
        p.phase = PartitionState::Phase::fetching;
        p.eof_reported = false;
        p.retry_at = {};
        p.max_bytes = 0;
        ++p.epoch;
    }
    post([this] { fetcher_->kick(); });
    return {};
}

std::error_code ConsumerImpl::seek_to(const std::vector<TopicPartition>& parts, OffsetReset where) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        std::vector<TopicPartition> all = parts;
        if (all.empty())
            for (const auto& [tp, p] : partitions_) all.push_back(tp);
        for (const auto& tp : all) {
            auto it = partitions_.find(tp);
            if (it == partitions_.end() || !it->second->assigned) return client_errc::not_assigned;
        }
        for (const auto& tp : all) {
            PartitionState& p = *partitions_[tp];
            p.phase = PartitionState::Phase::need_reset;
            p.reset = where;
            p.position = -1;
            p.retry_at = {};
            p.eof_reported = false;
            ++p.epoch;
        }
    }
    post([this] { fetcher_->kick(); });
    return {};
}

Result<int64_t> ConsumerImpl::position(const TopicPartition& tp, std::chrono::milliseconds timeout) {
    auto deadline = SteadyClock::now() + timeout;
    while (true) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = partitions_.find(tp);
            if (it == partitions_.end() || !it->second->assigned) return client_errc::not_assigned;
            const PartitionState& p = *it->second;
            if (p.phase == PartitionState::Phase::fetching && p.position >= 0) return p.position;
            if (p.phase == PartitionState::Phase::failed) return client_errc::no_offset;
        }
        if (SteadyClock::now() >= deadline) return client_errc::timed_out;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::error_code ConsumerImpl::pause(const std::vector<TopicPartition>& parts, bool paused) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& tp : parts) {
            auto it = partitions_.find(tp);
            if (it == partitions_.end() || !it->second->assigned) return client_errc::not_assigned;
        }
        for (const auto& tp : parts) {
            PartitionState& p = *partitions_[tp];
            if (p.paused == paused) continue;
            p.paused = paused;
            if (paused && p.phase == PartitionState::Phase::fetching) {
                // What was fetched ahead is dropped and fetched again on resume.
                p.fetch_offset = p.position;
                ++p.epoch;
            }
        }
    }
    post([this] { fetcher_->kick(); });
    return {};
}

std::vector<TopicPartition> ConsumerImpl::paused() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<TopicPartition> out;
    for (const auto& [tp, p] : partitions_)
        if (p->paused) out.push_back(tp);
    return out;
}

// ---- offsets and lag ------------------------------------------------------------------

Result<std::map<TopicPartition, int64_t>> ConsumerImpl::list_offsets(const std::map<TopicPartition, int64_t>& query,
                                                                     std::chrono::milliseconds timeout,
                                                                     std::map<TopicPartition, int64_t>* found_ts) {
    auto deadline = SteadyClock::now() + timeout;
    std::map<TopicPartition, int64_t> out, left = query;
    std::error_code last;
    while (!left.empty()) {
        auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (remaining.count() <= 0) return last ? last : make_error_code(client_errc::timed_out);
        using Answer = std::map<TopicPartition, ListedOffset>;
        auto r = wait_io<Answer>(
            [this, left](std::function<void(Answer)> done) {
                list_offsets_async(*this, left, config_.isolation_level, std::move(done));
            },
            remaining);
        if (!r) return client_errc::timed_out;
        std::map<TopicPartition, int64_t> again;
        for (const auto& [tp, lo] : *r) {
            if (!lo.error) {
                out[tp] = lo.offset;
                if (found_ts) (*found_ts)[tp] = lo.timestamp;
                continue;
            }
            last = lo.error;
            auto action = consumer_action(ConsumerOp::list_offsets, lo.error);
            if (action != ConsumerAction::refresh_metadata && action != ConsumerAction::retry) return lo.error;
            again[tp] = left[tp];
        }
        left = std::move(again);
        if (!left.empty()) {
            post([this] { cluster_->request_refresh(); });
            std::this_thread::sleep_for(config_.retry_backoff);
        }
    }
    return out;
}

Result<std::map<TopicPartition, PartitionLag>> ConsumerImpl::lag(std::vector<TopicPartition> parts,
                                                                 std::chrono::milliseconds timeout) {
    if (parts.empty()) parts = assignment();
    std::map<TopicPartition, PartitionLag> out;
    if (parts.empty()) return out;
    std::map<TopicPartition, int64_t> ends_q, begins_q;
    for (const auto& tp : parts) {
        ends_q[tp] = kListOffsetsLatest;
        begins_q[tp] = kListOffsetsEarliest;
    }
    auto ends = list_offsets(ends_q, timeout);
    if (!ends) return ends.error();
    auto begins = list_offsets(begins_q, timeout);
    if (!begins) return begins.error();
    std::map<TopicPartition, std::optional<OffsetAndMetadata>> committed_offsets;
    if (!config_.group_id.empty()) {
        auto c = committed(parts, timeout);
        if (!c) return c.error();
        committed_offsets = std::move(*c);
    }
    for (const auto& tp : parts) {
        auto c = committed_offsets.find(tp);
        int64_t committed_offset = c != committed_offsets.end() && c->second ? c->second->offset : -1;
        out[tp] = compute_lag(committed_offset, (*begins)[tp], (*ends)[tp]);
    }
    return out;
}

Result<std::vector<int32_t>> ConsumerImpl::partitions_for(const std::string& topic, std::chrono::milliseconds timeout) {
    using Answer = std::pair<std::error_code, net::TopicInfo>;
    auto r = wait_io<Answer>(
        [this, topic](std::function<void(Answer)> done) {
            cluster_->async_topic(topic, [done](std::error_code ec, net::TopicInfo info) {
                done(Answer{ec, std::move(info)});
            });
        },
        timeout);
    if (!r) return client_errc::timed_out;
    if (r->first) return r->first;
    std::vector<int32_t> out;
    for (const auto& p : r->second.partitions) out.push_back(p.partition);
    return out;
}

// ---- the end ---------------------------------------------------------------------------

void ConsumerImpl::close(std::chrono::milliseconds timeout) {
    if (closed_) return;
    auto deadline = SteadyClock::now() + timeout;
    auto left = [&] {
        return std::max(std::chrono::milliseconds(0),
                        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
    };
    bool in_group = !subscription().empty();
    auto parts = assignment();
    if (!config_.group_id.empty() && config_.enable_auto_commit && !parts.empty()) commit_sync(std::nullopt, left());
    if (in_group) {
        if (listener_.on_revoked && !parts.empty()) {
            try {
                listener_.on_revoked(parts);
            } catch (...) {
            }
        }
        wait_io<bool>([this](std::function<void(bool)> done) { group_->leave(true, [done] { done(true); }); },
                      left());
    }
    closed_ = true;
    post([this] {
        fetcher_->stop();
        group_->stop();
        cluster_->close();
        work_.reset();
        io_.stop();
    });
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard<std::mutex> lock(mu_);
        fire_waiter_locked();
    }
    // The cluster's close, and each connection's close that it posts in
    // turn, had no chance to run before io_.stop(). Run what is ready now,
    // on this thread: every connection dies, its pending requests fail, and
    // it lets go of their handlers. Until then those handlers hold the
    // cluster, which holds the connections: a cycle that would never be
    // freed. Cancelled sockets and timers complete here too. Bounded.
    io_.restart();
    for (int i = 0; i < 100 && io_.poll() > 0; ++i) {
    }
    cv_.notify_all();
}

std::string ConsumerImpl::member_id() const { return group_->member_id(); }
int32_t ConsumerImpl::generation() const { return group_->generation(); }

}  // namespace kafka
