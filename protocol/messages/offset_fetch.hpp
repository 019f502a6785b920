// OffsetFetch (key 9): the offsets a group has committed. v1 reads them from
// __consumer_offsets (v0 read ZooKeeper), v2 allows null topics (= all) and
// adds a top-level error, v3 throttle time, v5 the leader epoch (KIP-320), v6+
// is flexible, v7 adds require_stable (KIP-447), v8 batches several groups
// (KIP-709), v9 adds the KIP-848 member id and epoch, v10 names topics by id
// instead of by name (KIP-848). Kafka 4.0 accepts v1+ (KIP-896).
//
// The per-group topics of v8+ have the same layout as the top-level topics of
// v0-7 (in both directions), so each pair shares one struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct OffsetFetchResponse;

struct OffsetFetchRequest {
    static constexpr ApiKey key{9};
    static constexpr const char* name = "OffsetFetch";
    static constexpr VersionRange versions{0, 10};
    static constexpr int16_t first_flexible = 6;
    using response_type = OffsetFetchResponse;

    // Kafka's OffsetFetchRequestTopic (v0-7) and OffsetFetchRequestTopics (v8+).
    struct Topic {
        std::string name;  // v0-9
        Uuid topic_id;     // v10+
        std::vector<int32_t> partition_indexes;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, v <= 9);
            io.field("topic_id", topic_id, v >= 10);
            io.field("partition_indexes", partition_indexes);
        }
    };
    struct Group {
        std::string group_id;
        std::optional<std::string> member_id;                         // v9+, KIP-848
        int32_t member_epoch = -1;                                    // v9+, KIP-848
        std::optional<std::vector<Topic>> topics = std::vector<Topic>{};  // null: all topics
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("group_id", group_id);
            io.field("member_id", member_id, v >= 9, Nullable{v >= 9});
            io.field("member_epoch", member_epoch, v >= 9, int32_t{-1});
            io.field("topics", topics, true, Nullable{true});
        }
    };

    std::string group_id;                                             // v0-7
    std::optional<std::vector<Topic>> topics = std::vector<Topic>{};  // v0-7, null (v2+): all topics
    std::vector<Group> groups;                                        // v8+, KIP-709
    bool require_stable = false;                                      // v7+, KIP-447
    TaggedFields unknown_tags;                                        // v6+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id, v <= 7);
        // topics defaults to an empty (not null) array, which the Nullable form
        // of field() cannot express for the versions that lack it: there it is
        // walked with its default, so null or entries at v8+ are still rejected.
        if (v <= 7) io.field("topics", topics, true, Nullable{v >= 2});
        else io.field("topics", topics, false, std::optional<std::vector<Topic>>{std::vector<Topic>{}});
        io.field("groups", groups, v >= 8);
        io.field("require_stable", require_stable, v >= 7);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<OffsetFetchRequest> decode(Reader& r, int16_t version);
};

struct OffsetFetchResponse {
    static constexpr ApiKey key{9};
    static constexpr const char* name = "OffsetFetch";
    static constexpr VersionRange versions = OffsetFetchRequest::versions;
    static constexpr int16_t first_flexible = OffsetFetchRequest::first_flexible;

    // Kafka's OffsetFetchResponsePartition (v0-7) and ...Partitions (v8+).
    struct Partition {
        int32_t partition_index = 0;
        int64_t committed_offset = 0;                       // -1: nothing committed
        int32_t committed_leader_epoch = -1;                // v5+, KIP-320
        std::optional<std::string> metadata = std::string{};
        int16_t error_code = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("partition_index", partition_index);
            io.field("committed_offset", committed_offset);
            io.field("committed_leader_epoch", committed_leader_epoch, v >= 5, int32_t{-1});
            io.field("metadata", metadata, true, Nullable{true});
            io.field("error_code", error_code);
        }
    };
    // Kafka's OffsetFetchResponseTopic (v0-7) and ...Topics (v8+).
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
    struct Group {
        std::string group_id;
        std::vector<Topic> topics;
        int16_t error_code = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("group_id", group_id);
            io.field("topics", topics);
            io.field("error_code", error_code);
        }
    };

    int32_t throttle_time_ms = 0;  // v3+
    std::vector<Topic> topics;     // v0-7
    int16_t error_code = 0;        // v2-7
    std::vector<Group> groups;     // v8+
    TaggedFields unknown_tags;     // v6+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 3);
        io.field("topics", topics, v <= 7);
        io.field("error_code", error_code, v >= 2 && v <= 7);
        io.field("groups", groups, v >= 8);
    }

    // The group-level error for `group_id`: from groups[] (v8+) or the
    // top-level field (v2-7, any group id). 0 when absent.
    int16_t group_error(std::string_view group_id) const;
    // One partition's answer by topic name (v0-9): from groups[] when it has
    // entries (v8+), else from the top-level topics (v0-7, any group id).
    const Partition* find(std::string_view group_id, std::string_view topic, int32_t partition) const;

    void encode(Writer& w, int16_t version) const;
    static Result<OffsetFetchResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
