#include "client/group_coordinator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "client/consumer_errors.hpp"
#include "client/consumer_requests.hpp"
#include "client/fetcher.hpp"
#include "protocol/messages/consumer_protocol.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/leave_group.hpp"

namespace kafka {

namespace {

constexpr std::chrono::milliseconds kTick{50};

// How long a leader holds its SyncGroup back when the group has other
// members. Kafka parks a follower's SyncGroup until the leader's arrives and
// answers a late one at once, so the order does not matter there. The
// librdkafka mock (a common test broker) instead completes the round with
// the leader's SyncGroup and fails every SyncGroup that arrives after it with
// INVALID_REQUEST, which costs a whole rebalance (seconds) and, since the
// leader answers within a round trip of its JoinGroup, can repeat until a
// slow member (another process, a loaded machine) never gets in. Followers
// send SyncGroup as soon as their JoinGroup answer arrives; giving them this
// head start costs a real rebalance no more than this.
constexpr std::chrono::milliseconds kLeaderSyncDelay{100};

// KAFKA_CONSUMER_DEBUG=1 prints the membership's steps on stderr.
bool debug_enabled() {
    static const bool on = [] {
        const char* v = std::getenv("KAFKA_CONSUMER_DEBUG");
        return v && *v && *v != '0';
    }();
    return on;
}

}  // namespace

void GroupCoordinator::debug(const std::string& what) const {
    if (!debug_enabled()) return;
    std::fprintf(stderr, "kafka-consumer[%s gen=%d state=%d]: %s\n", member_id_.c_str(), generation_,
                 static_cast<int>(state_), what.c_str());
}

GroupCoordinator::GroupCoordinator(ConsumerImpl& c) : c_(c), timer_(c.io()) {}

GroupCoordinator::~GroupCoordinator() { *alive_ = false; }

void GroupCoordinator::start() {
    next_auto_commit_ = SteadyClock::now() + c_.config().auto_commit_interval;
    arm_timer();
}

void GroupCoordinator::stop() {
    stopped_ = true;
    timer_.cancel();
}

std::string GroupCoordinator::member_id() const {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    return member_id_snapshot_;
}

void GroupCoordinator::set_member(std::string member_id, int32_t generation) {
    member_id_ = std::move(member_id);
    generation_ = generation;
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    member_id_snapshot_ = member_id_;
    generation_snapshot_ = generation_;
}

void GroupCoordinator::arm_timer() {
    if (stopped_) return;
    timer_.expires_after(kTick);
    timer_.async_wait([this, alive = alive_](std::error_code ec) {
        if (ec || !*alive || stopped_) return;
        tick();
        arm_timer();
    });
}

void GroupCoordinator::retry_later(std::function<void()> f) { run_after(c_.config().retry_backoff, std::move(f)); }

void GroupCoordinator::run_after(std::chrono::milliseconds delay, std::function<void()> f) {
    auto t = std::make_shared<asio::steady_timer>(c_.io(), delay);
    t->async_wait([t, f = std::move(f), alive = alive_](std::error_code) {
        if (*alive) f();
    });
}

void GroupCoordinator::tick() {
    auto now = SteadyClock::now();
    if (subscribed_ && state_ == State::stable) {
        check_poll_interval(now);
        if (state_ == State::stable) {
            heartbeat(now);
            check_leader_metadata();
        }
    }
    auto_commit(now);
}

void GroupCoordinator::event(std::error_code ec, const std::string& message) {
    ConsumerEvent ev;
    ev.error = ec;
    ev.message = message;
    std::lock_guard<std::mutex> lock(c_.mutex());
    c_.push_event_locked(std::move(ev));
}

void GroupCoordinator::fatal(std::error_code ec, const std::string& message) {
    state_ = State::failed;
    ConsumerEvent ev;
    ev.error = ec;
    ev.message = message;
    ev.fatal = true;
    std::lock_guard<std::mutex> lock(c_.mutex());
    c_.push_event_locked(std::move(ev));
}

// ---- coordinator discovery -------------------------------------------------------

void GroupCoordinator::ensure_coordinator(std::function<void(std::error_code)> then) {
    if (coordinator_ >= 0) return then({});
    coordinator_waiters_.push_back(std::move(then));
    if (finding_) return;
    finding_ = true;
    auto version = std::make_shared<int16_t>(0);
    std::string group = c_.config().group_id;
    auto build = [group, version](int16_t v) {
        *version = v;
        FindCoordinatorRequest req;
        if (v >= 4) req.coordinator_keys = {group};  // KIP-699
        else req.coordinator_key = group;
        return req;
    };
    send_request(c_.cluster(), -1, net::Purpose::general, build, net::RequestOptions{},
                 [this, alive = alive_, version](std::error_code ec, FindCoordinatorResponse resp) {
                     if (!*alive) return;
                     finding_ = false;
                     int32_t node = -1;
                     if (!ec) {
                         int16_t code = resp.error_code;
                         node = resp.node_id;
                         if (*version >= 4) {
                             if (resp.coordinators.empty()) code = static_cast<int16_t>(errc::coordinator_not_available);
                             else code = resp.coordinators[0].error_code, node = resp.coordinators[0].node_id;
                         }
                         ec = broker_error(code);
                     }
                     auto waiters = std::move(coordinator_waiters_);
                     coordinator_waiters_.clear();
                     if (!ec) {
                         coordinator_ = node;
                         // The pool reaches brokers it learnt from metadata.
                         if (!c_.cluster().metadata()->broker(node)) {
                             c_.cluster().async_refresh_metadata(
                                 {}, [waiters = std::move(waiters), alive](std::error_code, net::Cluster::MetadataPtr) {
                                     if (!*alive) return;
                                     for (auto& w : waiters) w({});
                                 });
                             return;
                         }
                     }
                     for (auto& w : waiters) w(ec);
                 });
}

void GroupCoordinator::coordinator_lost() { coordinator_ = -1; }

// ---- joining ------------------------------------------------------------------------

void GroupCoordinator::subscribe(std::vector<std::string> topics) {
    std::sort(topics.begin(), topics.end());
    bool changed = topics != topics_ || !subscribed_;
    topics_ = std::move(topics);
    subscribed_ = true;
    poll_expired_ = false;
    if (state_ == State::failed) state_ = State::unjoined;
    if (changed) need_rejoin("subscription changed");
}

void GroupCoordinator::need_rejoin(const std::string& why) {
    debug("rejoin needed: " + why);
    if (!subscribed_ || stopped_) return;
    switch (state_) {
        case State::joining:
        case State::syncing:
            rejoin_pending_ = true;
            return;
        case State::awaiting_app:
        case State::failed:
            return;
        case State::unjoined:
        case State::stable:
            break;
    }
    if (!cooperative() && !owned_.empty()) {
        // Eager: everything goes back before joining.
        give_back(AppTask::Kind::revoked, {owned_.begin(), owned_.end()}, [this] {
            owned_.clear();
            join();
        });
        return;
    }
    join();
}

void GroupCoordinator::lose_partitions(const std::string& why, bool join_after) {
    debug("partitions lost: " + why);
    set_member("", -1);
    if (owned_.empty()) {
        if (join_after) join();
        else state_ = State::unjoined;
        return;
    }
    give_back(AppTask::Kind::lost, {owned_.begin(), owned_.end()}, [this, join_after] {
        owned_.clear();
        if (join_after) join();
        else state_ = State::unjoined;
    });
}

// The application gives the partitions back on its polling thread, then
// `then` runs here.
void GroupCoordinator::give_back(AppTask::Kind kind, std::vector<TopicPartition> parts, std::function<void()> then) {
    state_ = State::awaiting_app;
    AppTask task;
    task.kind = kind;
    task.partitions = std::move(parts);
    task.on_done = [this, alive = alive_, then = std::move(then)] {
        if (!*alive || stopped_) return;
        state_ = State::unjoined;
        then();
    };
    std::lock_guard<std::mutex> lock(c_.mutex());
    for (const auto& tp : task.partitions) {
        auto it = c_.partitions().find(tp);
        if (it != c_.partitions().end()) it->second->revoking = true;
    }
    c_.push_task_locked(std::move(task));
}

void GroupCoordinator::join_later() {
    state_ = State::unjoined;
    retry_later([this] {
        if (state_ == State::unjoined && subscribed_) join();
    });
}

void GroupCoordinator::join() {
    if (!subscribed_ || stopped_) return;
    state_ = State::joining;
    debug("joining");
    rejoin_pending_ = false;
    uint64_t seq = ++seq_;
    ensure_coordinator([this, seq](std::error_code ec) {
        if (seq != seq_ || stopped_) return;
        if (ec) return join_later();
        const ConsumerConfig& cfg = c_.config();
        auto protocols = join_protocols(cfg.assignment_strategies, topics_, owned_, generation_);
        if (!protocols) return fatal(protocols.error(), "cannot encode the group subscription");
        auto build = [group = cfg.group_id, session = static_cast<int32_t>(cfg.session_timeout.count()),
                      rebalance = static_cast<int32_t>(cfg.max_poll_interval.count()), member = member_id_,
                      instance = cfg.group_instance_id, protocols = std::move(*protocols)](int16_t v) {
            JoinGroupRequest req;
            req.group_id = group;
            req.session_timeout_ms = session;
            if (v >= 1) req.rebalance_timeout_ms = rebalance;
            req.member_id = member;
            if (v >= 5) req.group_instance_id = instance;  // KIP-345
            req.protocol_type = kConsumerProtocolType;
            req.protocols = protocols;
            return req;
        };
        // The coordinator answers once every member has joined: up to the rebalance timeout.
        net::RequestOptions opts;
        opts.timeout = std::max(cfg.net.connection.request_timeout, cfg.max_poll_interval + std::chrono::seconds(5));
        send_request(c_.cluster(), coordinator_, net::Purpose::group, build, opts,
                     [this, alive = alive_, seq](std::error_code e, JoinGroupResponse resp) {
                         if (*alive) on_join(seq, e, std::move(resp));
                     });
    });
}

void GroupCoordinator::on_join(uint64_t seq, std::error_code ec, JoinGroupResponse resp) {
    if (seq != seq_ || stopped_) return;
    if (!ec) ec = broker_error(resp.error_code);
    debug("JoinGroup answered: " + (ec ? ec.message() : "generation " + std::to_string(resp.generation_id)));
    if (ec) {
        switch (consumer_action(ConsumerOp::join_group, ec)) {
            case ConsumerAction::rejoin_with_id:  // KIP-394
                set_member(resp.member_id, -1);
                return join();
            case ConsumerAction::rejoin_as_new:
                set_member("", -1);
                return join();
            case ConsumerAction::rejoin:
                return join();
            case ConsumerAction::find_coordinator:
                coordinator_lost();
                return join_later();
            case ConsumerAction::fatal:
                return fatal(ec, "JoinGroup: " + ec.message());
            case ConsumerAction::fail:
                event(ec, "JoinGroup: " + ec.message());
                return join_later();
            default:
                return join_later();
        }
    }
    set_member(resp.member_id, resp.generation_id);
    protocol_ = resp.protocol_name.value_or("");
    leader_ = resp.is_leader();
    if (!leader_) return sync(seq, {});

    auto topics = member_topics(resp.members);
    if (!topics) return fatal(topics.error(), "JoinGroup: a member's subscription does not decode");
    c_.cluster().async_refresh_metadata(
        std::vector<std::string>(topics->begin(), topics->end()),
        [this, alive = alive_, seq, members = std::move(resp.members), topics = *topics](
            std::error_code, net::Cluster::MetadataPtr md) {
            if (!*alive || seq != seq_) return;
            if (!md) md = c_.cluster().metadata();
            std::map<std::string, int32_t> counts;
            for (const auto& t : topics) {
                const auto* info = md->topic(t);
                if (info && info->error_code == 0 && !info->partitions.empty())
                    counts[t] = static_cast<int32_t>(info->partitions.size());
            }
            std::string error;
            auto assignments = leader_assign(protocol_, members, counts, &error);
            if (!assignments) return fatal(assignments.error(), "assigning partitions: " + error);
            assigned_counts_ = counts;
            leader_md_ = md;
            if (assignments->size() < 2) return sync(seq, std::move(*assignments));
            run_after(kLeaderSyncDelay, [this, seq, a = std::move(*assignments)]() mutable {
                if (seq == seq_ && !stopped_) sync(seq, std::move(a));
            });
        });
}

void GroupCoordinator::sync(uint64_t seq, std::vector<SyncGroupRequest::Assignment> assignments) {
    state_ = State::syncing;
    const ConsumerConfig& cfg = c_.config();
    auto build = [group = cfg.group_id, generation = generation_, member = member_id_,
                  instance = cfg.group_instance_id, protocol = protocol_,
                  assignments = std::move(assignments)](int16_t v) {
        SyncGroupRequest req;
        req.group_id = group;
        req.generation_id = generation;
        req.member_id = member;
        if (v >= 3) req.group_instance_id = instance;
        if (v >= 5) {  // KIP-559
            req.protocol_type = kConsumerProtocolType;
            req.protocol_name = protocol;
        }
        req.assignments = assignments;
        return req;
    };
    net::RequestOptions opts;
    opts.timeout = std::max(cfg.net.connection.request_timeout, cfg.max_poll_interval + std::chrono::seconds(5));
    send_request(c_.cluster(), coordinator_, net::Purpose::group, build, opts,
                 [this, alive = alive_, seq](std::error_code e, SyncGroupResponse resp) {
                     if (*alive) on_sync(seq, e, std::move(resp));
                 });
}

void GroupCoordinator::on_sync(uint64_t seq, std::error_code ec, SyncGroupResponse resp) {
    if (seq != seq_ || stopped_) return;
    if (!ec) ec = broker_error(resp.error_code);
    debug("SyncGroup answered: " + (ec ? ec.message() : std::to_string(resp.assignment ? resp.assignment->size() : 0) + " bytes"));
    if (ec) {
        switch (consumer_action(ConsumerOp::sync_group, ec)) {
            case ConsumerAction::rejoin:
                return join();
            case ConsumerAction::rejoin_as_new:
                state_ = State::unjoined;
                return lose_partitions("SyncGroup: " + ec.message(), true);
            case ConsumerAction::find_coordinator:
                coordinator_lost();
                return join_later();
            case ConsumerAction::fatal:
                return fatal(ec, "SyncGroup: " + ec.message());
            default:
                return join_later();
        }
    }
    auto assigned = decode_member_assignment(resp.assignment ? *resp.assignment : Bytes{});
    if (!assigned) {
        event(assigned.error(), "SyncGroup: the assignment does not decode");
        return join_later();
    }
    // A partition of a topic we did not subscribe to is the leader's mistake: skip it.
    for (auto it = assigned->begin(); it != assigned->end();) {
        if (!std::binary_search(topics_.begin(), topics_.end(), it->topic)) it = assigned->erase(it);
        else ++it;
    }
    AssignmentChange change = assignment_change(owned_, *assigned);
    state_ = State::stable;
    auto now = SteadyClock::now();
    next_heartbeat_ = now + c_.config().heartbeat_interval;
    last_heartbeat_ok_ = now;
    for (const auto& tp : change.added) owned_.insert(tp);
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (const auto& tp : change.added) c_.add_partition_locked(tp, PartitionState::Phase::need_committed);
        AppTask task;
        task.kind = AppTask::Kind::assigned;
        task.partitions = change.added;
        c_.push_task_locked(std::move(task));
    }
    if (!change.revoked.empty()) {
        // KIP-429: give back only what moved, then join again so that its new
        // owner gets it.
        give_back(AppTask::Kind::revoked, change.revoked, [this, revoked = change.revoked] {
            for (const auto& tp : revoked) owned_.erase(tp);
            state_ = State::stable;
            need_rejoin("revoked partitions");
        });
    } else if (rejoin_pending_) {
        need_rejoin("rejoin requested during the rebalance");
    }
    c_.fetcher().kick();
}

// ---- while stable ---------------------------------------------------------------------

void GroupCoordinator::heartbeat(SteadyClock::time_point now) {
    const ConsumerConfig& cfg = c_.config();
    if (now - last_heartbeat_ok_ > cfg.session_timeout) {
        // The coordinator has surely evicted us by now.
        return lose_partitions("no heartbeat answered within session.timeout.ms", true);
    }
    if (heartbeat_in_flight_ || now < next_heartbeat_) return;
    if (coordinator_ < 0) {
        heartbeat_in_flight_ = true;
        ensure_coordinator([this](std::error_code) { heartbeat_in_flight_ = false; });
        return;
    }
    heartbeat_in_flight_ = true;
    next_heartbeat_ = now + cfg.heartbeat_interval;
    debug("Heartbeat to " + std::to_string(coordinator_));
    uint64_t seq = seq_;
    auto build = [group = cfg.group_id, generation = generation_, member = member_id_,
                  instance = cfg.group_instance_id](int16_t v) {
        HeartbeatRequest req;
        req.group_id = group;
        req.generation_id = generation;
        req.member_id = member;
        if (v >= 3) req.group_instance_id = instance;
        return req;
    };
    net::RequestOptions opts;
    opts.timeout = std::min(cfg.net.connection.request_timeout, cfg.session_timeout);
    send_request(c_.cluster(), coordinator_, net::Purpose::general, build, opts,
                 [this, alive = alive_, seq](std::error_code ec, HeartbeatResponse resp) {
                     if (!*alive) return;
                     heartbeat_in_flight_ = false;
                     debug("Heartbeat answered");
                     if (seq != seq_ || state_ != State::stable) return;
                     if (!ec) ec = broker_error(resp.error_code);
                     if (ec) debug("Heartbeat: " + ec.message());
                     switch (consumer_action(ConsumerOp::heartbeat, ec)) {
                         case ConsumerAction::none:
                             last_heartbeat_ok_ = SteadyClock::now();
                             break;
                         case ConsumerAction::rejoin:
                             last_heartbeat_ok_ = SteadyClock::now();
                             need_rejoin("the group is rebalancing");
                             break;
                         case ConsumerAction::rejoin_as_new:
                             lose_partitions("Heartbeat: " + ec.message(), true);
                             break;
                         case ConsumerAction::find_coordinator:
                             coordinator_lost();
                             next_heartbeat_ = SteadyClock::now();
                             break;
                         case ConsumerAction::fatal:
                             if (ec != client_errc::shutting_down) fatal(ec, "Heartbeat: " + ec.message());
                             break;
                         default:
                             break;
                     }
                 });
}

void GroupCoordinator::check_poll_interval(SteadyClock::time_point now) {
    if (!c_.poll_overdue(now) || owned_.empty()) return;
    poll_expired_ = true;
    event(make_error_code(client_errc::timed_out),
          "max.poll.interval.ms (" + std::to_string(c_.config().max_poll_interval.count()) +
              " ms) passed without a poll(): left the group; the next poll() joins again");
    leave(false, [] {});
    // The lost callback runs at the next poll, which then joins again.
    lose_partitions("max.poll.interval.ms exceeded", true);
}

// The leader watches the partition counts it assigned from: a topic that
// grows (or appears) needs a new assignment.
void GroupCoordinator::check_leader_metadata() {
    if (!leader_) return;
    auto md = c_.cluster().metadata();
    if (md == leader_md_) return;
    leader_md_ = md;
    for (const auto& t : topics_) {
        const auto* info = md->topic(t);
        if (!info || info->error_code || info->partitions.empty()) continue;
        auto it = assigned_counts_.find(t);
        if (it == assigned_counts_.end() || it->second != static_cast<int32_t>(info->partitions.size())) {
            need_rejoin("partition count changed");
            return;
        }
    }
}

void GroupCoordinator::leave(bool closing, std::function<void()> done) {
    const ConsumerConfig& cfg = c_.config();
    bool was_member = !member_id_.empty();
    std::string member = member_id_;
    subscribed_ = subscribed_ && !closing;
    if (closing) {
        subscribed_ = false;
        ++seq_;  // answers to a join in flight are ignored
    }
    set_member(closing ? "" : member_id_, closing ? -1 : generation_);
    if (closing) {
        owned_.clear();
        state_ = State::unjoined;
    }
    // Static members stay: their partitions wait for them for session.timeout.ms (KIP-345).
    if (!was_member || cfg.group_instance_id || coordinator_ < 0) return done();
    auto build = [group = cfg.group_id, member, instance = cfg.group_instance_id](int16_t v) {
        LeaveGroupRequest req;
        req.group_id = group;
        if (v <= 2) {
            req.member_id = member;
        } else {
            LeaveGroupRequest::MemberIdentity m;
            m.member_id = member;
            m.group_instance_id = instance;
            req.members.push_back(std::move(m));
        }
        return req;
    };
    net::RequestOptions opts;
    opts.timeout = std::min(cfg.net.connection.request_timeout, std::chrono::milliseconds(5000));
    send_request(c_.cluster(), coordinator_, net::Purpose::general, build, opts,
                 [done = std::move(done)](std::error_code, LeaveGroupResponse) { done(); });
}

void GroupCoordinator::auto_commit(SteadyClock::time_point now) {
    const ConsumerConfig& cfg = c_.config();
    if (!cfg.enable_auto_commit || cfg.group_id.empty() || now < next_auto_commit_) return;
    next_auto_commit_ = now + cfg.auto_commit_interval;
    // In a group, only between rebalances (positions are being handed over otherwise).
    if (subscribed_ && state_ != State::stable) return;
    auto offsets = std::make_shared<TopicPartitionOffsets>();
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (const auto& [tp, p] : c_.partitions()) {
            if (!p->assigned || p->revoking || p->committable < 0 || p->committable == p->committed) continue;
            (*offsets)[tp] = OffsetAndMetadata{p->committable, "", p->position_epoch};
        }
    }
    if (offsets->empty()) return;
    commit(std::move(*offsets), [](std::error_code) {});
}

}  // namespace kafka
