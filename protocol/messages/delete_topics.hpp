// DeleteTopics (key 20). v4+ is flexible, v5 adds error_message and may answer
// THROTTLING_QUOTA_EXCEEDED (KIP-599), v6 names topics by name or id (KIP-516: topics[] replaces
// topic_names). Kafka 4.x accepts v1+ (KIP-896).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct DeleteTopicsResponse;

struct DeleteTopicsRequest {
    static constexpr ApiKey key{20};
    static constexpr const char* name = "DeleteTopics";
    static constexpr VersionRange versions{0, 6};
    static constexpr int16_t first_flexible = 4;
    using response_type = DeleteTopicsResponse;

    struct Topic {
        std::optional<std::string> name;  // null when deleting by id
        Uuid topic_id;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name, true, Nullable{true});
            io.field("topic_id", topic_id);
        }
    };

    std::vector<Topic> topics;             // v6+
    std::vector<std::string> topic_names;  // v0-5
    int32_t timeout_ms = 0;
    TaggedFields unknown_tags;             // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("topics", topics, v >= 6);
        io.field("topic_names", topic_names, v <= 5);
        io.field("timeout_ms", timeout_ms);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<DeleteTopicsRequest> decode(Reader& r, int16_t version);
};

struct DeleteTopicsResponse {
    static constexpr ApiKey key{20};
    static constexpr const char* name = "DeleteTopics";
    static constexpr VersionRange versions = DeleteTopicsRequest::versions;
    static constexpr int16_t first_flexible = DeleteTopicsRequest::first_flexible;

    struct TopicResult {
        std::optional<std::string> name = std::string{};  // null in v6+ when deleted by id
        Uuid topic_id;                                     // v6+
        int16_t error_code = 0;
        std::optional<std::string> error_message;          // v5+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name, true, Nullable{v >= 6});
            io.field("topic_id", topic_id, v >= 6);
            io.field("error_code", error_code);
            io.field("error_message", error_message, v >= 5, Nullable{true});
        }
    };

    int32_t throttle_time_ms = 0;     // v1+
    std::vector<TopicResult> responses;
    TaggedFields unknown_tags;        // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("responses", responses);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<DeleteTopicsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
