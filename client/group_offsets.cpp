// GroupCoordinator: committing offsets (OffsetCommit) and reading them back
// (OffsetFetch), with the retries the error table asks for.
#include <algorithm>

#include "client/consumer_errors.hpp"
#include "client/consumer_requests.hpp"
#include "client/group_coordinator.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"

namespace kafka {

namespace {

constexpr int kMaxAttempts = 5;

Uuid topic_id_of(net::Cluster& cluster, const std::string& topic) {
    const auto* t = cluster.metadata()->topic(topic);
    return t ? t->topic_id : Uuid{};
}

}  // namespace

void GroupCoordinator::commit(TopicPartitionOffsets offsets, std::function<void(std::error_code)> done) {
    if (c_.config().group_id.empty()) return done(make_error_code(client_errc::invalid_config));
    if (offsets.empty()) return done({});
    commit_attempt(std::make_shared<TopicPartitionOffsets>(std::move(offsets)), 0,
                   std::make_shared<std::function<void(std::error_code)>>(std::move(done)));
}

void GroupCoordinator::commit_attempt(std::shared_ptr<TopicPartitionOffsets> offsets, int attempt,
                                      std::shared_ptr<std::function<void(std::error_code)>> done) {
    if (stopped_) return (*done)(make_error_code(client_errc::shutting_down));
    ensure_coordinator([this, offsets, attempt, done](std::error_code ec) {
        auto again = [this, offsets, attempt, done](std::error_code e) {
            if (attempt + 1 >= kMaxAttempts) return (*done)(e);
            retry_later([this, offsets, attempt, done] { commit_attempt(offsets, attempt + 1, done); });
        };
        if (ec) return again(ec);
        const ConsumerConfig& cfg = c_.config();
        // Outside a group (assign()), commits carry no generation (-1) and no member id.
        bool member = is_member();
        std::map<std::string, Uuid> ids;
        for (const auto& [tp, o] : *offsets) ids.emplace(tp.topic, topic_id_of(c_.cluster(), tp.topic));
        auto build = [group = cfg.group_id, generation = member ? generation_ : -1,
                      member_id = member ? member_id_ : std::string(), instance = cfg.group_instance_id, offsets,
                      ids = std::move(ids)](int16_t v) {
            OffsetCommitRequest req;
            req.group_id = group;
            if (v >= 1) {
                req.generation_id_or_member_epoch = generation;
                req.member_id = member_id;
            }
            if (v >= 7) req.group_instance_id = instance;
            for (const auto& [tp, o] : *offsets) {
                if (req.topics.empty() || req.topics.back().name != tp.topic ||
                    (v >= 10 && req.topics.back().topic_id != ids.at(tp.topic))) {
                    req.topics.emplace_back();
                    if (v >= 10) req.topics.back().topic_id = ids.at(tp.topic);  // KIP-848
                    else req.topics.back().name = tp.topic;
                }
                OffsetCommitRequest::Partition p;
                p.partition_index = tp.partition;
                p.committed_offset = o.offset;
                if (v >= 6) p.committed_leader_epoch = o.leader_epoch;
                p.committed_metadata = o.metadata;
                req.topics.back().partitions.push_back(std::move(p));
            }
            return req;
        };
        send_request(c_.cluster(), coordinator_, net::Purpose::general, build, net::RequestOptions{},
                     [this, alive = alive_, offsets, attempt, done, again](std::error_code e,
                                                                           OffsetCommitResponse resp) {
                         if (!*alive) return (*done)(make_error_code(client_errc::shutting_down));
                         if (!e) {
                             for (const auto& t : resp.topics)
                                 for (const auto& p : t.partitions)
                                     if (p.error_code && !e) e = broker_error(p.error_code);
                         }
                         switch (consumer_action(ConsumerOp::offset_commit, e)) {
                             case ConsumerAction::none: {
                                 {
                                     std::lock_guard<std::mutex> lock(c_.mutex());
                                     for (const auto& [tp, o] : *offsets) {
                                         auto it = c_.partitions().find(tp);
                                         if (it != c_.partitions().end()) it->second->committed = o.offset;
                                     }
                                 }
                                 return (*done)({});
                             }
                             case ConsumerAction::find_coordinator:
                                 coordinator_lost();
                                 return again(e);
                             case ConsumerAction::retry:
                                 return again(e);
                             case ConsumerAction::rejoin:
                                 // Java's CommitFailedException: the group moved on.
                                 (*done)(e);
                                 return need_rejoin("OffsetCommit: " + e.message());
                             case ConsumerAction::rejoin_as_new:
                                 (*done)(e);
                                 if (subscribed_ && state_ == State::stable) lose_partitions("OffsetCommit", true);
                                 return;
                             default:
                                 return (*done)(e);
                         }
                     });
    });
}

void GroupCoordinator::fetch_committed(
    std::vector<TopicPartition> partitions,
    std::function<void(std::error_code, std::map<TopicPartition, OffsetAndMetadata>)> done) {
    if (c_.config().group_id.empty()) return done(make_error_code(client_errc::invalid_config), {});
    std::sort(partitions.begin(), partitions.end());
    fetch_attempt(std::make_shared<std::vector<TopicPartition>>(std::move(partitions)), 0,
                  std::make_shared<std::function<void(std::error_code, std::map<TopicPartition, OffsetAndMetadata>)>>(
                      std::move(done)));
}

void GroupCoordinator::fetch_attempt(
    std::shared_ptr<std::vector<TopicPartition>> parts, int attempt,
    std::shared_ptr<std::function<void(std::error_code, std::map<TopicPartition, OffsetAndMetadata>)>> done) {
    if (stopped_) return (*done)(make_error_code(client_errc::shutting_down), {});
    ensure_coordinator([this, parts, attempt, done](std::error_code ec) {
        auto again = [this, parts, attempt, done](std::error_code e) {
            if (attempt + 1 >= kMaxAttempts) return (*done)(e, {});
            retry_later([this, parts, attempt, done] { fetch_attempt(parts, attempt + 1, done); });
        };
        if (ec) return again(ec);
        const ConsumerConfig& cfg = c_.config();
        std::map<std::string, Uuid> ids;
        for (const auto& tp : *parts) ids.emplace(tp.topic, topic_id_of(c_.cluster(), tp.topic));
        bool stable = cfg.isolation_level == IsolationLevel::read_committed;
        auto version = std::make_shared<int16_t>(0);
        auto build = [group = cfg.group_id, parts, ids, stable, version](int16_t v) {
            *version = v;
            std::vector<OffsetFetchRequest::Topic> topics;
            for (const auto& tp : *parts) {
                if (topics.empty() || topics.back().name != tp.topic) {
                    topics.emplace_back();
                    topics.back().name = tp.topic;
                }
                topics.back().partition_indexes.push_back(tp.partition);
            }
            if (v >= 10)  // KIP-848: by topic id
                for (auto& t : topics) t.topic_id = ids.at(std::exchange(t.name, std::string()));
            OffsetFetchRequest req;
            if (v >= 8) {  // KIP-709
                OffsetFetchRequest::Group g;
                g.group_id = group;
                g.topics = std::move(topics);
                req.groups.push_back(std::move(g));
            } else {
                req.group_id = group;
                req.topics = std::move(topics);
            }
            if (v >= 7) req.require_stable = stable;  // KIP-447
            return req;
        };
        send_request(
            c_.cluster(), coordinator_, net::Purpose::general, build, net::RequestOptions{},
            [this, alive = alive_, parts, done, again, version, ids](std::error_code e, OffsetFetchResponse resp) {
                if (!*alive) return (*done)(make_error_code(client_errc::shutting_down), {});
                std::map<TopicPartition, OffsetAndMetadata> out;
                const std::string& group = c_.config().group_id;
                if (!e) e = broker_error(resp.group_error(group));
                if (!e) {
                    // v10 names topics by id: map them back.
                    auto name_of = [&](const OffsetFetchResponse::Topic& t) -> std::string {
                        if (*version < 10) return t.name;
                        for (const auto& [name, id] : ids)
                            if (id == t.topic_id) return name;
                        return {};
                    };
                    const auto& topics = !resp.groups.empty() ? resp.groups.front().topics : resp.topics;
                    for (const auto& t : topics) {
                        std::string name = name_of(t);
                        for (const auto& p : t.partitions) {
                            if (p.error_code && !e) e = broker_error(p.error_code);
                            OffsetAndMetadata o;
                            o.offset = p.committed_offset;
                            o.leader_epoch = p.committed_leader_epoch;
                            o.metadata = p.metadata.value_or("");
                            out[{name, p.partition_index}] = std::move(o);
                        }
                    }
                }
                switch (consumer_action(ConsumerOp::offset_fetch, e)) {
                    case ConsumerAction::none:
                        return (*done)({}, std::move(out));
                    case ConsumerAction::find_coordinator:
                        coordinator_lost();
                        return again(e);
                    case ConsumerAction::retry:
                        return again(e);
                    default:
                        return (*done)(e, {});
                }
            });
    });
}

}  // namespace kafka
