// LeaveGroup (key 13): a classic group member leaves, so the group rebalances
// at once instead of after the session timeout. v1 adds throttle time, v3
// batches several members identified by member id and/or group instance id
// (KIP-345), v4+ is flexible, v5 adds a reason per member (KIP-800).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct LeaveGroupResponse;

struct LeaveGroupRequest {
    static constexpr ApiKey key{13};
    static constexpr const char* name = "LeaveGroup";
    static constexpr VersionRange versions{0, 5};
    static constexpr int16_t first_flexible = 4;
    using response_type = LeaveGroupResponse;

    struct MemberIdentity {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        std::optional<std::string> reason;  // v5+, KIP-800
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("member_id", member_id);
            io.field("group_instance_id", group_instance_id, true, Nullable{true});
            io.field("reason", reason, v >= 5, Nullable{v >= 5});
        }
    };

    std::string group_id;
    std::string member_id;                // v0-2
    std::vector<MemberIdentity> members;  // v3+
    TaggedFields unknown_tags;            // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id);
        io.field("member_id", member_id, v <= 2);
        io.field("members", members, v >= 3);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<LeaveGroupRequest> decode(Reader& r, int16_t version);
};

struct LeaveGroupResponse {
    static constexpr ApiKey key{13};
    static constexpr const char* name = "LeaveGroup";
    static constexpr VersionRange versions = LeaveGroupRequest::versions;
    static constexpr int16_t first_flexible = LeaveGroupRequest::first_flexible;

    struct MemberResponse {
        std::string member_id;
        std::optional<std::string> group_instance_id;
        int16_t error_code = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("member_id", member_id);
            io.field("group_instance_id", group_instance_id, true, Nullable{true});
            io.field("error_code", error_code);
        }
    };

    int32_t throttle_time_ms = 0;          // v1+
    int16_t error_code = 0;
    std::vector<MemberResponse> members;   // v3+
    TaggedFields unknown_tags;             // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code);
        io.field("members", members, v >= 3);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<LeaveGroupResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
