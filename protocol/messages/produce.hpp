// Produce (key 0): writes record batches to partition leaders.
//
// v3 adds the transactional id and the v2 record format (Kafka 4.x accepts
// v3+; older versions are kept for old peers), v9 is flexible (KIP-482),
// v10 adds the new-leader hints CurrentLeader and NodeEndpoints (KIP-951),
// v13 names topics by id instead of by name (KIP-516).
//
// The records travel as-is in a RecordsField; protocol/records builds and
// reads them. acks = 0 requests get no response at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct ProduceResponse;

struct ProduceRequest {
    static constexpr ApiKey key{0};
    static constexpr const char* name = "Produce";
    static constexpr VersionRange versions{0, 13};
    static constexpr int16_t first_flexible = 9;
    using response_type = ProduceResponse;

    struct PartitionProduceData {
        int32_t index = 0;
        RecordsField records;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("index", index);
            io.field("records", records);
        }
    };
    struct TopicProduceData {
        std::string name;  // v0-12
        Uuid topic_id;     // v13+, KIP-516
        std::vector<PartitionProduceData> partition_data;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, v <= 12);
            io.field("topic_id", topic_id, v >= 13);
            io.field("partition_data", partition_data);
        }
    };

    std::optional<std::string> transactional_id;  // v3+
    int16_t acks = 0;
    int32_t timeout_ms = 0;
    std::vector<TopicProduceData> topic_data;
    TaggedFields unknown_tags;  // v9+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("transactional_id", transactional_id, v >= 3, Nullable{true});
        io.field("acks", acks);
        io.field("timeout_ms", timeout_ms);
        io.field("topic_data", topic_data);
    }

    // Whether the broker answers at all: with acks = 0 it sends nothing back.
    bool expects_response() const { return acks != 0; }

    void encode(Writer& w, int16_t version) const;
    static Result<ProduceRequest> decode(Reader& r, int16_t version);
};

struct ProduceResponse {
    static constexpr ApiKey key{0};
    static constexpr const char* name = "Produce";
    static constexpr VersionRange versions = ProduceRequest::versions;
    static constexpr int16_t first_flexible = ProduceRequest::first_flexible;

    struct BatchIndexAndErrorMessage {
        int32_t batch_index = 0;                                // v8+
        std::optional<std::string> batch_index_error_message;  // v8+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("batch_index", batch_index);
            io.field("batch_index_error_message", batch_index_error_message, true, Nullable{true});
        }
    };
    struct LeaderIdAndEpoch {
        int32_t leader_id = -1;
        int32_t leader_epoch = -1;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("leader_id", leader_id, true, int32_t{-1});
            io.field("leader_epoch", leader_epoch, true, int32_t{-1});
        }
    };
    struct PartitionProduceResponse {
        int32_t index = 0;
        int16_t error_code = 0;
        int64_t base_offset = 0;
        int64_t log_append_time_ms = -1;                        // v2+
        int64_t log_start_offset = -1;                          // v5+
        std::vector<BatchIndexAndErrorMessage> record_errors;  // v8+, KIP-467
        std::optional<std::string> error_message;              // v8+
        LeaderIdAndEpoch current_leader;                       // v10+, tag 0, KIP-951
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("index", index);
            io.field("error_code", error_code);
            io.field("base_offset", base_offset);
            io.field("log_append_time_ms", log_append_time_ms, v >= 2, int64_t{-1});
            io.field("log_start_offset", log_start_offset, v >= 5, int64_t{-1});
            io.field("record_errors", record_errors, v >= 8);
            io.field("error_message", error_message, v >= 8, Nullable{true});
            io.tagged(0, "current_leader", current_leader, v >= 10);
        }
    };
    struct TopicProduceResponse {
        std::string name;  // v0-12
        Uuid topic_id;     // v13+, KIP-516
        std::vector<PartitionProduceResponse> partition_responses;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, v <= 12);
            io.field("topic_id", topic_id, v >= 13);
            io.field("partition_responses", partition_responses);
        }
    };
    struct NodeEndpoint {
        int32_t node_id = 0;
        std::string host;
        int32_t port = 0;
        std::optional<std::string> rack;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("node_id", node_id);
            io.field("host", host);
            io.field("port", port);
            io.field("rack", rack, true, Nullable{true});
        }
    };

    std::vector<TopicProduceResponse> responses;
    int32_t throttle_time_ms = 0;               // v1+
    std::vector<NodeEndpoint> node_endpoints;  // v10+, tag 0, KIP-951
    TaggedFields unknown_tags;                 // v9+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("responses", responses);
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.tagged(0, "node_endpoints", node_endpoints, v >= 10);
    }

    // The answer for one partition, by topic name (v0-12) or id (v13+).
    const PartitionProduceResponse* find(const std::string& topic, int32_t partition) const;
    const PartitionProduceResponse* find(const Uuid& topic_id, int32_t partition) const;

    void encode(Writer& w, int16_t version) const;
    static Result<ProduceResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
