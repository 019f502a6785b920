// Cluster administration, as Kafka's AdminClient and the shell scripts do it:
// metadata and the API versions of each broker, topics (create, delete, list),
// consumer groups (list, describe with members and assignments), committed
// offsets and lag.
//
//     auto admin = kafka::Admin::create({{"bootstrap.servers", "127.0.0.1:9092"}});
//     if (!admin) ...                           // admin.message says why
//     auto created = (*admin)->create_topics({{"orders", 6, 3}});
//     auto lag = (*admin)->group_lag("billing");
//
// Calls block the calling thread (never the admin's own I/O thread) for at
// most default.api.timeout.ms. Each returns an AdminResult: the value, or an
// error with a message that names the API and the broker. Per-topic and
// per-group errors sit in the values, next to what succeeded.
//
// A broker that lacks an API (the librdkafka mock has no CreateTopics) gives
// client_errc::no_version_in_common and a message saying so. Topic creation
// can then fall back to broker-side auto-creation, only when asked
// (CreateTopicsOptions::fall_back_to_auto_create): the broker picks the
// partition count and the result says so.
//
// Settings: the network layer's (net/config.hpp: bootstrap.servers, SASL,
// timeouts, debug) plus default.api.timeout.ms (60000).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "client/consumer_types.hpp"
#include "client/properties.hpp"
#include "protocol/messages/consumer_protocol.hpp"

namespace kafka {

namespace net {
class Cluster;
class IoThread;
}  // namespace net

template <class T>
struct AdminResult {
    T value{};             // filled as far as the call got, even on error
    std::error_code error;
    std::string message;   // for people: what failed, on which broker, and why

    bool ok() const { return !error; }
    explicit operator bool() const { return ok(); }
};

// ---- metadata

struct ApiVersionRange {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
};

struct BrokerDescription {
    int32_t node_id = -1;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    bool is_controller = false;
    std::vector<ApiVersionRange> api_versions;  // from the broker's ApiVersions answer
    std::error_code api_versions_error;         // when that answer could not be had
};

struct PartitionDescription {
    int32_t partition = 0;
    int32_t leader = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    std::vector<int32_t> offline_replicas;
    std::error_code error;
};

struct TopicDescription {
    std::string name;
    Uuid topic_id;  // Metadata v10+ (KIP-516); zero before
    bool is_internal = false;
    std::error_code error;  // e.g. UNKNOWN_TOPIC_OR_PARTITION
    std::vector<PartitionDescription> partitions;  // sorted by partition
    // The replica count of the first partition (Kafka's "replication factor").
    int32_t replication_factor() const { return partitions.empty() ? 0 : static_cast<int32_t>(partitions[0].replicas.size()); }
};

struct ClusterDescription {
    std::optional<std::string> cluster_id;  // Metadata v2+
    int32_t controller_id = -1;             // Metadata v1+
    int16_t metadata_version = -1;
    std::vector<BrokerDescription> brokers;  // sorted by node id
    std::vector<TopicDescription> topics;    // sorted by name
};

struct DescribeClusterOptions {
    std::vector<std::string> topics;  // empty: every topic
    bool include_internal = true;
    bool api_versions = true;         // ask every broker for its API versions
};

// ---- topics

struct NewTopic {
    std::string name;
    int32_t num_partitions = -1;      // -1: the broker's default (CreateTopics v4+)
    int16_t replication_factor = -1;  // -1: the broker's default (CreateTopics v4+)
    std::map<std::string, std::string> configs;
};

struct CreateTopicsOptions {
    bool validate_only = false;
    // When no broker supports CreateTopics: create each topic by asking for its
    // metadata with allow_auto_topic_creation, where the broker allows it. The
    // broker then chooses the partition count and replication factor.
    bool fall_back_to_auto_create = false;
};

struct TopicResult {
    std::string name;
    std::error_code error;
    std::string message;              // the broker's error message, or ours
    int32_t num_partitions = -1;      // as created, when known
    int32_t replication_factor = -1;  // as created, when known
    bool auto_created = false;        // by the Metadata fallback
    bool settings_applied = true;     // false: partitions/replication/configs were the broker's choice
};

struct TopicListing {
    std::string name;
    bool is_internal = false;
    int32_t partitions = 0;
    int32_t replication_factor = 0;
};

// ---- groups

struct GroupListing {
    std::string group_id;
    std::string protocol_type;  // "consumer" for Kafka consumers
    std::string state;          // ListGroups v4+ (empty before)
    int32_t coordinator = -1;   // the broker that listed it
};

struct MemberDescription {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    std::string client_host;
    // Decoded from the consumer protocol bytes when protocol_type is "consumer".
    std::vector<std::string> subscribed_topics;
    std::vector<TopicPartition> assignment;  // sorted
    std::error_code decode_error;            // the member's bytes did not decode as the consumer protocol
};

struct GroupDescription {
    std::string group_id;
    std::error_code error;
    std::string message;
    std::string state;          // Stable, Empty, Dead, PreparingRebalance, CompletingRebalance
    std::string protocol_type;  // "consumer"
    std::string protocol;       // the assignor, e.g. "range"
    int32_t coordinator = -1;
    std::string coordinator_host;
    int32_t coordinator_port = 0;
    std::vector<MemberDescription> members;  // sorted by member id
};

struct GroupPartitionLag {
    TopicPartition partition;
    int64_t end_offset = -1;        // the high watermark; -1 when unknown
    int64_t committed_offset = -1;  // -1: nothing committed
    int64_t lag = -1;               // end - committed; -1 when either is unknown
    std::string member_id;          // the member it is assigned to, when known
    std::string client_id;
    std::string client_host;
    std::error_code error;          // from ListOffsets or OffsetFetch
};

struct GroupLag {
    std::string group_id;
    std::string state;  // when DescribeGroups answered
    int32_t coordinator = -1;
    std::vector<GroupPartitionLag> partitions;  // sorted
    int64_t total_end = 0;        // sums over partitions where the value is known
    int64_t total_committed = 0;
    int64_t total_lag = 0;
    // Why there is no member column (the broker lacks DescribeGroups, say).
    std::string members_note;
};

class Admin {
public:
    // Connects to the cluster (bootstrap) before returning. Unknown settings
    // are an error.
    static AdminResult<std::unique_ptr<Admin>> create(const Properties& settings);
    ~Admin();
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;

    // Brokers, topics, partitions, leaders, replicas and ISR, and the API
    // versions of every broker.
    AdminResult<ClusterDescription> describe_cluster(const DescribeClusterOptions& options = {});
    AdminResult<std::vector<TopicListing>> list_topics(bool include_internal = false);
    // The versions a broker supports (ApiVersions), cached per broker.
    AdminResult<std::vector<ApiVersionRange>> api_versions(int32_t broker_id);

    AdminResult<std::vector<TopicResult>> create_topics(const std::vector<NewTopic>& topics,
                                                        const CreateTopicsOptions& options = {});
    AdminResult<std::vector<TopicResult>> delete_topics(const std::vector<std::string>& topics);

    // Every group of every broker (ListGroups to each).
    AdminResult<std::vector<GroupListing>> list_groups();
    AdminResult<std::vector<GroupDescription>> describe_groups(const std::vector<std::string>& group_ids);
    // What the group committed. Only partitions with a commit, unless
    // `topics` names topics: then every partition of those.
    AdminResult<std::map<TopicPartition, int64_t>> committed_offsets(const std::string& group_id,
                                                                     const std::vector<std::string>& topics = {});
    // The next offset to be written (high watermark) of each partition, asked of each leader.
    AdminResult<std::map<TopicPartition, int64_t>> end_offsets(const std::vector<TopicPartition>& partitions);
    // End offset, committed offset and lag per partition, with totals.
    AdminResult<GroupLag> group_lag(const std::string& group_id, const std::vector<std::string>& topics = {});

    std::chrono::milliseconds timeout() const { return timeout_; }

    struct Impl;  // client/admin_detail.hpp

private:
    Admin() = default;
    std::unique_ptr<net::IoThread> io_;
    std::shared_ptr<net::Cluster> cluster_;
    std::chrono::milliseconds timeout_{60000};
    std::unique_ptr<Impl> impl_;
};

// A group member's consumer-protocol bytes (DescribeGroups) as topics and
// partitions. Exposed for tests.
MemberDescription describe_member(std::string member_id, std::optional<std::string> group_instance_id,
                                  std::string client_id, std::string client_host, const std::string& protocol_type,
                                  const Bytes& member_metadata, const Bytes& member_assignment);

// "the broker does not support CreateTopics (API key 19)" and the like: the
// words for an error met while calling `api_key` on broker `broker_id`.
std::string describe_admin_error(std::error_code ec, int16_t api_key, int32_t broker_id = -1,
                                 const std::string& detail = {});

}  // namespace kafka
