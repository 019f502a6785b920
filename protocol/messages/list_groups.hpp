// ListGroups (key 16): the groups a broker coordinates. v1 adds throttle time,
// v3+ is flexible, v4 filters by and returns the group state (KIP-518), v5
// filters by and returns the group type (KIP-848).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct ListGroupsResponse;

struct ListGroupsRequest {
    static constexpr ApiKey key{16};
    static constexpr const char* name = "ListGroups";
    static constexpr VersionRange versions{0, 5};
    static constexpr int16_t first_flexible = 3;
    using response_type = ListGroupsResponse;

    std::vector<std::string> states_filter;  // v4+, KIP-518; empty: every state
    std::vector<std::string> types_filter;   // v5+, KIP-848; empty: every type
    TaggedFields unknown_tags;               // v3+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("states_filter", states_filter, v >= 4);
        io.field("types_filter", types_filter, v >= 5);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<ListGroupsRequest> decode(Reader& r, int16_t version);
};

struct ListGroupsResponse {
    static constexpr ApiKey key{16};
    static constexpr const char* name = "ListGroups";
    static constexpr VersionRange versions = ListGroupsRequest::versions;
    static constexpr int16_t first_flexible = ListGroupsRequest::first_flexible;

    struct ListedGroup {
        std::string group_id;
        std::string protocol_type;
        std::string group_state;  // v4+, KIP-518
        std::string group_type;   // v5+, KIP-848
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("group_id", group_id);
            io.field("protocol_type", protocol_type);
            io.field("group_state", group_state, v >= 4);
            io.field("group_type", group_type, v >= 5);
        }
    };

    int32_t throttle_time_ms = 0;     // v1+
    int16_t error_code = 0;
    std::vector<ListedGroup> groups;
    TaggedFields unknown_tags;        // v3+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.field("error_code", error_code);
        io.field("groups", groups);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<ListGroupsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
