// JoinGroup (key 11): the first step of a classic group rebalance. Every member
// sends the protocols it supports (for protocol_type "consumer": assignor names,
// each with a ConsumerProtocolSubscription as metadata, see consumer_protocol.hpp);
// the coordinator picks one and sends all members' metadata to the leader.
// v1 adds rebalance_timeout_ms, v2 throttle time, v4 makes a new member join
// twice (the first answer is MEMBER_ID_REQUIRED with its id, KIP-394), v5 adds
// group_instance_id (static membership, KIP-345), v6+ is flexible, v7 returns
// protocol_type (KIP-559), v8 adds reason (KIP-800), v9 adds skip_assignment
// (KIP-814). Kafka 4.0 accepts v2+ (KIP-896).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct JoinGroupResponse;

struct JoinGroupRequest {
    static constexpr ApiKey key{11};
    static constexpr const char* name = "JoinGroup";
    static constexpr VersionRange versions{0, 9};
    static constexpr int16_t first_flexible = 6;
    using response_type = JoinGroupResponse;

    struct Protocol {
        std::string name;
        Bytes metadata;  // for protocol_type "consumer": a ConsumerProtocolSubscription
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("metadata", metadata);
        }
    };

    std::string group_id;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = -1;            // v1+
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v5+, KIP-345
    std::string protocol_type;
    std::vector<Protocol> protocols;
    std::optional<std::string> reason;             // v8+, KIP-800
    TaggedFields unknown_tags;                     // v6+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("group_id", group_id);
        io.field("session_timeout_ms", session_timeout_ms);
        io.field("rebalance_timeout_ms", rebalance_timeout_ms, v >= 1, int32_t{-1});
        io.field("member_id", member_id);
        io.field("group_instance_id", group_instance_id, v >= 5, Nullable{v >= 5});
        io.field("protocol_type", protocol_type);
        io.field("protocols", protocols);
        io.field("reason", reason, v >= 8, Nullable{v >= 8});
    }

    void encode(Writer& w, int16_t version) const;
    static Result<JoinGroupRequest> decode(Reader& r, int16_t version);
};

struct JoinGroupResponse {
    static constexpr ApiKey key{11};
    static constexpr const char* name = "JoinGroup";
    static constexpr VersionRange versions = JoinGroupRequest::versions;
    static constexpr int16_t first_flexible = JoinGroupRequest::first_flexible;

    struct Member {
        std::string member_id;
        std::optional<std::string> group_instance_id;  // v5+
        Bytes metadata;  // the member's protocol metadata, sent to the leader only
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("member_id", member_id);
            io.field("group_instance_id", group_instance_id, v >= 5, Nullable{v >= 5});
            io.field("metadata", metadata);
        }
    };

    int32_t throttle_time_ms = 0;                               // v2+
    int16_t error_code = 0;
    int32_t generation_id = -1;
    std::optional<std::string> protocol_type;                   // v7+, KIP-559
    std::optional<std::string> protocol_name = std::string{};   // nullable v7+
    std::string leader;
    bool skip_assignment = false;                               // v9+, KIP-814
    std::string member_id;
    std::vector<Member> members;                                // empty unless this member leads
    TaggedFields unknown_tags;                                  // v6+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms, v >= 2);
        io.field("error_code", error_code);
        io.field("generation_id", generation_id, true, int32_t{-1});
        io.field("protocol_type", protocol_type, v >= 7, Nullable{v >= 7});
        io.field("protocol_name", protocol_name, true, Nullable{v >= 7});
        io.field("leader", leader);
        io.field("skip_assignment", skip_assignment, v >= 9);
        io.field("member_id", member_id);
        io.field("members", members);
    }

    // Whether this member was chosen to compute the assignment.
    bool is_leader() const { return !member_id.empty() && leader == member_id; }

    void encode(Writer& w, int16_t version) const;
    static Result<JoinGroupResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
