// Internal, io thread: membership of a classic consumer group.
//
//   FindCoordinator -> JoinGroup -> SyncGroup -> stable (Heartbeat every
//   heartbeat.interval.ms) -> ... -> LeaveGroup on close
//
// The leader (chosen by the coordinator) decodes every member's subscription,
// runs the assignor the group agreed on and sends the assignments in its
// SyncGroup. JoinGroup and SyncGroup go on the coordinator's group
// connection, heartbeats and offsets on its general one, so a JoinGroup that
// waits for the whole rebalance never holds them up.
//
// Rebalances: eager protocols (range, roundrobin) give every partition back
// before joining; cooperative-sticky (KIP-429) keeps them, and gives back only
// what the new assignment takes away, then joins once more. Giving back runs
// the application's callbacks on its polling thread (with a commit first when
// auto commit is on); the join waits for that, as Java's does.
//
// What happens on each error is the table in consumer_errors.hpp:
// REBALANCE_IN_PROGRESS rejoins, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID lose
// the partitions and rejoin as a new member, NOT_COORDINATOR and lost
// connections find the coordinator again. Static members (group.instance.id,
// KIP-345) do not send LeaveGroup, so a restart within session.timeout.ms
// keeps their partitions. A member that does not poll for
// max.poll.interval.ms leaves the group; the application gets an error event
// and its partitions' lost callback, and the next poll joins again.
#pragma once

#include <asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client/consumer_impl.hpp"
#include "client/group_assignment.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/sync_group.hpp"

namespace kafka {

class GroupCoordinator {
public:
    explicit GroupCoordinator(ConsumerImpl& c);
    ~GroupCoordinator();

    void start();
    void stop();

    // ---- io thread
    void subscribe(std::vector<std::string> topics);
    // Leaves the group (unless static and `closing`); `done` afterwards.
    void leave(bool closing, std::function<void()> done);
    void commit(TopicPartitionOffsets offsets, std::function<void(std::error_code)> done);
    void fetch_committed(std::vector<TopicPartition> partitions,
                         std::function<void(std::error_code, std::map<TopicPartition, OffsetAndMetadata>)> done);

    // Any thread.
    std::string member_id() const;
    int32_t generation() const { return generation_snapshot_.load(); }

    enum class State : uint8_t { unjoined, awaiting_app, joining, syncing, stable, failed };
    State state() const { return state_; }

private:
    void tick();
    void arm_timer();
    void need_rejoin(const std::string& why);
    void lose_partitions(const std::string& why, bool join_after);
    void give_back(AppTask::Kind kind, std::vector<TopicPartition> parts, std::function<void()> then);
    void ensure_coordinator(std::function<void(std::error_code)> then);
    void coordinator_lost();
    void join();
    void join_later();
    void on_join(uint64_t seq, std::error_code ec, JoinGroupResponse resp);
    void sync(uint64_t seq, std::vector<SyncGroupRequest::Assignment> assignments);
    void on_sync(uint64_t seq, std::error_code ec, SyncGroupResponse resp);
    void heartbeat(SteadyClock::time_point now);
    void check_poll_interval(SteadyClock::time_point now);
    void auto_commit(SteadyClock::time_point now);
    void check_leader_metadata();
    void fatal(std::error_code ec, const std::string& message);
    void debug(const std::string& what) const;
    void event(std::error_code ec, const std::string& message);
    void set_member(std::string member_id, int32_t generation);
    void commit_attempt(std::shared_ptr<TopicPartitionOffsets> offsets, int attempt,
                        std::shared_ptr<std::function<void(std::error_code)>> done);
    void fetch_attempt(std::shared_ptr<std::vector<TopicPartition>> parts, int attempt,
                       std::shared_ptr<std::function<void(std::error_code, std::map<TopicPartition, OffsetAndMetadata>)>> done);
    void retry_later(std::function<void()> f);
    void run_after(std::chrono::milliseconds delay, std::function<void()> f);
    bool is_member() const { return !member_id_.empty() && generation_ >= 0; }
    bool cooperative() const { return is_cooperative(protocol_.empty() ? c_.config().assignment_strategies.front() : protocol_); }

    ConsumerImpl& c_;
    asio::steady_timer timer_;
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

    std::vector<std::string> topics_;
    bool subscribed_ = false;
    State state_ = State::unjoined;
    uint64_t seq_ = 0;  // answers to older join rounds are ignored
    bool rejoin_pending_ = false;

    int32_t coordinator_ = -1;
    bool finding_ = false;
    std::vector<std::function<void(std::error_code)>> coordinator_waiters_;

    std::string member_id_;
    int32_t generation_ = -1;
    std::string protocol_;
    bool leader_ = false;
    PartitionSet owned_;
    std::map<std::string, int32_t> assigned_counts_;  // leader: partition counts the assignment used
    net::Cluster::MetadataPtr leader_md_;

    bool heartbeat_in_flight_ = false;
    SteadyClock::time_point next_heartbeat_{};
    SteadyClock::time_point last_heartbeat_ok_{};
    SteadyClock::time_point next_auto_commit_{};
    bool poll_expired_ = false;

    mutable std::mutex snapshot_mu_;
    std::string member_id_snapshot_;
    std::atomic<int32_t> generation_snapshot_{-1};
};

}  // namespace kafka
