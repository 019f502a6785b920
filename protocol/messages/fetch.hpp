// Fetch (key 1): reads record batches from partition leaders (or followers,
// KIP-392).
//
// v4 adds the isolation level and aborted transactions (Kafka 4.x accepts
// v4+; older versions are kept for old peers), v7 fetch sessions (KIP-227),
// v9 the current leader epoch (KIP-320), v11 rack-aware fetching (KIP-392),
// v12 is flexible (KIP-482) with epoch divergence detection (KIP-595),
// v13 names topics by id (KIP-516), v15 replaces replica_id by ReplicaState
// (KIP-903), v16 adds NodeEndpoints (KIP-951), v17 the replica directory id
// (KIP-853), v18 the follower's high watermark (KIP-1166).
//
// The records come back as-is in a RecordsField; protocol/records reads them.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct FetchResponse;

struct FetchRequest {
    static constexpr ApiKey key{1};
    static constexpr const char* name = "Fetch";
    static constexpr VersionRange versions{0, 18};
    static constexpr int16_t first_flexible = 12;
    using response_type = FetchResponse;

    struct ReplicaState {
        int32_t replica_id = -1;
        int64_t replica_epoch = -1;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("replica_id", replica_id, true, int32_t{-1});
            io.field("replica_epoch", replica_epoch, true, int64_t{-1});
        }
    };
    struct FetchPartition {
        int32_t partition = 0;
        int32_t current_leader_epoch = -1;  // v9+, KIP-320
        int64_t fetch_offset = 0;
        int32_t last_fetched_epoch = -1;  // v12+
        int64_t log_start_offset = -1;    // v5+
        int32_t partition_max_bytes = 0;
        Uuid replica_directory_id;                                    // v17+, tag 0, KIP-853
        int64_t high_watermark = std::numeric_limits<int64_t>::max();  // v18+, tag 1, KIP-1166
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition", partition);
            io.field("current_leader_epoch", current_leader_epoch, v >= 9, int32_t{-1});
            io.field("fetch_offset", fetch_offset);
            io.field("last_fetched_epoch", last_fetched_epoch, v >= 12, int32_t{-1});
            io.field("log_start_offset", log_start_offset, v >= 5, int64_t{-1});
            io.field("partition_max_bytes", partition_max_bytes);
            io.tagged(0, "replica_directory_id", replica_directory_id, v >= 17);
            io.tagged(1, "high_watermark", high_watermark, v >= 18, std::numeric_limits<int64_t>::max());
        }
    };
    struct FetchTopic {
        std::string topic;  // v0-12
        Uuid topic_id;      // v13+, KIP-516
        std::vector<FetchPartition> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("topic", topic, v <= 12);
            io.field("topic_id", topic_id, v >= 13);
            io.field("partitions", partitions);
        }
    };
    struct ForgottenTopic {
        std::string topic;  // v7-12
        Uuid topic_id;      // v13+
        std::vector<int32_t> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("topic", topic, v <= 12);
            io.field("topic_id", topic_id, v >= 13);
            io.field("partitions", partitions);
        }
    };

    std::optional<std::string> cluster_id;  // v12+, tag 0
    int32_t replica_id = -1;                // v0-14
    ReplicaState replica_state;             // v15+, tag 1, KIP-903
    int32_t max_wait_ms = 0;
    int32_t min_bytes = 0;
    int32_t max_bytes = 0x7fffffff;  // v3+
    int8_t isolation_level = 0;      // v4+
    int32_t session_id = 0;          // v7+, KIP-227
    int32_t session_epoch = -1;      // v7+
    std::vector<FetchTopic> topics;
    std::vector<ForgottenTopic> forgotten_topics_data;  // v7+
    std::string rack_id;                                // v11+, KIP-392
    TaggedFields unknown_tags;                          // v12+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("replica_id", replica_id, v <= 14, int32_t{-1});
        io.field("max_wait_ms", max_wait_ms);
        io.field("min_bytes", min_bytes);
        io.field("max_bytes", max_bytes, v >= 3, int32_t{0x7fffffff});
        io.field("isolation_level", isolation_level, v >= 4);
        io.field("session_id", session_id, v >= 7);
        io.field("session_epoch", session_epoch, v >= 7, int32_t{-1});
        io.field("topics", topics);
        io.field("forgotten_topics_data", forgotten_topics_data, v >= 7);
        io.field("rack_id", rack_id, v >= 11);
        io.tagged(0, "cluster_id", cluster_id, v >= 12);
        io.tagged(1, "replica_state", replica_state, v >= 15);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<FetchRequest> decode(Reader& r, int16_t version);
};

struct FetchResponse {
    static constexpr ApiKey key{1};
    static constexpr const char* name = "Fetch";
    static constexpr VersionRange versions = FetchRequest::versions;
    static constexpr int16_t first_flexible = FetchRequest::first_flexible;

    struct EpochEndOffset {
        int32_t epoch = -1;
        int64_t end_offset = -1;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("epoch", epoch, true, int32_t{-1});
            io.field("end_offset", end_offset, true, int64_t{-1});
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
    struct SnapshotId {
        int64_t end_offset = -1;
        int32_t epoch = -1;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("end_offset", end_offset, true, int64_t{-1});
            io.field("epoch", epoch, true, int32_t{-1});
        }
    };
    struct AbortedTransaction {
        int64_t producer_id = 0;
        int64_t first_offset = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("producer_id", producer_id);
            io.field("first_offset", first_offset);
        }
    };
    struct PartitionData {
        int32_t partition_index = 0;
        int16_t error_code = 0;
        int64_t high_watermark = 0;
        int64_t last_stable_offset = -1;  // v4+
        int64_t log_start_offset = -1;    // v5+
        EpochEndOffset diverging_epoch;   // v12+, tag 0
        LeaderIdAndEpoch current_leader;  // v12+, tag 1
        SnapshotId snapshot_id;           // v12+, tag 2
        // v4+; null (the default) and empty differ on the wire.
        std::optional<std::vector<AbortedTransaction>> aborted_transactions;
        int32_t preferred_read_replica = -1;  // v11+, KIP-392
        RecordsField records;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition_index", partition_index);
            io.field("error_code", error_code);
            io.field("high_watermark", high_watermark);
            io.field("last_stable_offset", last_stable_offset, v >= 4, int64_t{-1});
            io.field("log_start_offset", log_start_offset, v >= 5, int64_t{-1});
            io.field("aborted_transactions", aborted_transactions, v >= 4, Nullable{true});
            io.field("preferred_read_replica", preferred_read_replica, v >= 11, int32_t{-1});
            io.field("records", records);
            io.tagged(0, "diverging_epoch", diverging_epoch, v >= 12);
            io.tagged(1, "current_leader", current_leader, v >= 12);
            io.tagged(2, "snapshot_id", snapshot_id, v >= 12);
        }
    };
    struct FetchableTopicResponse {
        std::string topic;  // v0-12
        Uuid topic_id;      // v13+, KIP-516
        std::vector<PartitionData> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("topic", topic, v <= 12);
            io.field("topic_id", topic_id, v >= 13);
            io.field("partitions", partitions);
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

    int32_t throttle_time_ms = 0;  // v1+
    int16_t error_code = 0;        // v7+
    int32_t session_id = 0;        // v7+, KIP-227
    std::vector<FetchableTopicResponse> responses;
    std::vector<NodeEndpoint> node_endpoints;  // v16+, tag 0, KIP-951
    TaggedFields unknown_tags;                 // v12+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code, v >= 7);
        io.field("session_id", session_id, v >= 7);
        io.field("responses", responses);
        io.tagged(0, "node_endpoints", node_endpoints, v >= 16);
    }

    // The data for one partition, by topic name (v0-12) or id (v13+).
    const PartitionData* find(const std::string& topic, int32_t partition) const;
    const PartitionData* find(const Uuid& topic_id, int32_t partition) const;

    void encode(Writer& w, int16_t version) const;
    static Result<FetchResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
