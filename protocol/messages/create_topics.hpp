// CreateTopics (key 19). v1 adds validate_only, v4 lets num_partitions and
// replication_factor be -1 for the broker defaults (KIP-464), v5+ is flexible
// and answers with the topic's partitions, replication factor and configs
// (KIP-525), v6 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599), v7 returns the
// topic id (KIP-516). Kafka 4.x accepts v2+ (KIP-896).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct CreateTopicsResponse;

struct CreateTopicsRequest {
    static constexpr ApiKey key{19};
    static constexpr const char* name = "CreateTopics";
    static constexpr VersionRange versions{0, 7};
    static constexpr int16_t first_flexible = 5;
    using response_type = CreateTopicsResponse;

    struct Assignment {
        int32_t partition_index = 0;
        std::vector<int32_t> broker_ids;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("partition_index", partition_index);
            io.field("broker_ids", broker_ids);
        }
    };
    struct Config {
        std::string name;
        std::optional<std::string> value;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("value", value, true, Nullable{true});
        }
    };
    struct Topic {
        std::string name;
        int32_t num_partitions = 0;      // -1: broker default (v4+)
        int16_t replication_factor = 0;  // -1: broker default (v4+)
        std::vector<Assignment> assignments;
        std::vector<Config> configs;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("num_partitions", num_partitions);
            io.field("replication_factor", replication_factor);
            io.field("assignments", assignments);
            io.field("configs", configs);
        }
    };

    std::vector<Topic> topics;
    int32_t timeout_ms = 60000;
    bool validate_only = false;  // v1+
    TaggedFields unknown_tags;   // v5+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("topics", topics);
        io.field("timeout_ms", timeout_ms, true, int32_t{60000});
        io.field("validate_only", validate_only, v >= 1);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<CreateTopicsRequest> decode(Reader& r, int16_t version);
};

struct CreateTopicsResponse {
    static constexpr ApiKey key{19};
    static constexpr const char* name = "CreateTopics";
    static constexpr VersionRange versions = CreateTopicsRequest::versions;
    static constexpr int16_t first_flexible = CreateTopicsRequest::first_flexible;

    struct Config {
        std::string name;
        std::optional<std::string> value;
        bool read_only = false;
        int8_t config_source = -1;
        bool is_sensitive = false;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("value", value, true, Nullable{true});
            io.field("read_only", read_only);
            io.field("config_source", config_source, true, int8_t{-1});
            io.field("is_sensitive", is_sensitive);
        }
    };
    struct Topic {
        std::string name;
        Uuid topic_id;                              // v7+
        int16_t error_code = 0;
        std::optional<std::string> error_message;   // v1+
        int32_t num_partitions = -1;                // v5+
        int16_t replication_factor = -1;            // v5+
        std::optional<std::vector<Config>> configs;  // v5+, null when not described
        int16_t topic_config_error_code = 0;        // v5+, tag 0
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name);
            io.field("topic_id", topic_id, v >= 7);
            io.field("error_code", error_code);
            io.field("error_message", error_message, v >= 1, Nullable{true});
            io.field("num_partitions", num_partitions, v >= 5, int32_t{-1});
            io.field("replication_factor", replication_factor, v >= 5, int16_t{-1});
            io.field("configs", configs, v >= 5, Nullable{true});
            io.tagged(0, "topic_config_error_code", topic_config_error_code, v >= 5);
        }
    };

    int32_t throttle_time_ms = 0;  // v2+
    std::vector<Topic> topics;
    TaggedFields unknown_tags;     // v5+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 2);
        io.field("topics", topics);
    }

    const Topic* find_topic(const std::string& topic_name) const;

    void encode(Writer& w, int16_t version) const;
    static Result<CreateTopicsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
