// Metadata (key 3): brokers, controller and the partition leaders of topics.
// v1 makes the topic list nullable (null = all topics; in v0 an empty list
// means all), v4 adds allow_auto_topic_creation, v8 authorized operations
// (KIP-430), v9+ is flexible, v10 topic ids (KIP-516), v11 drops the cluster
// authorized operations (KIP-700, moved to DescribeCluster), v12 lets a topic
// be named by id only (null name), v13 adds a top-level error code (KIP-1102).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct MetadataResponse;

// The value of the authorized-operations fields when they were not requested.
inline constexpr int32_t kAuthorizedOperationsUnknown = INT32_MIN;

struct MetadataRequest {
    static constexpr ApiKey key{3};
    static constexpr const char* name = "Metadata";
    static constexpr VersionRange versions{0, 13};
    static constexpr int16_t first_flexible = 9;
    using response_type = MetadataResponse;

    struct Topic {
        Uuid topic_id;                   // v10+
        std::optional<std::string> name;  // null (by topic_id) in v10+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("topic_id", topic_id, v >= 10);
            io.field("name", name, true, Nullable{v >= 10});
        }
    };

    // Null asks for every topic (v1+); v0 has no null and reads an empty
    // list as "every topic" instead. The default is an empty list.
    std::optional<std::vector<Topic>> topics = std::vector<Topic>{};
    bool allow_auto_topic_creation = true;              // v4+
    bool include_cluster_authorized_operations = false;  // v8-10
    bool include_topic_authorized_operations = false;    // v8+
    TaggedFields unknown_tags;                           // v9+
    // Bytes a librdkafka client leaves after the message (see metadata.cpp);
    // kept verbatim and written back. Empty for a well-formed request.
    Bytes trailing_bytes;

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("topics", topics, true, Nullable{v >= 1});
        io.field("allow_auto_topic_creation", allow_auto_topic_creation, v >= 4, true);
        io.field("include_cluster_authorized_operations", include_cluster_authorized_operations, v >= 8 && v <= 10);
        io.field("include_topic_authorized_operations", include_topic_authorized_operations, v >= 8);
    }

    // Adds a topic by name.
    void add_topic(std::string topic_name);

    void encode(Writer& w, int16_t version) const;
    static Result<MetadataRequest> decode(Reader& r, int16_t version);
};

struct MetadataResponse {
    static constexpr ApiKey key{3};
    static constexpr const char* name = "Metadata";
    static constexpr VersionRange versions = MetadataRequest::versions;
    static constexpr int16_t first_flexible = MetadataRequest::first_flexible;

    struct Broker {
        int32_t node_id = 0;
        std::string host;
        int32_t port = 0;
        std::optional<std::string> rack;  // v1+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("node_id", node_id);
            io.field("host", host);
            io.field("port", port);
            io.field("rack", rack, v >= 1, Nullable{true});
        }
    };
    struct Partition {
        int16_t error_code = 0;
        int32_t partition_index = 0;
        int32_t leader_id = 0;
        int32_t leader_epoch = -1;              // v7+
        std::vector<int32_t> replica_nodes;
        std::vector<int32_t> isr_nodes;
        std::vector<int32_t> offline_replicas;  // v5+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("error_code", error_code);
            io.field("partition_index", partition_index);
            io.field("leader_id", leader_id);
            io.field("leader_epoch", leader_epoch, v >= 7, int32_t{-1});
            io.field("replica_nodes", replica_nodes);
            io.field("isr_nodes", isr_nodes);
            io.field("offline_replicas", offline_replicas, v >= 5);
        }
    };
    struct Topic {
        int16_t error_code = 0;
        std::optional<std::string> name = std::string{};  // null in v12+ when asked by id
        Uuid topic_id;                                     // v10+
        bool is_internal = false;                          // v1+
        std::vector<Partition> partitions;
        int32_t topic_authorized_operations = kAuthorizedOperationsUnknown;  // v8+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("error_code", error_code);
            io.field("name", name, true, Nullable{v >= 12});
            io.field("topic_id", topic_id, v >= 10);
            io.field("is_internal", is_internal, v >= 1);
            io.field("partitions", partitions);
            io.field("topic_authorized_operations", topic_authorized_operations, v >= 8,
                     kAuthorizedOperationsUnknown);
        }
    };

    int32_t throttle_time_ms = 0;                // v3+
    std::vector<Broker> brokers;
    std::optional<std::string> cluster_id;       // v2+
    int32_t controller_id = -1;                  // v1+
    std::vector<Topic> topics;
    int32_t cluster_authorized_operations = kAuthorizedOperationsUnknown;  // v8-10
    int16_t error_code = 0;                      // v13+
    TaggedFields unknown_tags;                   // v9+
    // Bytes the librdkafka mock broker leaves after the message (see
    // metadata.cpp); kept verbatim and written back. Empty when well-formed.
    Bytes trailing_bytes;

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 3);
        io.field("brokers", brokers);
        io.field("cluster_id", cluster_id, v >= 2, Nullable{true});
        io.field("controller_id", controller_id, v >= 1, int32_t{-1});
        io.field("topics", topics);
        io.field("cluster_authorized_operations", cluster_authorized_operations, v >= 8 && v <= 10,
                 kAuthorizedOperationsUnknown);
        io.field("error_code", error_code, v >= 13);
    }

    // The broker with `node_id`, if listed.
    const Broker* find_broker(int32_t node_id) const;
    // The topic named `topic_name`, if listed.
    const Topic* find_topic(const std::string& topic_name) const;

    void encode(Writer& w, int16_t version) const;
    static Result<MetadataResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
