// Heartbeat (key 12): a classic group member tells the coordinator it is alive;
// the answer's error (REBALANCE_IN_PROGRESS, ...) tells it to rejoin. v1 adds
// throttle time, v3 group_instance_id (KIP-345), v4+ is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct HeartbeatResponse;

struct HeartbeatRequest {
    static constexpr ApiKey key{12};
    static constexpr const char* name = "Heartbeat";
    static constexpr VersionRange versions{0, 4};
    static constexpr int16_t first_flexible = 4;
    using response_type = HeartbeatResponse;

    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v3+, KIP-345
    TaggedFields unknown_tags;                     // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id);
        io.field("generation_id", generation_id);
        io.field("member_id", member_id);
        io.field("group_instance_id", group_instance_id, v >= 3, Nullable{v >= 3});
    }

    void encode(Writer& w, int16_t version) const;
    static Result<HeartbeatRequest> decode(Reader& r, int16_t version);
};

struct HeartbeatResponse {
    static constexpr ApiKey key{12};
    static constexpr const char* name = "Heartbeat";
    static constexpr VersionRange versions = HeartbeatRequest::versions;
    static constexpr int16_t first_flexible = HeartbeatRequest::first_flexible;

    int32_t throttle_time_ms = 0;  // v1+
    int16_t error_code = 0;
    TaggedFields unknown_tags;     // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<HeartbeatResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
