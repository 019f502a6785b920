// ListOffsets (key 2): the offset of a partition at a timestamp, or its
// earliest (-2) / latest (-1) offset. v0 answers with a list of old-style
// offsets; v1+ with one offset and its timestamp. v2 adds isolation_level
// (KIP-98), v4 leader epochs (KIP-320), v6+ is flexible, v7 max timestamp
// (KIP-734), v8 earliest-local (KIP-405), v9 latest-tiered (KIP-1005), v10
// timeout_ms (KIP-1075). Kafka 4.x accepts v1+ (KIP-896).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct ListOffsetsResponse;

// The special timestamps a ListOffsets partition may ask for.
inline constexpr int64_t kListOffsetsLatest = -1;
inline constexpr int64_t kListOffsetsEarliest = -2;
inline constexpr int64_t kListOffsetsMaxTimestamp = -3;    // v7+
inline constexpr int64_t kListOffsetsEarliestLocal = -4;   // v8+
inline constexpr int64_t kListOffsetsLatestTiered = -5;    // v9+

struct ListOffsetsRequest {
    static constexpr ApiKey key{2};
    static constexpr const char* name = "ListOffsets";
    static constexpr VersionRange versions{0, 10};
    static constexpr int16_t first_flexible = 6;
    using response_type = ListOffsetsResponse;

    struct Partition {
        int32_t partition_index = 0;
        int32_t current_leader_epoch = -1;  // v4+
        int64_t timestamp = 0;
        int32_t max_num_offsets = 1;        // v0 only
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition_index", partition_index);
            io.field("current_leader_epoch", current_leader_epoch, v >= 4, int32_t{-1});
            io.field("timestamp", timestamp);
            io.field("max_num_offsets", max_num_offsets, v == 0, int32_t{1});
        }
    };
    struct Topic {
        std::string name;
        std::vector<Partition> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("partitions", partitions);
        }
    };

    int32_t replica_id = -1;       // -1 for a consumer
    int8_t isolation_level = 0;    // v2+; 0 read_uncommitted, 1 read_committed
    std::vector<Topic> topics;
    int32_t timeout_ms = 0;        // v10+
    TaggedFields unknown_tags;     // v6+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("replica_id", replica_id);
        io.field("isolation_level", isolation_level, v >= 2);
        io.field("topics", topics);
        io.field("timeout_ms", timeout_ms, v >= 10);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<ListOffsetsRequest> decode(Reader& r, int16_t version);
};

struct ListOffsetsResponse {
    static constexpr ApiKey key{2};
    static constexpr const char* name = "ListOffsets";
    static constexpr VersionRange versions = ListOffsetsRequest::versions;
    static constexpr int16_t first_flexible = ListOffsetsRequest::first_flexible;

    struct Partition {
        int32_t partition_index = 0;
        int16_t error_code = 0;
        std::vector<int64_t> old_style_offsets;  // v0 only
        int64_t timestamp = -1;                  // v1+
        int64_t offset = -1;                     // v1+
        int32_t leader_epoch = -1;               // v4+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition_index", partition_index);
            io.field("error_code", error_code);
            io.field("old_style_offsets", old_style_offsets, v == 0);
            io.field("timestamp", timestamp, v >= 1, int64_t{-1});
            io.field("offset", offset, v >= 1, int64_t{-1});
            io.field("leader_epoch", leader_epoch, v >= 4, int32_t{-1});
        }
    };
    struct Topic {
        std::string name;
        std::vector<Partition> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("partitions", partitions);
        }
    };

    int32_t throttle_time_ms = 0;  // v2+
    std::vector<Topic> topics;
    TaggedFields unknown_tags;     // v6+
    // The librdkafka 2.0 mock broker writes leader_epoch as an int64 (see
    // list_offsets.cpp). Set when decoded that way; encode() writes it back so.
    bool leader_epoch_as_int64 = false;

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 2);
        io.field("topics", topics);
    }

    // The answer for one partition, if present.
    const Partition* find(const std::string& topic, int32_t partition) const;

    void encode(Writer& w, int16_t version) const;
    static Result<ListOffsetsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
