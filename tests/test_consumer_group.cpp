// The consumer's group protocol pieces without a broker: JoinGroup
// subscriptions, the leader's assignment, the member's view of it, the error
// table, and the settings. Interop is checked against bytes kafka-python and
// librdkafka put on the wire (testdata/captures).
#include <doctest/doctest.h>

#include "client/consumer_config.hpp"
#include "client/consumer_errors.hpp"
#include "client/group_assignment.hpp"
#include "protocol/header.hpp"
#include "protocol/kcap.hpp"
#include "protocol/messages/consumer_protocol.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/sync_group.hpp"
#include "support/golden.hpp"

using namespace kafka;

namespace {

template <class Req>
std::vector<Req> requests_in(const std::string& rel) {
    auto file = test::load_kcap(rel);
    std::vector<Req> out;
    for (const auto& f : file.frames) {
        if (!f.request || f.api_key != Req::key) continue;
        size_t off = test::request_body_offset(f, Req::first_flexible);
        Reader r(ByteView(f.bytes).subview(off));
        auto m = Req::decode(r, f.version);
        REQUIRE(m.has_value());
        out.push_back(std::move(*m));
    }
    return out;
}

JoinGroupResponse::Member member(const std::string& id, const Bytes& metadata) {
    JoinGroupResponse::Member m;
    m.member_id = id;
    m.metadata = metadata;
    return m;
}

}  // namespace

TEST_CASE("group: kafka-python's and librdkafka's subscriptions and assignments decode, ours lead them") {
    for (const char* rel : {"captures/rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap",
                            "captures/rdkafka-mock-2.0/consume-group-kcat20.kcap"}) {
        INFO(rel);
        auto joins = requests_in<JoinGroupRequest>(rel);
        REQUIRE(!joins.empty());
        const auto& join = joins.front();
        CHECK(join.protocol_type == "consumer");
        bool has_range = false;
        for (const auto& p : join.protocols) {
            if (p.name != "range") continue;
            has_range = true;
            // Their member metadata, read by our leader.
            std::vector<JoinGroupResponse::Member> members{member("theirs", p.metadata)};
            auto topics = member_topics(members);
            REQUIRE(topics.has_value());
            CHECK(*topics == std::set<std::string>{"t1"});
            // Our subscription next to theirs: we lead, range over t1's 3 partitions.
            auto ours = join_protocols({"range"}, {"t1"}, {}, -1);
            REQUIRE(ours.has_value());
            members.push_back(member("zz-ours", (*ours)[0].metadata));
            auto assignments = leader_assign("range", members, {{"t1", 3}});
            REQUIRE(assignments.has_value());
            REQUIRE(assignments->size() == 2);
            auto theirs = decode_member_assignment((*assignments)[0].assignment);
            auto mine = decode_member_assignment((*assignments)[1].assignment);
            REQUIRE(theirs.has_value());
            REQUIRE(mine.has_value());
            CHECK(*theirs == PartitionSet{{"t1", 0}, {"t1", 1}});
            CHECK(*mine == PartitionSet{{"t1", 2}});
        }
        CHECK(has_range);

        // Their leader's SyncGroup assignment, read by a member of ours.
        auto syncs = requests_in<SyncGroupRequest>(rel);
        REQUIRE(!syncs.empty());
        REQUIRE(!syncs.front().assignments.empty());
        auto got = decode_member_assignment(syncs.front().assignments.front().assignment);
        REQUIRE(got.has_value());
        CHECK(got->size() == 3);
        CHECK(got->count({"t1", 1}) == 1);
    }
}

TEST_CASE("group: our eager subscription is v0, the layout kafka-python writes and reads") {
    auto p = join_protocols({"range", "roundrobin", "cooperative-sticky"}, {"b", "a"}, {{"a", 1}}, 4);
    REQUIRE(p.has_value());
    REQUIRE(p->size() == 3);
    CHECK((*p)[0].name == "range");
    const Bytes& m = (*p)[0].metadata;
    // int16 version 0 | int32 topic count 2 | "a" | "b" | user_data null
    Bytes want{0, 0, 0, 0, 0, 2, 0, 1, 'a', 0, 1, 'b', 0xff, 0xff, 0xff, 0xff};
    CHECK(m == want);
    // cooperative-sticky carries the owned partitions and generation (v2, KIP-429/792).
    int16_t version = -1;
    auto coop = decode_consumer_subscription((*p)[2].metadata, &version);
    REQUIRE(coop.has_value());
    CHECK(version == 2);
    REQUIRE(coop->owned_partitions.size() == 1);
    CHECK(coop->owned_partitions[0].topic == "a");
    CHECK(coop->generation_id == 4);
    CHECK(is_cooperative("cooperative-sticky"));
    CHECK(!is_cooperative("range"));
}

TEST_CASE("group: the leader assigns every partition once, cooperative-sticky moves only what must move") {
    std::vector<JoinGroupResponse::Member> members;
    for (const char* id : {"m1", "m2"}) {
        auto p = join_protocols({"roundrobin"}, {"t"}, {}, -1);
        REQUIRE(p.has_value());
        members.push_back(member(id, (*p)[0].metadata));
    }
    auto a = leader_assign("roundrobin", members, {{"t", 8}});
    REQUIRE(a.has_value());
    PartitionSet all;
    for (const auto& sa : *a) {
        auto got = decode_member_assignment(sa.assignment);
        REQUIRE(got.has_value());
        CHECK(got->size() == 4);
        all.insert(got->begin(), got->end());
    }
    CHECK(all.size() == 8);

    // Two members own 4 each; a third joins: each gives up what the newcomer gets, nothing else moves.
    PartitionSet owned1{{"t", 0}, {"t", 1}, {"t", 2}, {"t", 3}}, owned2{{"t", 4}, {"t", 5}, {"t", 6}, {"t", 7}};
    std::vector<JoinGroupResponse::Member> coop;
    auto add = [&](const std::string& id, const PartitionSet& owned) {
        auto p = join_protocols({"cooperative-sticky"}, {"t"}, owned, 1);
        REQUIRE(p.has_value());
        coop.push_back(member(id, (*p)[0].metadata));
    };
    add("c1", owned1);
    add("c2", owned2);
    add("c3", {});
    auto ca = leader_assign("cooperative-sticky", coop, {{"t", 8}});
    REQUIRE(ca.has_value());
    auto n1 = *decode_member_assignment((*ca)[0].assignment);
    auto n2 = *decode_member_assignment((*ca)[1].assignment);
    auto n3 = *decode_member_assignment((*ca)[2].assignment);
    auto ch1 = assignment_change(owned1, n1);
    auto ch2 = assignment_change(owned2, n2);
    CHECK(ch1.added.empty());
    CHECK(ch2.added.empty());
    // What is revoked now is assigned in the next round, not this one (KIP-429).
    CHECK(ch1.revoked.size() + ch2.revoked.size() <= 3);
    CHECK(ch1.revoked.size() + ch2.revoked.size() >= 2);
    CHECK(n3.empty());
    for (const auto& tp : n1) CHECK(owned1.count(tp));

    CHECK(!leader_assign("no-such", coop, {{"t", 8}}).has_value());
}

TEST_CASE("group: assignment changes, and zero bytes are an empty assignment") {
    auto ch = assignment_change({{"t", 0}, {"t", 1}}, {{"t", 1}, {"t", 2}});
    CHECK(ch.added == std::vector<TopicPartition>{{"t", 2}});
    CHECK(ch.revoked == std::vector<TopicPartition>{{"t", 0}});
    auto empty = decode_member_assignment(Bytes{});
    REQUIRE(empty.has_value());
    CHECK(empty->empty());
    CHECK(!decode_member_assignment(Bytes{0, 0, 0}).has_value());
}

TEST_CASE("consumer errors: one table says what to do") {
    using A = ConsumerAction;
    using O = ConsumerOp;
    CHECK(consumer_action(O::fetch, std::error_code{}) == A::none);
    CHECK(consumer_action(O::fetch, make_error_code(errc::offset_out_of_range)) == A::reset_offset);
    CHECK(consumer_action(O::fetch, make_error_code(errc::not_leader_or_follower)) == A::refresh_metadata);
    CHECK(consumer_action(O::fetch, make_error_code(errc::invalid_fetch_session_epoch)) == A::reset_fetch_session);
    CHECK(consumer_action(O::join_group, make_error_code(errc::member_id_required)) == A::rejoin_with_id);
    CHECK(consumer_action(O::join_group, make_error_code(errc::rebalance_in_progress)) == A::retry);
    CHECK(consumer_action(O::heartbeat, make_error_code(errc::rebalance_in_progress)) == A::rejoin);
    CHECK(consumer_action(O::sync_group, make_error_code(errc::illegal_generation)) == A::rejoin_as_new);
    CHECK(consumer_action(O::heartbeat, make_error_code(errc::unknown_member_id)) == A::rejoin_as_new);
    CHECK(consumer_action(O::offset_commit, make_error_code(errc::not_coordinator)) == A::find_coordinator);
    CHECK(consumer_action(O::heartbeat, make_error_code(errc::fenced_instance_id)) == A::fatal);
    CHECK(consumer_action(O::offset_fetch, make_error_code(errc::unstable_offset_commit)) == A::retry);
    CHECK(consumer_action(O::heartbeat, make_error_code(client_errc::connection_lost_after_send)) ==
          A::find_coordinator);
    CHECK(consumer_action(O::fetch, make_error_code(client_errc::timed_out)) == A::refresh_metadata);
    // Not in the table: Kafka's retriable flag decides.
    CHECK(consumer_action(O::fetch, make_error_code(errc::request_timed_out)) == A::retry);
    CHECK(consumer_action(O::fetch, make_error_code(errc::corrupt_message)) == A::retry);
    CHECK(consumer_action(O::offset_commit, make_error_code(errc::invalid_request)) == A::fail);
    CHECK(std::string(consumer_action_name(A::rejoin_as_new)) == "rejoin_as_new");
}

TEST_CASE("consumer config: Kafka's names and Java's defaults, bad values name the key") {
    Properties p{{"bootstrap.servers", "h:1"}};
    auto c = ConsumerConfig::from(p);
    REQUIRE(c.has_value());
    CHECK(c->auto_offset_reset == OffsetReset::latest);
    CHECK(c->enable_auto_commit);
    CHECK(c->session_timeout == std::chrono::milliseconds(45000));
    CHECK(c->max_poll_records == 500);
    CHECK(c->assignment_strategies == std::vector<std::string>{"range", "cooperative-sticky"});
    CHECK(c->fetch_max_bytes == 52428800);

    p.set("auto.offset.reset", "smallest").set("isolation.level", "read_committed").set(
        "partition.assignment.strategy", "org.apache.kafka.clients.consumer.RoundRobinAssignor, range");
    c = ConsumerConfig::from(p);
    REQUIRE(c.has_value());
    CHECK(c->auto_offset_reset == OffsetReset::earliest);
    CHECK(c->isolation_level == IsolationLevel::read_committed);
    CHECK(c->assignment_strategies == std::vector<std::string>{"roundrobin", "range"});

    std::string err;
    CHECK(!ConsumerConfig::from(Properties{{"bootstrap.servers", "h:1"}, {"fetch.min.bytes", "lots"}}, &err));
    CHECK(err.find("fetch.min.bytes") != std::string::npos);
    CHECK(err.find("lots") == std::string::npos);
    CHECK(!ConsumerConfig::from(Properties{{"bootstrap.servers", "h:1"}, {"partition.assignment.strategy", "sticky"}},
                                &err));
    CHECK(!ConsumerConfig::from(Properties{{"bootstrap.servers", "h:1"}, {"typo.key", "1"}}, &err));
    CHECK(err == "unknown consumer setting typo.key");
    CHECK(!ConsumerConfig::from(Properties{{"group.id", "g"}}, &err));
    CHECK(!ConsumerConfig::from(
        Properties{{"bootstrap.servers", "h:1"}, {"session.timeout.ms", "1000"}, {"heartbeat.interval.ms", "1000"}}));
}
