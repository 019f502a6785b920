// The consumer embedded protocol: the bytes a classic group of protocol_type
// "consumer" carries inside JoinGroup protocol metadata (a subscription per
// assignor), JoinGroup response member metadata, SyncGroup assignments and
// DescribeGroups member metadata/assignment. The broker never reads them.
//
// Each value starts with its own int16 version, independent of the API version
// of the message around it, then the fields at that version (never flexible).
// Fields are only ever appended, so a newer version than we know is read with
// the newest layout we know and its remaining bytes are ignored, as Kafka's own
// consumer does.
//
// ConsumerProtocolSubscription: v1 adds owned_partitions (KIP-429, cooperative
// rebalancing), v2 generation_id (KIP-792), v3 rack_id (KIP-881).
// ConsumerProtocolAssignment: v1-3 have the v0 layout; the versions only move
// in step with the subscription's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

// The protocol_type of JoinGroup/SyncGroup for Kafka consumers.
inline constexpr const char* kConsumerProtocolType = "consumer";

// Kafka's TopicPartition of both values: one topic and some of its partitions.
struct ConsumerProtocolTopicPartition {
    std::string topic;
    std::vector<int32_t> partitions;
    TaggedFields unknown_tags;  // never flexible, kept for the walkers

    template <class IO>
    void io(IO& io) {
        io.field("topic", topic);
        io.field("partitions", partitions);
    }
};

struct ConsumerProtocolSubscription {
    static constexpr const char* name = "ConsumerProtocolSubscription";
    static constexpr VersionRange versions{0, 3};
    static constexpr int16_t first_flexible = kNeverFlexible;
    using TopicPartition = ConsumerProtocolTopicPartition;

    std::vector<std::string> topics;
    std::optional<Bytes> user_data;                // assignor-specific
    std::vector<TopicPartition> owned_partitions;  // v1+, KIP-429
    int32_t generation_id = -1;                    // v2+, KIP-792
    std::optional<std::string> rack_id;            // v3+, KIP-881
    TaggedFields unknown_tags;                     // never flexible

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("topics", topics);
        io.field("user_data", user_data, true, Nullable{true});
        io.field("owned_partitions", owned_partitions, v >= 1);
        io.field("generation_id", generation_id, v >= 2, int32_t{-1});
        io.field("rack_id", rack_id, v >= 3, Nullable{v >= 3});
    }

    // The fields only, without the version prefix (see below for the whole value).
    void encode(Writer& w, int16_t version) const;
    static Result<ConsumerProtocolSubscription> decode(Reader& r, int16_t version);
};

struct ConsumerProtocolAssignment {
    static constexpr const char* name = "ConsumerProtocolAssignment";
    static constexpr VersionRange versions{0, 3};
    static constexpr int16_t first_flexible = kNeverFlexible;
    using TopicPartition = ConsumerProtocolTopicPartition;

    std::vector<TopicPartition> assigned_partitions;
    std::optional<Bytes> user_data;  // assignor-specific
    TaggedFields unknown_tags;       // never flexible

    template <class IO>
    void io(IO& io) {
        io.field("assigned_partitions", assigned_partitions);
        io.field("user_data", user_data, true, Nullable{true});
    }

    // The fields only, without the version prefix (see below for the whole value).
    void encode(Writer& w, int16_t version) const;
    static Result<ConsumerProtocolAssignment> decode(Reader& r, int16_t version);
};

// The whole value: the int16 version, then the fields at that version.
// Fails with unsupported_version outside 0..3, field_not_in_version when a
// field the version lacks is set.
Result<Bytes> encode_consumer_subscription(const ConsumerProtocolSubscription& s, int16_t version);
Result<Bytes> encode_consumer_assignment(const ConsumerProtocolAssignment& a, int16_t version);

// Reads a whole value and reports its version through `version` when given.
// A negative version is malformed; a version above 3 is read as v3 and the
// bytes after it are ignored (see the top of this file); a known version must
// use every byte.
Result<ConsumerProtocolSubscription> decode_consumer_subscription(ByteView bytes, int16_t* version = nullptr);
// Zero bytes decode to an empty assignment (version reported as -1): the
// coordinator hands them to a member the leader assigned nothing.
Result<ConsumerProtocolAssignment> decode_consumer_assignment(ByteView bytes, int16_t* version = nullptr);

}  // namespace kafka
