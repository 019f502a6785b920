// The consumer protocol of a classic group (protocol type "consumer"): what a
// member puts in JoinGroup, what the leader computes for SyncGroup, and what a
// member makes of its assignment. No I/O.
//
// Eager assignors (range, roundrobin) send ConsumerProtocolSubscription v0:
// the bytes kafka-python and older Java clients send and read, so that they
// and we can lead each other's groups. cooperative-sticky (KIP-429) needs the
// owned partitions and the generation, so it sends v2; only clients that know
// it can pick that protocol anyway.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/assignor.hpp"
#include "client/consumer_types.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/sync_group.hpp"
#include "protocol/result.hpp"

namespace kafka {

using PartitionSet = std::set<TopicPartition>;

// One JoinGroup protocol per assignor name, in order of preference.
Result<std::vector<JoinGroupRequest::Protocol>> join_protocols(const std::vector<std::string>& strategies,
                                                               const std::vector<std::string>& topics,
                                                               const PartitionSet& owned, int32_t generation);

// Every topic some member subscribes to (the leader needs their partition counts).
Result<std::set<std::string>> member_topics(const std::vector<JoinGroupResponse::Member>& members);

// The leader's work: run the assignor named by the chosen protocol over the
// members' subscriptions. `partitions` gives topic partition counts.
Result<std::vector<SyncGroupRequest::Assignment>> leader_assign(const std::string& protocol,
                                                                const std::vector<JoinGroupResponse::Member>& members,
                                                                const std::map<std::string, int32_t>& partitions,
                                                                std::string* error = nullptr);

// A member's assignment from SyncGroup (zero bytes: nothing assigned).
Result<PartitionSet> decode_member_assignment(const Bytes& assignment);

struct AssignmentChange {
    std::vector<TopicPartition> added;
    std::vector<TopicPartition> revoked;
};
AssignmentChange assignment_change(const PartitionSet& owned, const PartitionSet& assigned);

bool is_cooperative(const std::string& protocol);

}  // namespace kafka
