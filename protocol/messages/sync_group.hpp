// SyncGroup (key 14): the second step of a classic group rebalance. The leader
// sends every member's assignment (for protocol_type "consumer": a
// ConsumerProtocolAssignment, see consumer_protocol.hpp); every member gets its
// own back. v1 adds throttle time, v3 group_instance_id (KIP-345), v4+ is
// flexible, v5 sends protocol_type and protocol_name both ways (KIP-559).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct SyncGroupResponse;

struct SyncGroupRequest {
    static constexpr ApiKey key{14};
    static constexpr const char* name = "SyncGroup";
    static constexpr VersionRange versions{0, 5};
    static constexpr int16_t first_flexible = 4;
    using response_type = SyncGroupResponse;

    struct Assignment {
        std::string member_id;
        Bytes assignment;  // for protocol_type "consumer": a ConsumerProtocolAssignment
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("member_id", member_id);
            io.field("assignment", assignment);
        }
    };

    std::string group_id;
    int32_t generation_id = 0;
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v3+, KIP-345
    std::optional<std::string> protocol_type;      // v5+, KIP-559
    std::optional<std::string> protocol_name;      // v5+, KIP-559
    std::vector<Assignment> assignments;           // filled by the leader only
    TaggedFields unknown_tags;                     // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id);
        io.field("generation_id", generation_id);
        io.field("member_id", member_id);
        io.field("group_instance_id", group_instance_id, v >= 3, Nullable{v >= 3});
        io.field("protocol_type", protocol_type, v >= 5, Nullable{v >= 5});
        io.field("protocol_name", protocol_name, v >= 5, Nullable{v >= 5});
        io.field("assignments", assignments);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SyncGroupRequest> decode(Reader& r, int16_t version);
};

struct SyncGroupResponse {
    static constexpr ApiKey key{14};
    static constexpr const char* name = "SyncGroup";
    static constexpr VersionRange versions = SyncGroupRequest::versions;
    static constexpr int16_t first_flexible = SyncGroupRequest::first_flexible;

    int32_t throttle_time_ms = 0;              // v1+
    int16_t error_code = 0;
    std::optional<std::string> protocol_type;  // v5+, KIP-559
    std::optional<std::string> protocol_name;  // v5+, KIP-559
    // This member's assignment. The schema does not make it nullable, but
    // the librdkafka 2.0.2 mock writes null (length -1) with an error code;
    // it is kept as null so such a frame decodes and re-encodes as it came.
    std::optional<Bytes> assignment = Bytes{};
    TaggedFields unknown_tags;  // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code);
        io.field("protocol_type", protocol_type, v >= 5, Nullable{v >= 5});
        io.field("protocol_name", protocol_name, v >= 5, Nullable{v >= 5});
        io.field("assignment", assignment, true, Nullable{true});
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SyncGroupResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
