// DescribeGroups (key 15): state, protocol and members of classic groups.
// v1 adds throttle time, v3 authorized operations (KIP-430), v4 members'
// group_instance_id (KIP-345), v5+ is flexible, v6 answers GROUP_ID_NOT_FOUND
// with an error message for an unknown group (KIP-1043).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct DescribeGroupsResponse;

struct DescribeGroupsRequest {
    static constexpr ApiKey key{15};
    static constexpr const char* name = "DescribeGroups";
    static constexpr VersionRange versions{0, 6};
    static constexpr int16_t first_flexible = 5;
    using response_type = DescribeGroupsResponse;

    std::vector<std::string> groups;
    bool include_authorized_operations = false;  // v3+, KIP-430
    TaggedFields unknown_tags;                   // v5+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("groups", groups);
        io.field("include_authorized_operations", include_authorized_operations, v >= 3);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<DescribeGroupsRequest> decode(Reader& r, int16_t version);
};

struct DescribeGroupsResponse {
    static constexpr ApiKey key{15};
    static constexpr const char* name = "DescribeGroups";
    static constexpr VersionRange versions = DescribeGroupsRequest::versions;
    static constexpr int16_t first_flexible = DescribeGroupsRequest::first_flexible;

    // authorized_operations when the broker was not asked for them.
    static constexpr int32_t kAuthorizedOperationsOmitted = std::numeric_limits<int32_t>::min();

    struct DescribedGroupMember {
        std::string member_id;
        std::optional<std::string> group_instance_id;  // v4+, KIP-345
        std::string client_id;
        std::string client_host;
        Bytes member_metadata;    // for "consumer" groups: a ConsumerProtocolSubscription
        Bytes member_assignment;  // for "consumer" groups: a ConsumerProtocolAssignment
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("member_id", member_id);
            io.field("group_instance_id", group_instance_id, v >= 4, Nullable{v >= 4});
            io.field("client_id", client_id);
            io.field("client_host", client_host);
            io.field("member_metadata", member_metadata);
            io.field("member_assignment", member_assignment);
        }
    };
    struct DescribedGroup {
        int16_t error_code = 0;
        std::optional<std::string> error_message;  // v6+, KIP-1043
        std::string group_id;
        std::string group_state;
        std::string protocol_type;
        std::string protocol_data;  // the selected protocol (assignor) name when Stable
        std::vector<DescribedGroupMember> members;
        int32_t authorized_operations = kAuthorizedOperationsOmitted;  // v3+, KIP-430
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("error_code", error_code);
            io.field("error_message", error_message, v >= 6, Nullable{v >= 6});
            io.field("group_id", group_id);
            io.field("group_state", group_state);
            io.field("protocol_type", protocol_type);
            io.field("protocol_data", protocol_data);
            io.field("members", members);
            io.field("authorized_operations", authorized_operations, v >= 3, kAuthorizedOperationsOmitted);
        }
    };

    int32_t throttle_time_ms = 0;         // v1+
    std::vector<DescribedGroup> groups;
    TaggedFields unknown_tags;            // v5+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("groups", groups);
    }

    // The answer for one group; nullptr when absent.
    const DescribedGroup* find(std::string_view group_id) const;

    void encode(Writer& w, int16_t version) const;
    static Result<DescribeGroupsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
