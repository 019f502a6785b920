// CreatePartitions (key 37): grows a topic to `count` partitions (KIP-195).
// v2+ is flexible, v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct CreatePartitionsResponse;

struct CreatePartitionsRequest {
    static constexpr ApiKey key{37};
    static constexpr const char* name = "CreatePartitions";
    static constexpr VersionRange versions{0, 3};
    static constexpr int16_t first_flexible = 2;
    using response_type = CreatePartitionsResponse;

    struct Assignment {
        std::vector<int32_t> broker_ids;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("broker_ids", broker_ids);
        }
    };
    struct Topic {
        std::string name;
        int32_t count = 0;
        std::optional<std::vector<Assignment>> assignments;  // null: the broker places them
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("count", count);
            io.field("assignments", assignments, true, Nullable{true});
        }
    };

    std::vector<Topic> topics;
    int32_t timeout_ms = 0;
    bool validate_only = false;
    TaggedFields unknown_tags;  // v2+

    template <class IO>
    void io(IO& io) {
        io.field("topics", topics);
        io.field("timeout_ms", timeout_ms);
        io.field("validate_only", validate_only);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<CreatePartitionsRequest> decode(Reader& r, int16_t version);
};

struct CreatePartitionsResponse {
    static constexpr ApiKey key{37};
    static constexpr const char* name = "CreatePartitions";
    static constexpr VersionRange versions = CreatePartitionsRequest::versions;
    static constexpr int16_t first_flexible = CreatePartitionsRequest::first_flexible;

    struct TopicResult {
        std::string name;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("error_code", error_code);
            io.field("error_message", error_message, true, Nullable{true});
        }
    };

    int32_t throttle_time_ms = 0;
    std::vector<TopicResult> results;
    TaggedFields unknown_tags;  // v2+

    template <class IO>
    void io(IO& io) {
        io.field("throttle_time_ms", throttle_time_ms);
        io.field("results", results);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<CreatePartitionsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
