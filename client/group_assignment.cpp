#include "client/group_assignment.hpp"

#include <algorithm>

#include "protocol/messages/consumer_protocol.hpp"

namespace kafka {

namespace {

int16_t subscription_version(const std::string& protocol) { return is_cooperative(protocol) ? 2 : 0; }
int16_t assignment_version(const std::string& protocol) { return is_cooperative(protocol) ? 1 : 0; }

std::vector<ConsumerProtocolTopicPartition> to_protocol(const PartitionSet& parts) {
    std::vector<ConsumerProtocolTopicPartition> out;
    for (const auto& tp : parts) {
        if (out.empty() || out.back().topic != tp.topic) {
            out.emplace_back();
            out.back().topic = tp.topic;
        }
        out.back().partitions.push_back(tp.partition);
    }
    return out;
}

}  // namespace

bool is_cooperative(const std::string& protocol) {
    auto a = make_assignor(protocol);
    return a && a->protocol() == RebalanceProtocol::cooperative;
}

Result<std::vector<JoinGroupRequest::Protocol>> join_protocols(const std::vector<std::string>& strategies,
                                                               const std::vector<std::string>& topics,
                                                               const PartitionSet& owned, int32_t generation) {
    std::vector<JoinGroupRequest::Protocol> out;
    for (const auto& name : strategies) {
        ConsumerProtocolSubscription sub;
        sub.topics = topics;
        std::sort(sub.topics.begin(), sub.topics.end());
        int16_t version = subscription_version(name);
        if (version >= 1) sub.owned_partitions = to_protocol(owned);
        if (version >= 2) sub.generation_id = generation;
        auto bytes = encode_consumer_subscription(sub, version);
        if (!bytes) return bytes.error();
        JoinGroupRequest::Protocol p;
        p.name = name;
        p.metadata = std::move(*bytes);
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::set<std::string>> member_topics(const std::vector<JoinGroupResponse::Member>& members) {
    std::set<std::string> out;
    for (const auto& m : members) {
        auto sub = decode_consumer_subscription(m.metadata);
        if (!sub) return sub.error();
        out.insert(sub->topics.begin(), sub->topics.end());
    }
    return out;
}

Result<std::vector<SyncGroupRequest::Assignment>> leader_assign(const std::string& protocol,
                                                                const std::vector<JoinGroupResponse::Member>& members,
                                                                const std::map<std::string, int32_t>& partitions,
                                                                std::string* error) {
    auto assignor = make_assignor(protocol);
    if (!assignor) {
        if (error) *error = "the group chose assignor '" + protocol + "', which this client does not have";
        return client_errc::invalid_argument;
    }
    std::vector<AssignorMember> in;
    for (const auto& m : members) {
        auto sub = decode_consumer_subscription(m.metadata);
        if (!sub) {
            if (error) *error = "member " + m.member_id + " sent a subscription that does not decode";
            return sub.error();
        }
        AssignorMember am;
        am.member_id = m.member_id;
        am.group_instance_id = m.group_instance_id;
        am.topics = sub->topics;
        for (const auto& tp : sub->owned_partitions) {
            auto& ps = am.owned[tp.topic];
            ps.insert(ps.end(), tp.partitions.begin(), tp.partitions.end());
        }
        am.generation = sub->generation_id;
        in.push_back(std::move(am));
    }
    auto result = assignor->assign(in, partitions);
    std::vector<SyncGroupRequest::Assignment> out;
    for (const auto& m : members) {
        ConsumerProtocolAssignment a;
        for (const auto& [topic, parts] : result[m.member_id]) {
            if (parts.empty()) continue;
            a.assigned_partitions.emplace_back();
            a.assigned_partitions.back().topic = topic;
            a.assigned_partitions.back().partitions = parts;
        }
        auto bytes = encode_consumer_assignment(a, assignment_version(protocol));
        if (!bytes) return bytes.error();
        SyncGroupRequest::Assignment sa;
        sa.member_id = m.member_id;
        sa.assignment = std::move(*bytes);
        out.push_back(std::move(sa));
    }
    return out;
}

Result<PartitionSet> decode_member_assignment(const Bytes& assignment) {
    auto a = decode_consumer_assignment(assignment);
    if (!a) return a.error();
    PartitionSet out;
    for (const auto& tp : a->assigned_partitions)
        for (int32_t p : tp.partitions) out.insert({tp.topic, p});
    return out;
}

AssignmentChange assignment_change(const PartitionSet& owned, const PartitionSet& assigned) {
    AssignmentChange c;
    std::set_difference(assigned.begin(), assigned.end(), owned.begin(), owned.end(), std::back_inserter(c.added));
    std::set_difference(owned.begin(), owned.end(), assigned.begin(), assigned.end(), std::back_inserter(c.revoked));
    return c;
}

}  // namespace kafka
