// Partition assignors for the classic group protocol (protocol type
// "consumer"): the group leader runs one over every member's subscription.
// Names and results match the Java client's, so a member of another client
// (kafka-python, librdkafka) and ours can share one group.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kafka {

// topic -> partitions, sorted.
using TopicPartitions = std::map<std::string, std::vector<int32_t>>;

struct AssignorMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // KIP-345 static membership
    std::vector<std::string> topics;                // subscription
    TopicPartitions owned;                          // what it holds now (cooperative, KIP-429)
    int32_t generation = -1;                        // generation of `owned`
};

enum class RebalanceProtocol { eager, cooperative };

class Assignor {
public:
    virtual ~Assignor() = default;
    // Kafka's name: "range", "roundrobin", "cooperative-sticky".
    virtual const char* name() const = 0;
    virtual RebalanceProtocol protocol() const = 0;
    // member_id -> assignment. `partitions` gives each topic's partition count;
    // topics missing from it are skipped.
    virtual std::map<std::string, TopicPartitions> assign(const std::vector<AssignorMember>& members,
                                                          const std::map<std::string, int32_t>& partitions) const = 0;
};

// By Kafka name; nullptr for an unknown name.
std::unique_ptr<Assignor> make_assignor(const std::string& name);

// For each topic, members subscribed to it (sorted by member id) each get a
// contiguous range; the first (n % members) get one extra.
class RangeAssignor final : public Assignor {
public:
    const char* name() const override { return "range"; }
    RebalanceProtocol protocol() const override { return RebalanceProtocol::eager; }
    std::map<std::string, TopicPartitions> assign(const std::vector<AssignorMember>& members,
                                                  const std::map<std::string, int32_t>& partitions) const override;
};

// All partitions of all topics in order, dealt to members (sorted by member
// id) in turn, skipping members not subscribed to the partition's topic.
class RoundRobinAssignor final : public Assignor {
public:
    const char* name() const override { return "roundrobin"; }
    RebalanceProtocol protocol() const override { return RebalanceProtocol::eager; }
    std::map<std::string, TopicPartitions> assign(const std::vector<AssignorMember>& members,
                                                  const std::map<std::string, int32_t>& partitions) const override;
};

// KIP-429: keeps each member's owned partitions while balanced, moves only
// the surplus, and leaves a partition that changes owner unassigned for this
// round so its old owner can revoke it first; the next rebalance assigns it.
class CooperativeStickyAssignor final : public Assignor {
public:
    const char* name() const override { return "cooperative-sticky"; }
    RebalanceProtocol protocol() const override { return RebalanceProtocol::cooperative; }
    std::map<std::string, TopicPartitions> assign(const std::vector<AssignorMember>& members,
                                                  const std::map<std::string, int32_t>& partitions) const override;
};

}  // namespace kafka
