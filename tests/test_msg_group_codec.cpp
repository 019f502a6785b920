// Group and offset APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch, DescribeGroups, ListGroups) and the consumer
// embedded protocol: every version round-trips a richly filled message, a
// default message encodes at every version, and fields a version lacks are
// refused. Golden and hostile tests are in test_msg_group_golden.cpp.
#include <doctest/doctest.h>

#include "protocol/messages/consumer_protocol.hpp"
#include "protocol/messages/describe_groups.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/list_groups.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/sync_group.hpp"
#include "support/golden.hpp"

using namespace kafka;

namespace {

// An unknown tagged field at flexible versions, to check it is written back.
TaggedFields extra_tags(int16_t v, int16_t first_flexible, uint32_t tag = 9) {
    if (v < first_flexible) return {};
    return {TaggedField{tag, Bytes{0xde, 0xad}}};
}

Uuid uuid_of(uint8_t seed) {
    Uuid u;
    for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(seed + i);
    return u;
}

template <class M>
Bytes encoded(const M& m, int16_t v, bool* ok = nullptr) {
    Writer w;
    m.encode(w, v);
    if (ok) *ok = w.ok();
    return w.buffer();
}

// A default message encodes at every version and decodes back to the same bytes;
// make(v) builds a message filled for version v that must encode at v; each is
// then run through roundtrip_all_versions.
template <class M, class Make>
void check_versions(Make make) {
    for (int16_t v = M::versions.min; v <= M::versions.max; ++v) {
        INFO(std::string(M::name) << " v" << v);
        bool ok = false;
        Bytes def = encoded(M{}, v, &ok);
        CHECK(ok);
        Reader r(def);
        auto d = M::decode(r, v);
        REQUIRE(d.has_value());
        CHECK(r.finish() == std::error_code{});
        CHECK(encoded(*d, v) == def);

        M m = make(v);
        Bytes full = encoded(m, v, &ok);
        REQUIRE(ok);  // every version is exercised by its own sample
        if (!def.empty()) CHECK(full != def);  // ListGroups v0-2 has no fields
        test::roundtrip_all_versions(m);
    }
}

template <class M>
bool encodes(const M& m, int16_t v) {
    bool ok = false;
    encoded(m, v, &ok);
    return ok;
}

}  // namespace

TEST_CASE("JoinGroup: every version round-trips") {
    check_versions<JoinGroupRequest>([](int16_t v) {
        JoinGroupRequest m;
        m.group_id = "group-1";
        m.session_timeout_ms = 45000;
        if (v >= 1) m.rebalance_timeout_ms = 300000;
        m.member_id = "member-1";
        if (v >= 5) m.group_instance_id = "instance-1";
        m.protocol_type = kConsumerProtocolType;
        for (const char* n : {"range", "cooperative-sticky"}) {
            JoinGroupRequest::Protocol p;
            p.name = n;
            p.metadata = Bytes{0, 1, 0, 0, 0, 0};
            p.unknown_tags = extra_tags(v, JoinGroupRequest::first_flexible);
            m.protocols.push_back(p);
        }
        if (v >= 8) m.reason = "rebalance needed";
        m.unknown_tags = extra_tags(v, JoinGroupRequest::first_flexible);
        return m;
    });
    check_versions<JoinGroupResponse>([](int16_t v) {
        JoinGroupResponse m;
        if (v >= 2) m.throttle_time_ms = 7;
        m.error_code = 79;
        m.generation_id = 3;
        if (v >= 7) m.protocol_type = kConsumerProtocolType;
        m.protocol_name = "range";
        m.leader = "member-1";
        if (v >= 9) m.skip_assignment = true;
        m.member_id = "member-1";
        for (const char* id : {"member-1", "member-2"}) {
            JoinGroupResponse::Member mem;
            mem.member_id = id;
            if (v >= 5) mem.group_instance_id = std::string("instance-") + id;
            mem.metadata = Bytes{0, 0, 0, 0, 0, 0};
            mem.unknown_tags = extra_tags(v, JoinGroupResponse::first_flexible);
            m.members.push_back(mem);
        }
        m.unknown_tags = extra_tags(v, JoinGroupResponse::first_flexible);
        CHECK(m.is_leader());
        return m;
    });
}

TEST_CASE("JoinGroup: fields a version lacks are refused") {
    JoinGroupRequest req;
    req.reason = "why";
    CHECK_FALSE(encodes(req, 7));
    CHECK(encodes(req, 8));
    req = JoinGroupRequest{};
    req.group_instance_id = "static";
    CHECK_FALSE(encodes(req, 4));
    CHECK(encodes(req, 5));
    req = JoinGroupRequest{};
    req.rebalance_timeout_ms = 1000;
    CHECK_FALSE(encodes(req, 0));

    JoinGroupResponse resp;
    resp.protocol_name.reset();  // null protocol name: v7+
    CHECK_FALSE(encodes(resp, 6));
    CHECK(encodes(resp, 7));
    resp = JoinGroupResponse{};
    resp.skip_assignment = true;
    CHECK_FALSE(encodes(resp, 8));
    resp = JoinGroupResponse{};
    CHECK_FALSE(resp.is_leader());
}

TEST_CASE("SyncGroup: every version round-trips") {
    check_versions<SyncGroupRequest>([](int16_t v) {
        SyncGroupRequest m;
        m.group_id = "group-1";
        m.generation_id = 4;
        m.member_id = "member-1";
        if (v >= 3) m.group_instance_id = "instance-1";
        if (v >= 5) {
            m.protocol_type = kConsumerProtocolType;
            m.protocol_name = "range";
        }
        for (const char* id : {"member-1", "member-2"}) {
            SyncGroupRequest::Assignment a;
            a.member_id = id;
            a.assignment = Bytes{0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
            a.unknown_tags = extra_tags(v, SyncGroupRequest::first_flexible);
            m.assignments.push_back(a);
        }
        m.unknown_tags = extra_tags(v, SyncGroupRequest::first_flexible);
        return m;
    });
    check_versions<SyncGroupResponse>([](int16_t v) {
        SyncGroupResponse m;
        if (v >= 1) m.throttle_time_ms = 5;
        m.error_code = 27;
        if (v >= 5) {
            m.protocol_type = kConsumerProtocolType;
            m.protocol_name = "roundrobin";
        }
        m.assignment = Bytes{0, 1, 2, 3};
        m.unknown_tags = extra_tags(v, SyncGroupResponse::first_flexible);
        return m;
    });
    SyncGroupRequest req;
    req.protocol_name = "range";
    CHECK_FALSE(encodes(req, 4));
    SyncGroupResponse resp;
    resp.throttle_time_ms = 1;
    CHECK_FALSE(encodes(resp, 0));
}

TEST_CASE("Heartbeat: every version round-trips") {
    check_versions<HeartbeatRequest>([](int16_t v) {
        HeartbeatRequest m;
        m.group_id = "group-1";
        m.generation_id = 12;
        m.member_id = "member-1";
        if (v >= 3) m.group_instance_id = "instance-1";
        m.unknown_tags = extra_tags(v, HeartbeatRequest::first_flexible);
        return m;
    });
    check_versions<HeartbeatResponse>([](int16_t v) {
        HeartbeatResponse m;
        if (v >= 1) m.throttle_time_ms = 100;
        m.error_code = 27;
        m.unknown_tags = extra_tags(v, HeartbeatResponse::first_flexible);
        return m;
    });
    HeartbeatRequest req;
    req.group_instance_id = "static";
    CHECK_FALSE(encodes(req, 2));
    CHECK(encodes(req, 3));
}

TEST_CASE("LeaveGroup: every version round-trips") {
    check_versions<LeaveGroupRequest>([](int16_t v) {
        LeaveGroupRequest m;
        m.group_id = "group-1";
        if (v <= 2) m.member_id = "member-1";
        if (v >= 3) {
            for (const char* id : {"member-1", "member-2"}) {
                LeaveGroupRequest::MemberIdentity mi;
                mi.member_id = id;
                mi.group_instance_id = std::string("instance-") + id;
                if (v >= 5) mi.reason = "shutting down";
                mi.unknown_tags = extra_tags(v, LeaveGroupRequest::first_flexible);
                m.members.push_back(mi);
            }
        }
        m.unknown_tags = extra_tags(v, LeaveGroupRequest::first_flexible);
        return m;
    });
    check_versions<LeaveGroupResponse>([](int16_t v) {
        LeaveGroupResponse m;
        if (v >= 1) m.throttle_time_ms = 3;
        m.error_code = 25;
        if (v >= 3) {
            LeaveGroupResponse::MemberResponse mr;
            mr.member_id = "member-1";
            mr.group_instance_id = "instance-1";
            mr.error_code = 25;
            mr.unknown_tags = extra_tags(v, LeaveGroupResponse::first_flexible);
            m.members.push_back(mr);
            mr.group_instance_id.reset();
            m.members.push_back(mr);
        }
        m.unknown_tags = extra_tags(v, LeaveGroupResponse::first_flexible);
        return m;
    });
    LeaveGroupRequest req;
    req.member_id = "m";
    CHECK_FALSE(encodes(req, 3));  // v3+ names members in members[]
    req = LeaveGroupRequest{};
    req.members.emplace_back();
    CHECK_FALSE(encodes(req, 2));
    req.members[0].reason = "bye";
    CHECK_FALSE(encodes(req, 4));
    CHECK(encodes(req, 5));
}

TEST_CASE("OffsetCommit: every version round-trips") {
    check_versions<OffsetCommitRequest>([](int16_t v) {
        OffsetCommitRequest m;
        m.group_id = "group-1";
        if (v >= 1) {
            m.generation_id_or_member_epoch = 8;
            m.member_id = "member-1";
        }
        if (v >= 7) m.group_instance_id = "instance-1";
        if (v >= 2 && v <= 4) m.retention_time_ms = 86400000;
        for (uint8_t t = 0; t < 2; ++t) {
            OffsetCommitRequest::Topic topic;
            if (v <= 9) topic.name = "topic-" + std::to_string(t);
            else topic.topic_id = uuid_of(t);
            for (int32_t p = 0; p < 2; ++p) {
                OffsetCommitRequest::Partition part;
                part.partition_index = p;
                part.committed_offset = 1000 + p;
                if (v >= 6) part.committed_leader_epoch = 2;
                if (v == 1) part.commit_timestamp = 1700000000000;
                part.committed_metadata = p == 0 ? std::optional<std::string>("meta") : std::nullopt;
                part.unknown_tags = extra_tags(v, OffsetCommitRequest::first_flexible);
                topic.partitions.push_back(part);
            }
            topic.unknown_tags = extra_tags(v, OffsetCommitRequest::first_flexible);
            m.topics.push_back(topic);
        }
        m.unknown_tags = extra_tags(v, OffsetCommitRequest::first_flexible);
        return m;
    });
    check_versions<OffsetCommitResponse>([](int16_t v) {
        OffsetCommitResponse m;
        if (v >= 3) m.throttle_time_ms = 9;
        OffsetCommitResponse::Topic topic;
        if (v <= 9) topic.name = "topic-0";
        else topic.topic_id = uuid_of(3);
        OffsetCommitResponse::Partition part;
        part.partition_index = 1;
        part.error_code = 22;
        part.unknown_tags = extra_tags(v, OffsetCommitResponse::first_flexible);
        topic.partitions.push_back(part);
        topic.unknown_tags = extra_tags(v, OffsetCommitResponse::first_flexible);
        m.topics.push_back(topic);
        m.unknown_tags = extra_tags(v, OffsetCommitResponse::first_flexible);
        return m;
    });
}

TEST_CASE("OffsetCommit: fields a version lacks are refused, find()") {
    OffsetCommitRequest req;
    req.retention_time_ms = 1;
    CHECK_FALSE(encodes(req, 5));
    CHECK(encodes(req, 4));
    CHECK_FALSE(encodes(req, 1));
    req = OffsetCommitRequest{};
    req.topics.emplace_back();
    req.topics[0].partitions.emplace_back();
    req.topics[0].partitions[0].commit_timestamp = 5;
    CHECK(encodes(req, 1));
    CHECK_FALSE(encodes(req, 2));
    req.topics[0].partitions[0].commit_timestamp = -1;
    req.topics[0].name = "by-name";
    CHECK_FALSE(encodes(req, 10));  // v10 names topics by id only
    req.topics[0].name.clear();
    req.topics[0].topic_id = uuid_of(1);
    CHECK_FALSE(encodes(req, 9));
    CHECK(encodes(req, 10));

    OffsetCommitResponse resp;
    resp.topics.emplace_back();
    resp.topics[0].name = "t";
    resp.topics[0].partitions.emplace_back();
    resp.topics[0].partitions[0].partition_index = 3;
    resp.topics[0].partitions[0].error_code = 25;
    REQUIRE(resp.find("t", 3) != nullptr);
    CHECK(resp.find("t", 3)->error_code == 25);
    CHECK(resp.find("t", 0) == nullptr);
    CHECK(resp.find("u", 3) == nullptr);
}

TEST_CASE("OffsetFetch: every version round-trips") {
    check_versions<OffsetFetchRequest>([](int16_t v) {
        OffsetFetchRequest m;
        auto topic = [v](uint8_t t) {
            OffsetFetchRequest::Topic out;
            if (v <= 9) out.name = "topic-" + std::to_string(t);
            else out.topic_id = uuid_of(t);
            out.partition_indexes = {0, 1, 2};
            out.unknown_tags = extra_tags(v, OffsetFetchRequest::first_flexible);
            return out;
        };
        if (v <= 7) {
            m.group_id = "group-1";
            m.topics = std::vector<OffsetFetchRequest::Topic>{topic(0), topic(1)};
        } else {
            OffsetFetchRequest::Group g;
            g.group_id = "group-1";
            if (v >= 9) {
                g.member_id = "member-1";
                g.member_epoch = 6;
            }
            g.topics = std::vector<OffsetFetchRequest::Topic>{topic(0)};
            g.unknown_tags = extra_tags(v, OffsetFetchRequest::first_flexible);
            m.groups.push_back(g);
            g.group_id = "group-2";
            g.topics.reset();  // all topics of group-2
            m.groups.push_back(g);
        }
        if (v >= 7) m.require_stable = true;
        m.unknown_tags = extra_tags(v, OffsetFetchRequest::first_flexible);
        return m;
    });
    check_versions<OffsetFetchResponse>([](int16_t v) {
        OffsetFetchResponse m;
        if (v >= 3) m.throttle_time_ms = 4;
        OffsetFetchResponse::Topic topic;
        if (v <= 9) topic.name = "topic-0";
        else topic.topic_id = uuid_of(5);
        for (int32_t p = 0; p < 2; ++p) {
            OffsetFetchResponse::Partition part;
            part.partition_index = p;
            part.committed_offset = p == 0 ? 77 : -1;
            if (v >= 5) part.committed_leader_epoch = 1;
            part.metadata = p == 0 ? std::optional<std::string>("m") : std::nullopt;
            part.error_code = static_cast<int16_t>(p == 0 ? 0 : 3);
            part.unknown_tags = extra_tags(v, OffsetFetchResponse::first_flexible);
            topic.partitions.push_back(part);
        }
        topic.unknown_tags = extra_tags(v, OffsetFetchResponse::first_flexible);
        if (v <= 7) {
            m.topics.push_back(topic);
            if (v >= 2) m.error_code = 16;
        } else {
            OffsetFetchResponse::Group g;
            g.group_id = "group-1";
            g.topics.push_back(topic);
            g.error_code = 16;
            g.unknown_tags = extra_tags(v, OffsetFetchResponse::first_flexible);
            m.groups.push_back(g);
        }
        m.unknown_tags = extra_tags(v, OffsetFetchResponse::first_flexible);
        return m;
    });
}

TEST_CASE("OffsetFetch: null topics, fields a version lacks, helpers") {
    OffsetFetchRequest req;
    req.topics.reset();  // all topics: v2-7 only
    CHECK_FALSE(encodes(req, 1));
    CHECK(encodes(req, 2));
    CHECK(encodes(req, 7));
    CHECK_FALSE(encodes(req, 8));
    req.topics = std::vector<OffsetFetchRequest::Topic>(1);
    CHECK_FALSE(encodes(req, 8));  // v8+ lists topics per group
    req = OffsetFetchRequest{};
    req.groups.emplace_back();
    CHECK_FALSE(encodes(req, 7));
    CHECK(encodes(req, 8));
    req.groups[0].member_epoch = 3;
    CHECK_FALSE(encodes(req, 8));
    CHECK(encodes(req, 9));

    // Null topics at v2 are written as -1 and read back as null.
    req = OffsetFetchRequest{};
    req.group_id = "g";
    req.topics.reset();
    Bytes b = encoded(req, 2);
    CHECK(to_hex(b) == "000167ffffffff");
    Reader r(b);
    auto back = OffsetFetchRequest::decode(r, 2);
    REQUIRE(back.has_value());
    CHECK_FALSE(back->topics.has_value());

    OffsetFetchResponse old;  // v0-7 layout
    old.error_code = 15;
    old.topics.emplace_back();
    old.topics[0].name = "t";
    old.topics[0].partitions.emplace_back();
    old.topics[0].partitions[0].partition_index = 2;
    old.topics[0].partitions[0].committed_offset = 42;
    CHECK(old.group_error("any") == 15);
    REQUIRE(old.find("any", "t", 2) != nullptr);
    CHECK(old.find("any", "t", 2)->committed_offset == 42);
    CHECK(old.find("any", "t", 1) == nullptr);

    OffsetFetchResponse batched;  // v8+ layout
    batched.groups.emplace_back();
    batched.groups[0].group_id = "g1";
    batched.groups[0].error_code = 16;
    batched.groups.emplace_back();
    batched.groups[1].group_id = "g2";
    batched.groups[1].topics = old.topics;
    CHECK(batched.group_error("g1") == 16);
    CHECK(batched.group_error("g2") == 0);
    CHECK(batched.find("g1", "t", 2) == nullptr);
    REQUIRE(batched.find("g2", "t", 2) != nullptr);
    CHECK(batched.find("g3", "t", 2) == nullptr);
}

TEST_CASE("DescribeGroups: every version round-trips") {
    check_versions<DescribeGroupsRequest>([](int16_t v) {
        DescribeGroupsRequest m;
        m.groups = {"group-1", "group-2"};
        if (v >= 3) m.include_authorized_operations = true;
        m.unknown_tags = extra_tags(v, DescribeGroupsRequest::first_flexible);
        return m;
    });
    check_versions<DescribeGroupsResponse>([](int16_t v) {
        DescribeGroupsResponse m;
        if (v >= 1) m.throttle_time_ms = 2;
        DescribeGroupsResponse::DescribedGroup g;
        g.error_code = 69;
        if (v >= 6) g.error_message = "group not found";
        g.group_id = "group-1";
        g.group_state = "Stable";
        g.protocol_type = kConsumerProtocolType;
        g.protocol_data = "range";
        DescribeGroupsResponse::DescribedGroupMember mem;
        mem.member_id = "member-1";
        if (v >= 4) mem.group_instance_id = "instance-1";
        mem.client_id = "client";
        mem.client_host = "/127.0.0.1";
        mem.member_metadata = Bytes{0, 0, 0, 0, 0, 0};
        mem.member_assignment = Bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        mem.unknown_tags = extra_tags(v, DescribeGroupsResponse::first_flexible);
        g.members.push_back(mem);
        if (v >= 3) g.authorized_operations = 0x0c00;
        g.unknown_tags = extra_tags(v, DescribeGroupsResponse::first_flexible);
        m.groups.push_back(g);
        m.unknown_tags = extra_tags(v, DescribeGroupsResponse::first_flexible);
        return m;
    });
    DescribeGroupsResponse resp;
    resp.groups.emplace_back();
    CHECK(resp.groups[0].authorized_operations == INT32_MIN);
    resp.groups[0].group_id = "g";
    resp.groups[0].authorized_operations = 8;
    CHECK_FALSE(encodes(resp, 2));
    CHECK(encodes(resp, 3));
    CHECK(resp.find("g") == &resp.groups[0]);
    CHECK(resp.find("h") == nullptr);
    resp.groups[0].error_message = "x";
    CHECK_FALSE(encodes(resp, 5));
    CHECK(encodes(resp, 6));
}

TEST_CASE("ListGroups: every version round-trips") {
    check_versions<ListGroupsRequest>([](int16_t v) {
        ListGroupsRequest m;
        if (v >= 4) m.states_filter = {"Stable", "Empty"};
        if (v >= 5) m.types_filter = {"classic", "consumer"};
        m.unknown_tags = extra_tags(v, ListGroupsRequest::first_flexible);
        return m;
    });
    check_versions<ListGroupsResponse>([](int16_t v) {
        ListGroupsResponse m;
        if (v >= 1) m.throttle_time_ms = 1;
        m.error_code = 15;
        ListGroupsResponse::ListedGroup g;
        g.group_id = "group-1";
        g.protocol_type = kConsumerProtocolType;
        if (v >= 4) g.group_state = "Stable";
        if (v >= 5) g.group_type = "classic";
        g.unknown_tags = extra_tags(v, ListGroupsResponse::first_flexible);
        m.groups.push_back(g);
        m.unknown_tags = extra_tags(v, ListGroupsResponse::first_flexible);
        return m;
    });
    ListGroupsRequest req;
    req.types_filter = {"consumer"};
    CHECK_FALSE(encodes(req, 4));
    CHECK(encodes(req, 5));
}

// ---------------------------------------------------------------------------
// The consumer embedded protocol.

namespace {

ConsumerProtocolSubscription sample_subscription(int16_t v) {
    ConsumerProtocolSubscription s;
    s.topics = {"orders", "payments"};
    s.user_data = Bytes{0xca, 0xfe};
    if (v >= 1) {
        ConsumerProtocolTopicPartition tp;
        tp.topic = "orders";
        tp.partitions = {0, 2};
        s.owned_partitions.push_back(tp);
    }
    if (v >= 2) s.generation_id = 11;
    if (v >= 3) s.rack_id = "rack-a";
    return s;
}

ConsumerProtocolAssignment sample_assignment() {
    ConsumerProtocolAssignment a;
    ConsumerProtocolTopicPartition tp;
    tp.topic = "orders";
    tp.partitions = {0, 1, 2};
    a.assigned_partitions.push_back(tp);
    tp.topic = "payments";
    tp.partitions = {4};
    a.assigned_partitions.push_back(tp);
    a.user_data = Bytes{1};
    return a;
}

}  // namespace

TEST_CASE("ConsumerProtocol: every version round-trips, with and without the prefix") {
    check_versions<ConsumerProtocolSubscription>(sample_subscription);
    check_versions<ConsumerProtocolAssignment>([](int16_t) { return sample_assignment(); });

    for (int16_t v = 0; v <= 3; ++v) {
        INFO("v" << v);
        auto s = encode_consumer_subscription(sample_subscription(v), v);
        REQUIRE(s.has_value());
        CHECK((*s)[0] == 0);
        CHECK((*s)[1] == v);
        int16_t got = -7;
        auto back = decode_consumer_subscription(*s, &got);
        REQUIRE(back.has_value());
        CHECK(got == v);
        CHECK(back->topics == std::vector<std::string>{"orders", "payments"});
        CHECK(back->generation_id == (v >= 2 ? 11 : -1));
        CHECK(back->rack_id == (v >= 3 ? std::optional<std::string>("rack-a") : std::nullopt));
        auto again = encode_consumer_subscription(*back, got);
        REQUIRE(again.has_value());
        CHECK(*again == *s);

        auto a = encode_consumer_assignment(sample_assignment(), v);
        REQUIRE(a.has_value());
        auto aback = decode_consumer_assignment(*a, &got);
        REQUIRE(aback.has_value());
        CHECK(got == v);
        REQUIRE(aback->assigned_partitions.size() == 2);
        CHECK(aback->assigned_partitions[0].partitions == std::vector<int32_t>{0, 1, 2});
        CHECK(*encode_consumer_assignment(*aback, got) == *a);
    }
}

TEST_CASE("ConsumerProtocol: known layouts byte for byte") {
    // librdkafka 2.15's subscription: v3, topic t1, empty user data, no owned
    // partitions, generation -1, empty rack.
    auto bytes = parse_hex("0003 00000001 00027431 00000000 00000000 ffffffff 0000");
    REQUIRE(bytes.has_value());
    int16_t v = -1;
    auto s = decode_consumer_subscription(*bytes, &v);
    REQUIRE(s.has_value());
    CHECK(v == 3);
    CHECK(s->topics == std::vector<std::string>{"t1"});
    CHECK(s->user_data == Bytes{});
    CHECK(s->generation_id == -1);
    CHECK(s->rack_id == std::string{});
    CHECK(*encode_consumer_subscription(*s, v) == *bytes);

    // Null user data.
    ConsumerProtocolSubscription n;
    n.topics = {"t"};
    CHECK(to_hex(*encode_consumer_subscription(n, 0)) == "0000000000010001" "74" "ffffffff");

    auto a = parse_hex("0000 00000001 00027431 00000003 00000000 00000001 00000002 00000000");
    REQUIRE(a.has_value());
    auto asg = decode_consumer_assignment(*a, &v);
    REQUIRE(asg.has_value());
    CHECK(v == 0);
    REQUIRE(asg->assigned_partitions.size() == 1);
    CHECK(asg->assigned_partitions[0].topic == "t1");
    CHECK(asg->assigned_partitions[0].partitions == std::vector<int32_t>{0, 1, 2});
}

TEST_CASE("ConsumerProtocol: versions outside what we know") {
    // A newer version appends fields: it is read with the v3 layout and the rest ignored.
    auto v3 = encode_consumer_subscription(sample_subscription(3), 3);
    REQUIRE(v3.has_value());
    Bytes v9 = *v3;
    v9[1] = 9;
    v9.insert(v9.end(), {0x01, 0x02, 0x03});
    int16_t v = 0;
    auto s = decode_consumer_subscription(v9, &v);
    REQUIRE(s.has_value());
    CHECK(v == 9);
    CHECK(s->rack_id == std::string("rack-a"));
    CHECK(encode_consumer_subscription(*s, 9).error() == make_error_code(client_errc::unsupported_version));
    CHECK(encode_consumer_subscription(*s, -1).error() == make_error_code(client_errc::unsupported_version));

    Bytes a9 = *encode_consumer_assignment(sample_assignment(), 3);
    a9[1] = 4;
    a9.push_back(0x00);
    CHECK(decode_consumer_assignment(a9).has_value());

    // A known version must use every byte.
    Bytes trailing = *v3;
    trailing.push_back(0x00);
    CHECK(decode_consumer_subscription(trailing).error() == make_error_code(client_errc::trailing_bytes));

    // Negative versions are malformed.
    Bytes neg = *v3;
    neg[0] = 0xff;
    neg[1] = 0xff;
    CHECK(decode_consumer_subscription(neg).error() == make_error_code(client_errc::malformed));
    CHECK(decode_consumer_assignment(neg).error() == make_error_code(client_errc::malformed));

    // A field the version lacks is refused.
    CHECK(encode_consumer_subscription(sample_subscription(3), 2).error() ==
          make_error_code(client_errc::field_not_in_version));

    // Zero bytes: an empty assignment (the coordinator's answer to a member the
    // leader gave nothing); an empty subscription is an error.
    auto empty = decode_consumer_assignment(ByteView{}, &v);
    REQUIRE(empty.has_value());
    CHECK(v == -1);
    CHECK(empty->assigned_partitions.empty());
    CHECK_FALSE(decode_consumer_subscription(ByteView{}).has_value());
}
