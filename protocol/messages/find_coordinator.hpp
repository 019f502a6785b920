// FindCoordinator (key 10): which broker coordinates a group or transactional
// id. v1 adds key_type (KIP-98), v3+ is flexible, v4 batches several keys in
// one request (KIP-699: coordinator_keys in, coordinators[] out, replacing the
// single key and node), v5 may answer TRANSACTION_ABORTABLE (KIP-890), v6 adds
// the share-group key type (KIP-932).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct FindCoordinatorResponse;

// Values of key_type.
inline constexpr int8_t kCoordinatorGroup = 0;
inline constexpr int8_t kCoordinatorTransaction = 1;
inline constexpr int8_t kCoordinatorShare = 2;  // v6+

struct FindCoordinatorRequest {
    static constexpr ApiKey key{10};
    static constexpr const char* name = "FindCoordinator";
    static constexpr VersionRange versions{0, 6};
    static constexpr int16_t first_flexible = 3;
    using response_type = FindCoordinatorResponse;

    // Kafka's "Key"; renamed because `key` is the API key here.
    std::string coordinator_key;                 // v0-3
    int8_t key_type = 0;                         // v1+
    std::vector<std::string> coordinator_keys;   // v4+
    TaggedFields unknown_tags;                   // v3+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("key", coordinator_key, v <= 3);
        io.field("key_type", key_type, v >= 1);
        io.field("coordinator_keys", coordinator_keys, v >= 4);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<FindCoordinatorRequest> decode(Reader& r, int16_t version);
};

struct FindCoordinatorResponse {
    static constexpr ApiKey key{10};
    static constexpr const char* name = "FindCoordinator";
    static constexpr VersionRange versions = FindCoordinatorRequest::versions;
    static constexpr int16_t first_flexible = FindCoordinatorRequest::first_flexible;

    struct Coordinator {
        std::string key;
        int32_t node_id = 0;
        std::string host;
        int32_t port = 0;
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("key", key);
            io.field("node_id", node_id);
            io.field("host", host);
            io.field("port", port);
            io.field("error_code", error_code);
            io.field("error_message", error_message, true, Nullable{true});
        }
    };

    int32_t throttle_time_ms = 0;               // v1+
    int16_t error_code = 0;                     // v0-3
    std::optional<std::string> error_message;   // v1-3
    int32_t node_id = 0;                        // v0-3
    std::string host;                           // v0-3
    int32_t port = 0;                           // v0-3
    std::vector<Coordinator> coordinators;      // v4+
    TaggedFields unknown_tags;                  // v3+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code, v <= 3);
        io.field("error_message", error_message, v >= 1 && v <= 3, Nullable{true});
        io.field("node_id", node_id, v <= 3);
        io.field("host", host, v <= 3);
        io.field("port", port, v <= 3);
        io.field("coordinators", coordinators, v >= 4);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<FindCoordinatorResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
