// OffsetCommit (key 8): a consumer stores the offsets it has consumed in its
// group. v1 adds the member's generation and id (and a per-partition commit
// timestamp, v1 only), v2-4 carry a retention time instead, v3 throttle time,
// v6 the leader epoch (KIP-320), v7 group_instance_id (KIP-345), v8+ is
// flexible, v9 lets a KIP-848 member commit with its member epoch, v10 names
// topics by id instead of by name (KIP-848). Kafka 4.0 accepts v2+ (KIP-896).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct OffsetCommitResponse;

struct OffsetCommitRequest {
    static constexpr ApiKey key{8};
    static constexpr const char* name = "OffsetCommit";
    static constexpr VersionRange versions{0, 10};
    static constexpr int16_t first_flexible = 8;
    using response_type = OffsetCommitResponse;

    struct Partition {
        int32_t partition_index = 0;
        int64_t committed_offset = 0;
        int32_t committed_leader_epoch = -1;                          // v6+, KIP-320
        int64_t commit_timestamp = -1;                                // v1 only
        std::optional<std::string> committed_metadata = std::string{};
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition_index", partition_index);
            io.field("committed_offset", committed_offset);
            io.field("committed_leader_epoch", committed_leader_epoch, v >= 6, int32_t{-1});
            io.field("commit_timestamp", commit_timestamp, v == 1, int64_t{-1});
            io.field("committed_metadata", committed_metadata, true, Nullable{true});
        }
    };
    struct Topic {
        std::string name;  // v0-9
        Uuid topic_id;     // v10+
        std::vector<Partition> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, v <= 9);
            io.field("topic_id", topic_id, v >= 10);
            io.field("partitions", partitions);
        }
    };

    std::string group_id;
    // The generation for a classic member, the member epoch for a KIP-848 one;
    // -1 with an empty member id commits outside any group membership.
    int32_t generation_id_or_member_epoch = -1;     // v1+
    std::string member_id;                          // v1+
    std::optional<std::string> group_instance_id;   // v7+, KIP-345
    int64_t retention_time_ms = -1;                 // v2-4
    std::vector<Topic> topics;
    TaggedFields unknown_tags;                      // v8+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id);
        io.field("generation_id_or_member_epoch", generation_id_or_member_epoch, v >= 1, int32_t{-1});
        io.field("member_id", member_id, v >= 1);
        io.field("group_instance_id", group_instance_id, v >= 7, Nullable{v >= 7});
        io.field("retention_time_ms", retention_time_ms, v >= 2 && v <= 4, int64_t{-1});
        io.field("topics", topics);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<OffsetCommitRequest> decode(Reader& r, int16_t version);
};

struct OffsetCommitResponse {
    static constexpr ApiKey key{8};
    static constexpr const char* name = "OffsetCommit";
    static constexpr VersionRange versions = OffsetCommitRequest::versions;
    static constexpr int16_t first_flexible = OffsetCommitRequest::first_flexible;

    struct Partition {
        int32_t partition_index = 0;
        int16_t error_code = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("partition_index", partition_index);
            io.field("error_code", error_code);
        }
    };
    struct Topic {
        std::string name;  // v0-9
        Uuid topic_id;     // v10+
        std::vector<Partition> partitions;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, v <= 9);
            io.field("topic_id", topic_id, v >= 10);
            io.field("partitions", partitions);
        }
    };

    int32_t throttle_time_ms = 0;  // v3+
    std::vector<Topic> topics;
    TaggedFields unknown_tags;     // v8+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 3);
        io.field("topics", topics);
    }

    // The answer for one partition, by topic name (v0-9); nullptr when absent.
    const Partition* find(std::string_view topic, int32_t partition) const;

    void encode(Writer& w, int16_t version) const;
    static Result<OffsetCommitResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
