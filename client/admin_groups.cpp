// Consumer groups: listing (ListGroups on every broker), describing
// (FindCoordinator, then DescribeGroups on the coordinator, with the members'
// consumer-protocol bytes decoded), committed offsets (OffsetFetch on the
// coordinator), end offsets (ListOffsets on each leader) and lag.
#include <algorithm>
#include <set>

#include "client/admin.hpp"
#include "client/admin_detail.hpp"
#include "protocol/messages/describe_groups.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/list_groups.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/offset_fetch.hpp"

namespace kafka {

MemberDescription describe_member(std::string member_id, std::optional<std::string> group_instance_id,
                                  std::string client_id, std::string client_host, const std::string& protocol_type,
                                  const Bytes& member_metadata, const Bytes& member_assignment) {
    MemberDescription m;
    m.member_id = std::move(member_id);
    m.group_instance_id = std::move(group_instance_id);
    m.client_id = std::move(client_id);
    m.client_host = std::move(client_host);
    // Only "consumer" groups carry the consumer protocol; Connect and others
    // have their own bytes.
    if (protocol_type != kConsumerProtocolType) return m;
    if (!member_metadata.empty()) {
        auto sub = decode_consumer_subscription(member_metadata);
        if (sub) m.subscribed_topics = sub->topics;
        else m.decode_error = sub.error();
    }
    auto assignment = decode_consumer_assignment(member_assignment);
    if (!assignment) {
        if (!m.decode_error) m.decode_error = assignment.error();
        return m;
    }
    for (const auto& tp : assignment->assigned_partitions)
        for (int32_t p : tp.partitions) m.assignment.push_back({tp.topic, p});
    std::sort(m.assignment.begin(), m.assignment.end());
    std::sort(m.subscribed_topics.begin(), m.subscribed_topics.end());
    return m;
}

namespace {

struct Coordinator {
    int32_t node_id = -1;
    std::string host;
    int32_t port = 0;
    std::error_code error;
    std::string message;
};

Coordinator find_coordinator(Admin::Impl& impl, const std::string& group, AdminClock::time_point until) {
    Coordinator c;
    auto build = [group](int16_t v) {
        FindCoordinatorRequest r;
        r.key_type = kCoordinatorGroup;
        if (v >= 4) r.coordinator_keys = {group};  // KIP-699
        else r.coordinator_key = group;
        return r;
    };
    for (int attempt = 0;; ++attempt) {
        auto a = impl.call(-1, build, until);
        std::error_code ec = a.error;
        std::string broker_message;
        if (!ec) {
            const FindCoordinatorResponse& f = a.response;
            if (a.version >= 4) {
                if (f.coordinators.empty()) {
                    ec = client_errc::malformed;
                } else {
                    const auto& k = f.coordinators.front();
                    ec = broker_error(k.error_code);
                    broker_message = k.error_message.value_or("");
                    c.node_id = k.node_id;
                    c.host = k.host;
                    c.port = k.port;
                }
            } else {
                ec = broker_error(f.error_code);
                broker_message = f.error_message.value_or("");
                c.node_id = f.node_id;
                c.host = f.host;
                c.port = f.port;
            }
        }
        if (!ec) return c;
        c.error = ec;
        c.message = "no coordinator for group '" + group + "': " + impl.explain(ec, FindCoordinatorRequest::key, a.broker) +
                    (broker_message.empty() ? "" : " (" + broker_message + ")");
        if (!error_action(ec, ErrorContext::group).retriable() || !Admin::Impl::backoff(attempt, until)) return c;
    }
}

// True when the error means "ask for the coordinator again and retry".
bool coordinator_moved(std::error_code ec) {
    auto a = error_action(ec, ErrorContext::commit);
    return a.retriable() && (a.find_coordinator || ec == errc::coordinator_load_in_progress);
}

GroupDescription describe_one(Admin::Impl& impl, const std::string& group, AdminClock::time_point until) {
    GroupDescription g;
    g.group_id = group;
    for (int attempt = 0;; ++attempt) {
        Coordinator c = find_coordinator(impl, group, until);
        if (c.error) {
            g.error = c.error;
            g.message = c.message;
            return g;
        }
        g.coordinator = c.node_id;
        g.coordinator_host = c.host;
        g.coordinator_port = c.port;
        auto a = impl.call(c.node_id, [group](int16_t) {
            DescribeGroupsRequest r;
            r.groups = {group};
            return r;
        }, until);
        std::error_code ec = a.error;
        const DescribeGroupsResponse::DescribedGroup* d = nullptr;
        if (!ec) {
            d = a.response.find(group);
            if (!d) ec = client_errc::malformed;
            else ec = broker_error(d->error_code);
        }
        if (ec && coordinator_moved(ec) && Admin::Impl::backoff(attempt, until)) continue;
        if (ec) {
            g.error = ec;
            g.message = impl.explain(ec, DescribeGroupsRequest::key, c.node_id);
            if (d && d->error_message) g.message += ": " + *d->error_message;
            return g;
        }
        g.state = d->group_state;
        g.protocol_type = d->protocol_type;
        g.protocol = d->protocol_data;
        for (const auto& m : d->members)
            g.members.push_back(describe_member(m.member_id, m.group_instance_id, m.client_id, m.client_host,
                                                d->protocol_type, m.member_metadata, m.member_assignment));
        std::sort(g.members.begin(), g.members.end(),
                  [](const MemberDescription& x, const MemberDescription& y) { return x.member_id < y.member_id; });
        return g;
    }
}

struct EndOffset {
    int64_t offset = -1;
    std::error_code error;
};

// The high watermark of each partition, from its leader; one more round for
// partitions whose leader moved.
std::map<TopicPartition, EndOffset> end_offsets_of(Admin::Impl& impl, const std::vector<TopicPartition>& partitions,
                                                   AdminClock::time_point until, std::string& message) {
    std::map<TopicPartition, EndOffset> out;
    std::set<TopicPartition> todo(partitions.begin(), partitions.end());
    for (int round = 0; !todo.empty(); ++round) {
        std::set<std::string> topic_names;
        for (const auto& tp : todo) topic_names.insert(tp.topic);
        auto md = fetch_metadata(impl, {topic_names.begin(), topic_names.end()}, false, until);
        if (!md) {
            for (const auto& tp : todo) out[tp].error = md.error;
            message = md.message;
            return out;
        }
        // Group by leader.
        std::map<int32_t, std::vector<TopicPartition>> by_leader;
        for (const auto& tp : todo) {
            int32_t leader = -1;
            for (const auto& t : md.value.topics) {
                if (t.name != tp.topic) continue;
                if (t.error) out[tp].error = t.error;
                for (const auto& p : t.partitions)
                    if (p.partition == tp.partition) leader = p.leader;
            }
            if (leader < 0) {
                if (!out[tp].error) out[tp].error = errc::leader_not_available;
                continue;
            }
            by_leader[leader].push_back(tp);
        }
        std::vector<std::pair<int32_t, Pending<ListOffsetsResponse>>> asked;
        for (const auto& [leader, tps] : by_leader) {
            asked.emplace_back(leader, impl.start(leader, [tps = tps](int16_t) {
                ListOffsetsRequest r;
                for (const auto& tp : tps) {
                    if (r.topics.empty() || r.topics.back().name != tp.topic) r.topics.push_back({tp.topic, {}, {}});
                    ListOffsetsRequest::Partition p;
                    p.partition_index = tp.partition;
                    p.timestamp = kListOffsetsLatest;
                    r.topics.back().partitions.push_back(p);
                }
                return r;
            }));
        }
        std::set<TopicPartition> again;
        for (auto& [leader, pending] : asked) {
            auto a = impl.wait(pending, until);
            for (const auto& tp : by_leader[leader]) {
                EndOffset& e = out[tp];
                e.error = a.error;
                if (a.error) {
                    if (message.empty()) message = impl.explain(a.error, ListOffsetsRequest::key, leader);
                    if (error_action(a.error, ErrorContext::list_offsets).retriable() && round == 0) again.insert(tp);
                    continue;
                }
                const ListOffsetsResponse::Partition* p = a.response.find(tp.topic, tp.partition);
                if (!p) {
                    e.error = client_errc::malformed;
                    continue;
                }
                e.error = broker_error(p->error_code);
                if (e.error) {
                    if (error_action(e.error, ErrorContext::list_offsets).refresh_metadata && round == 0) again.insert(tp);
                    continue;
                }
                // v0 answers with a list of offsets; v1+ with one.
                if (a.version == 0) e.offset = p->old_style_offsets.empty() ? -1 : p->old_style_offsets.front();
                else e.offset = p->offset;
            }
        }
        todo = std::move(again);
        if (!todo.empty() && !Admin::Impl::backoff(round, until)) break;
    }
    return out;
}

// What OffsetFetch answered for one partition, whichever version (by name up
// to v9, by topic id in v10).
const OffsetFetchResponse::Partition* committed_in(const OffsetFetchResponse& r, int16_t version,
                                                   const std::string& group, const TopicDescription& topic,
                                                   int32_t partition) {
    if (version < 10) return r.find(group, topic.name, partition);
    for (const auto& g : r.groups) {
        if (g.group_id != group) continue;
        for (const auto& t : g.topics) {
            if (t.topic_id != topic.topic_id) continue;
            for (const auto& p : t.partitions)
                if (p.partition_index == partition) return &p;
        }
    }
    return nullptr;
}

}  // namespace

AdminResult<std::vector<GroupListing>> Admin::list_groups() {
    auto until = impl_->deadline();
    auto brokers = impl_->broker_ids();
    std::vector<Pending<ListGroupsResponse>> asked;
    for (int32_t b : brokers) asked.push_back(impl_->start(b, [](int16_t) { return ListGroupsRequest{}; }));
    AdminResult<std::vector<GroupListing>> r;
    std::vector<std::string> failures;
    size_t failed = 0;
    std::error_code first_error;
    for (size_t i = 0; i < asked.size(); ++i) {
        auto a = impl_->wait(asked[i], until);
        std::error_code ec = a.error ? a.error : broker_error(a.response.error_code);
        if (ec) {
            ++failed;
            if (!first_error) first_error = ec;
            failures.push_back(impl_->explain(ec, ListGroupsRequest::key, brokers[i]));
            continue;
        }
        for (const auto& g : a.response.groups)
            r.value.push_back({g.group_id, g.protocol_type, g.group_state, brokers[i]});
    }
    std::sort(r.value.begin(), r.value.end(),
              [](const GroupListing& x, const GroupListing& y) { return x.group_id < y.group_id; });
    if (failed) {
        r.error = first_error;
        if (failed == brokers.size() && first_error == client_errc::no_version_in_common)
            r.message = "no broker supports ListGroups (API key " + std::to_string(ListGroupsRequest::key) +
                        "): " + failures.front();
        else
            for (const auto& f : failures) r.message += (r.message.empty() ? "" : "; ") + f;
    }
    return r;
}

AdminResult<std::vector<GroupDescription>> Admin::describe_groups(const std::vector<std::string>& group_ids) {
    auto until = impl_->deadline();
    AdminResult<std::vector<GroupDescription>> r;
    for (const auto& id : group_ids) {
        r.value.push_back(describe_one(*impl_, id, until));
        const GroupDescription& g = r.value.back();
        if (g.error && !r.error) {
            r.error = g.error;
            r.message = g.message;
        }
    }
    return r;
}

AdminResult<std::map<TopicPartition, int64_t>> Admin::committed_offsets(const std::string& group_id,
                                                                        const std::vector<std::string>& topics) {
    auto until = impl_->deadline();
    using Out = std::map<TopicPartition, int64_t>;
    // OffsetFetch names partitions: take them from the metadata.
    auto md = fetch_metadata(*impl_, topics, false, until);
    if (!md) return admin_fail<Out>(md.error, md.message);
    std::vector<TopicDescription> wanted;
    for (auto& t : md.value.topics) {
        if (t.error) {
            if (!topics.empty()) return admin_fail<Out>(t.error, "topic '" + t.name + "': " + t.error.message());
            continue;
        }
        if (topics.empty() && t.is_internal) continue;
        wanted.push_back(std::move(t));
    }
    auto build = [wanted, group_id](int16_t v) {
        OffsetFetchRequest r;
        std::vector<OffsetFetchRequest::Topic> list;
        for (const auto& t : wanted) {
            OffsetFetchRequest::Topic ft;
            if (v >= 10) ft.topic_id = t.topic_id;  // KIP-848 names topics by id
            else ft.name = t.name;
            for (const auto& p : t.partitions) ft.partition_indexes.push_back(p.partition);
            list.push_back(std::move(ft));
        }
        if (v >= 8) {  // KIP-709: one entry per group
            OffsetFetchRequest::Group g;
            g.group_id = group_id;
            g.topics = std::move(list);
            r.groups.push_back(std::move(g));
        } else {
            r.group_id = group_id;
            r.topics = std::move(list);
        }
        return r;
    };
    for (int attempt = 0;; ++attempt) {
        Coordinator c = find_coordinator(*impl_, group_id, until);
        if (c.error) return admin_fail<Out>(c.error, c.message);
        auto a = impl_->call(c.node_id, build, until);
        std::error_code ec = a.error ? a.error : broker_error(a.response.group_error(group_id));
        if (ec && coordinator_moved(ec) && Impl::backoff(attempt, until)) continue;
        if (ec) return admin_fail<Out>(ec, impl_->explain(ec, OffsetFetchRequest::key, c.node_id));
        Out out;
        for (const auto& t : wanted) {
            for (const auto& p : t.partitions) {
                const auto* got = committed_in(a.response, a.version, group_id, t, p.partition);
                int64_t offset = got && got->error_code == 0 ? got->committed_offset : -1;
                if (offset >= 0 || !topics.empty()) out[{t.name, p.partition}] = offset;
            }
        }
        return {std::move(out), {}, {}};
    }
}

AdminResult<std::map<TopicPartition, int64_t>> Admin::end_offsets(const std::vector<TopicPartition>& partitions) {
    std::string message;
    auto got = end_offsets_of(*impl_, partitions, impl_->deadline(), message);
    AdminResult<std::map<TopicPartition, int64_t>> r;
    for (const auto& [tp, e] : got) {
        r.value[tp] = e.offset;
        if (e.error && !r.error) {
            r.error = e.error;
            r.message = message.empty() ? tp.to_string() + ": " + e.error.message() : message;
        }
    }
    return r;
}

AdminResult<GroupLag> Admin::group_lag(const std::string& group_id, const std::vector<std::string>& topics) {
    AdminResult<GroupLag> r;
    GroupLag& lag = r.value;
    lag.group_id = group_id;

    auto committed = committed_offsets(group_id, topics);
    if (!committed) return admin_fail<GroupLag>(committed.error, committed.message, std::move(lag));

    // Members and their assignments, when the broker can describe groups.
    std::map<TopicPartition, const MemberDescription*> owner;
    auto described = describe_groups({group_id});
    const GroupDescription* g = described.value.empty() ? nullptr : &described.value.front();
    if (g && !g->error) {
        lag.state = g->state;
        lag.coordinator = g->coordinator;
        for (const auto& m : g->members)
            for (const auto& tp : m.assignment) {
                if (!topics.empty() && std::find(topics.begin(), topics.end(), tp.topic) == topics.end()) continue;
                owner[tp] = &m;
                committed.value.emplace(tp, -1);  // assigned but never committed
            }
    } else {
        lag.members_note = g ? g->message : described.message;
    }

    std::vector<TopicPartition> parts;
    for (const auto& [tp, off] : committed.value) parts.push_back(tp);
    std::string message;
    auto ends = end_offsets_of(*impl_, parts, impl_->deadline(), message);

    for (const auto& [tp, off] : committed.value) {
        GroupPartitionLag pl;
        pl.partition = tp;
        pl.committed_offset = off;
        auto e = ends.find(tp);
        if (e != ends.end()) {
            pl.end_offset = e->second.offset;
            pl.error = e->second.error;
        }
        if (pl.end_offset >= 0 && pl.committed_offset >= 0) pl.lag = std::max<int64_t>(0, pl.end_offset - pl.committed_offset);
        if (auto o = owner.find(tp); o != owner.end()) {
            pl.member_id = o->second->member_id;
            pl.client_id = o->second->client_id;
            pl.client_host = o->second->client_host;
        }
        if (pl.end_offset >= 0) lag.total_end += pl.end_offset;
        if (pl.committed_offset >= 0) lag.total_committed += pl.committed_offset;
        if (pl.lag >= 0) lag.total_lag += pl.lag;
        if (pl.error && !r.error) {
            r.error = pl.error;
            r.message = message.empty() ? tp.to_string() + ": " + pl.error.message() : message;
        }
        lag.partitions.push_back(std::move(pl));
    }
    return r;
}

}  // namespace kafka
