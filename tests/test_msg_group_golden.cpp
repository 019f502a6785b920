// Group and offset APIs against recorded traffic: every frame of kcat
// (librdkafka 2.0.2 and 2.15), kafka-python and confluent-kafka against kfake
// and the librdkafka mock brokers decodes and re-encodes byte for byte, and so
// does the consumer protocol embedded in JoinGroup, SyncGroup and
// DescribeGroups. Every frame cut short at every byte is an error.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

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

// Frames per API and capture file (requests and responses), counted from the files.
const std::map<std::pair<int16_t, std::string>, int>& expected_frames() {
    static const std::map<std::pair<int16_t, std::string>, int> table = [] {
        std::map<std::pair<int16_t, std::string>, int> t;
        auto add = [&t](int16_t key, std::initializer_list<std::pair<const char*, int>> files) {
            for (const auto& [file, n] : files) t[{key, std::string("captures/") + file}] = n;
        };
        add(JoinGroupRequest::key, {{"kfake/admin-confluentkafka.kcap", 4},
                                    {"kfake/admin-kafkapython.kcap", 2},
                                    {"kfake/consume-group-kcat20.kcap", 4},
                                    {"kfake/consume-group-kcat215.kcap", 4},
                                    {"kfake/produce-consume-3brokers-kcat215.kcap", 4},
                                    {"kfake/produce-consume-none-kafkapython.kcap", 2},
                                    {"rdkafka-mock-2.0/consume-group-kcat20.kcap", 2},
                                    {"rdkafka-mock-2.0/consume-group-kcat215.kcap", 2},
                                    {"rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap", 2},
                                    {"rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap", 2},
                                    {"rdkafka-mock-2.15/consume-group-kcat20.kcap", 2},
                                    {"rdkafka-mock-2.15/consume-group-kcat215.kcap", 2},
                                    {"rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap", 2},
                                    {"rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap", 2}});
        // SyncGroup and LeaveGroup: one exchange in each of the JoinGroup files.
        for (int16_t key : {SyncGroupRequest::key.value, LeaveGroupRequest::key.value}) {
            for (const auto& [k, n] : std::map<std::pair<int16_t, std::string>, int>(t)) {
                if (k.first == JoinGroupRequest::key) t[{key, k.second}] = 2;
            }
        }
        add(HeartbeatRequest::key, {{"kfake/admin-confluentkafka.kcap", 2},
                                    {"kfake/admin-kafkapython.kcap", 2},
                                    {"kfake/consume-group-kcat20.kcap", 20},
                                    {"kfake/consume-group-kcat215.kcap", 20},
                                    {"kfake/produce-consume-3brokers-kcat215.kcap", 18},
                                    {"kfake/produce-consume-none-kafkapython.kcap", 10},
                                    {"rdkafka-mock-2.0/consume-group-kcat20.kcap", 14},
                                    {"rdkafka-mock-2.0/consume-group-kcat215.kcap", 12},
                                    {"rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap", 10},
                                    {"rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap", 10},
                                    {"rdkafka-mock-2.15/consume-group-kcat20.kcap", 14},
                                    {"rdkafka-mock-2.15/consume-group-kcat215.kcap", 14},
                                    {"rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap", 10},
                                    {"rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap", 10}});
        add(OffsetCommitRequest::key, {{"kfake/admin-confluentkafka.kcap", 2},
                                       {"kfake/admin-kafkapython.kcap", 2},
                                       {"kfake/consume-group-kcat20.kcap", 4},
                                       {"kfake/consume-group-kcat215.kcap", 4},
                                       {"kfake/consume-group-kip848-kcat215.kcap", 4},
                                       {"kfake/produce-consume-3brokers-kcat215.kcap", 4},
                                       {"kfake/produce-consume-none-kafkapython.kcap", 2},
                                       {"rdkafka-mock-2.0/consume-group-kcat20.kcap", 4},
                                       {"rdkafka-mock-2.0/consume-group-kcat215.kcap", 4},
                                       {"rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap", 2},
                                       {"rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap", 2},
                                       {"rdkafka-mock-2.15/consume-group-kcat20.kcap", 4},
                                       {"rdkafka-mock-2.15/consume-group-kcat215.kcap", 4},
                                       {"rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap", 4},
                                       {"rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap", 2},
                                       {"rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap", 2}});
        add(OffsetFetchRequest::key, {{"kfake/admin-confluentkafka.kcap", 2},
                                      {"kfake/admin-kafkapython.kcap", 4},
                                      {"kfake/consume-group-kcat20.kcap", 2},
                                      {"kfake/consume-group-kcat215.kcap", 2},
                                      {"kfake/consume-group-kip848-kcat215.kcap", 2},
                                      {"kfake/produce-consume-3brokers-kcat215.kcap", 2},
                                      {"kfake/produce-consume-none-kafkapython.kcap", 2},
                                      {"rdkafka-mock-2.0/consume-group-kcat20.kcap", 2},
                                      {"rdkafka-mock-2.0/consume-group-kcat215.kcap", 2},
                                      {"rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap", 2},
                                      {"rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap", 2},
                                      {"rdkafka-mock-2.15/consume-group-kcat20.kcap", 2},
                                      {"rdkafka-mock-2.15/consume-group-kcat215.kcap", 2},
                                      {"rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap", 2},
                                      {"rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap", 2},
                                      {"rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap", 2}});
        add(DescribeGroupsRequest::key, {{"kfake/admin-confluentkafka.kcap", 2}, {"kfake/admin-kafkapython.kcap", 2}});
        add(ListGroupsRequest::key, {{"kfake/admin-confluentkafka.kcap", 2}, {"kfake/admin-kafkapython.kcap", 2}});
        return t;
    }();
    return table;
}

std::vector<std::string> capture_files() {
    std::vector<std::string> out;
    for (const char* broker : {"kfake", "rdkafka-mock-2.0", "rdkafka-mock-2.15"}) {
        std::string dir = std::string(KAFKA_TESTDATA_DIR) + "/captures/" + broker;
        DIR* d = opendir(dir.c_str());
        REQUIRE_MESSAGE(d != nullptr, "missing " << dir);
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 5 && n.compare(n.size() - 5, 5, ".kcap") == 0)
                out.push_back(std::string("captures/") + broker + "/" + n);
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Runs golden_file<Req> over every file the table lists for Req; returns the frame total.
template <class Req>
int golden_api() {
    int total = 0;
    int files = 0;
    for (const auto& entry : expected_frames()) {
        const std::string& rel = entry.first.second;
        const int n = entry.second;
        if (entry.first.first != Req::key) continue;
        INFO(std::string(Req::name) << " in " << rel);
        int got = test::golden_file<Req>(rel);
        CHECK(got == n);
        CHECK(got > 0);
        total += got;
        ++files;
    }
    CHECK(files > 0);
    return total;
}

// Calls f(frame, decoded message) for every frame of Req's API in the listed files.
template <class Req, class OnRequest, class OnResponse>
void for_each_message(OnRequest on_req, OnResponse on_resp) {
    using Resp = typename Req::response_type;
    for (const auto& entry : expected_frames()) {
        const std::string& rel = entry.first.second;
        if (entry.first.first != Req::key) continue;
        auto file = test::load_kcap(rel);
        for (const auto& f : file.frames) {
            if (f.api_key != Req::key) continue;
            INFO(rel << ":" << f.line);
            if (f.request) {
                ByteView body = ByteView(f.bytes).subview(test::request_body_offset(f, Req::first_flexible));
                Reader r(body);
                auto m = Req::decode(r, f.version);
                REQUIRE(m.has_value());
                on_req(f, *m);
            } else {
                ByteView body = ByteView(f.bytes).subview(test::response_body_offset(f, Resp::first_flexible));
                Reader r(body);
                auto m = Resp::decode(r, f.version);
                REQUIRE(m.has_value());
                on_resp(f, *m);
            }
        }
    }
}

// Every frame of Req's API, cut at every byte, must fail to decode.
template <class Req>
int truncations_fail() {
    using Resp = typename Req::response_type;
    int cuts = 0;
    for (const auto& entry : expected_frames()) {
        const std::string& rel = entry.first.second;
        if (entry.first.first != Req::key) continue;
        auto file = test::load_kcap(rel);
        for (const auto& f : file.frames) {
            if (f.api_key != Req::key) continue;
            size_t off = f.request ? test::request_body_offset(f, Req::first_flexible)
                                   : test::response_body_offset(f, Resp::first_flexible);
            ByteView body = ByteView(f.bytes).subview(off);
            for (size_t len = 0; len < body.size; ++len) {
                Reader r(body.subview(0, len));
                bool decoded = f.request ? Req::decode(r, f.version).has_value()
                                         : Resp::decode(r, f.version).has_value();
                if (decoded) FAIL_CHECK(rel << ":" << f.line << " decoded when cut to " << len << " bytes");
                ++cuts;
            }
        }
    }
    return cuts;
}

// Decodes an embedded consumer protocol value and checks it re-encodes identically.
template <class Decode, class Encode>
int16_t embedded_roundtrip(ByteView bytes, Decode decode, Encode encode) {
    int16_t version = -1;
    auto m = decode(bytes, &version);
    REQUIRE(m.has_value());
    auto again = encode(*m, version);
    REQUIRE(again.has_value());
    CHECK(to_hex(*again) == to_hex(bytes));
    return version;
}

int16_t subscription_roundtrip(ByteView bytes) {
    return embedded_roundtrip(bytes, decode_consumer_subscription, encode_consumer_subscription);
}
int16_t assignment_roundtrip(ByteView bytes) {
    return embedded_roundtrip(bytes, decode_consumer_assignment, encode_consumer_assignment);
}

}  // namespace

TEST_CASE("golden: the table lists every capture holding a group API") {
    const int16_t keys[] = {JoinGroupRequest::key,  SyncGroupRequest::key,    HeartbeatRequest::key,
                            LeaveGroupRequest::key, OffsetCommitRequest::key, OffsetFetchRequest::key,
                            DescribeGroupsRequest::key, ListGroupsRequest::key};
    for (const auto& rel : capture_files()) {
        auto file = test::load_kcap(rel);
        for (int16_t key : keys) {
            int n = static_cast<int>(std::count_if(file.frames.begin(), file.frames.end(),
                                                   [key](const KcapFrame& f) { return f.api_key == key; }));
            auto it = expected_frames().find({key, rel});
            INFO(rel << " api " << key);
            CHECK(n == (it == expected_frames().end() ? 0 : it->second));
        }
    }
}

TEST_CASE("golden: JoinGroup") { CHECK(golden_api<JoinGroupRequest>() == 36); }
TEST_CASE("golden: SyncGroup") { CHECK(golden_api<SyncGroupRequest>() == 28); }
TEST_CASE("golden: Heartbeat") { CHECK(golden_api<HeartbeatRequest>() == 166); }
TEST_CASE("golden: LeaveGroup") { CHECK(golden_api<LeaveGroupRequest>() == 28); }
TEST_CASE("golden: OffsetCommit") { CHECK(golden_api<OffsetCommitRequest>() == 50); }
TEST_CASE("golden: OffsetFetch") { CHECK(golden_api<OffsetFetchRequest>() == 34); }
TEST_CASE("golden: DescribeGroups") { CHECK(golden_api<DescribeGroupsRequest>() == 4); }
TEST_CASE("golden: ListGroups") { CHECK(golden_api<ListGroupsRequest>() == 4); }

TEST_CASE("golden: the consumer protocol inside JoinGroup, SyncGroup and DescribeGroups") {
    std::set<int16_t> subscription_versions, assignment_versions;
    std::set<std::string> assignors;
    int subscriptions = 0, assignments = 0;

    for_each_message<JoinGroupRequest>(
        [&](const KcapFrame&, const JoinGroupRequest& m) {
            REQUIRE(m.protocol_type == kConsumerProtocolType);
            CHECK(!m.protocols.empty());
            for (const auto& p : m.protocols) {
                assignors.insert(p.name);
                subscription_versions.insert(subscription_roundtrip(p.metadata));
                ++subscriptions;
            }
        },
        [&](const KcapFrame&, const JoinGroupResponse& m) {
            for (const auto& mem : m.members) {
                subscription_versions.insert(subscription_roundtrip(mem.metadata));
                ++subscriptions;
            }
        });
    for_each_message<SyncGroupRequest>(
        [&](const KcapFrame&, const SyncGroupRequest& m) {
            for (const auto& a : m.assignments) {
                assignment_versions.insert(assignment_roundtrip(a.assignment));
                ++assignments;
            }
        },
        [&](const KcapFrame&, const SyncGroupResponse& m) {
            if (m.assignment) assignment_versions.insert(assignment_roundtrip(*m.assignment));
            ++assignments;
        });
    for_each_message<DescribeGroupsRequest>([](const KcapFrame&, const DescribeGroupsRequest&) {},
                                            [&](const KcapFrame&, const DescribeGroupsResponse& m) {
                                                for (const auto& g : m.groups) {
                                                    CHECK(g.protocol_type == kConsumerProtocolType);
                                                    for (const auto& mem : g.members) {
                                                        subscription_roundtrip(mem.member_metadata);
                                                        assignment_roundtrip(mem.member_assignment);
                                                        subscriptions++;
                                                        assignments++;
                                                    }
                                                }
                                            });

    CHECK(subscriptions >= 50);
    CHECK(assignments >= 28);
    // kafka-python writes v0, librdkafka 2.0.2 v1, librdkafka 2.15 v3.
    CHECK(subscription_versions == std::set<int16_t>{0, 1, 3});
    CHECK(assignment_versions.count(0) == 1);
    CHECK(assignors.count("range") == 1);
    CHECK(assignors.count("roundrobin") == 1);
}

TEST_CASE("golden: what the recorded group conversations say") {
    // kafka-python against kfake: JoinGroup v2, SyncGroup v1, OffsetFetch v1,
    // OffsetCommit v2, LeaveGroup v1; its admin ListGroups v1 and DescribeGroups v3.
    auto file = test::load_kcap("captures/kfake/admin-kafkapython.kcap");
    int seen = 0;
    for (const auto& f : file.frames) {
        if (f.api_key == ListGroupsRequest::key && !f.request) {
            auto m = test::golden_roundtrip<ListGroupsResponse>(
                ByteView(f.bytes).subview(test::response_body_offset(f, ListGroupsResponse::first_flexible)),
                f.version, "ListGroups");
            REQUIRE(m.groups.size() == 1);
            CHECK(m.groups[0].group_id == "adm-group");
            CHECK(m.groups[0].protocol_type == "consumer");
            ++seen;
        }
        if (f.api_key == DescribeGroupsRequest::key && !f.request) {
            auto m = test::golden_roundtrip<DescribeGroupsResponse>(
                ByteView(f.bytes).subview(test::response_body_offset(f, DescribeGroupsResponse::first_flexible)),
                f.version, "DescribeGroups");
            const auto* g = m.find("adm-group");
            REQUIRE(g != nullptr);
            CHECK(g->group_state == "Stable");
            CHECK(g->protocol_data == "range");
            CHECK(g->authorized_operations == DescribeGroupsResponse::kAuthorizedOperationsOmitted);
            REQUIRE(g->members.size() == 1);
            auto a = decode_consumer_assignment(g->members[0].member_assignment);
            REQUIRE(a.has_value());
            REQUIRE(a->assigned_partitions.size() == 1);
            CHECK(a->assigned_partitions[0].topic == "adm-a");
            CHECK(a->assigned_partitions[0].partitions == std::vector<int32_t>{0, 1, 2});
            ++seen;
        }
        if (f.api_key == OffsetFetchRequest::key && !f.request && f.version == 3) {
            auto m = test::golden_roundtrip<OffsetFetchResponse>(
                ByteView(f.bytes).subview(test::response_body_offset(f, OffsetFetchResponse::first_flexible)),
                f.version, "OffsetFetch");
            CHECK(m.group_error("adm-group") == 0);
            const auto* p = m.find("adm-group", "adm-a", 2);
            REQUIRE(p != nullptr);
            CHECK(p->committed_offset == 1);
            ++seen;
        }
        if (f.api_key == OffsetFetchRequest::key && f.request && f.version == 3) {
            auto m = test::golden_roundtrip<OffsetFetchRequest>(
                ByteView(f.bytes).subview(test::request_body_offset(f, OffsetFetchRequest::first_flexible)),
                f.version, "OffsetFetch");
            CHECK(m.group_id == "adm-group");
            CHECK_FALSE(m.topics.has_value());  // the admin client asks for every topic
            ++seen;
        }
    }
    CHECK(seen == 4);

    // kcat (librdkafka 2.15) against kfake: the leader's JoinGroup v5 answer.
    file = test::load_kcap("captures/kfake/consume-group-kcat215.kcap");
    bool leader_seen = false;
    for (const auto& f : file.frames) {
        if (f.api_key != JoinGroupRequest::key || f.request) continue;
        auto m = test::golden_roundtrip<JoinGroupResponse>(
            ByteView(f.bytes).subview(test::response_body_offset(f, JoinGroupResponse::first_flexible)), f.version,
            "JoinGroup");
        if (m.error_code == 79) {  // MEMBER_ID_REQUIRED (KIP-394): join again with this id
            CHECK_FALSE(m.member_id.empty());
            CHECK(m.members.empty());
            continue;
        }
        CHECK(m.is_leader());
        CHECK(m.protocol_name == std::string("range"));
        REQUIRE(m.members.size() == 1);
        auto s = decode_consumer_subscription(m.members[0].metadata);
        REQUIRE(s.has_value());
        CHECK(s->topics == std::vector<std::string>{"t1"});
        leader_seen = true;
    }
    CHECK(leader_seen);
}

TEST_CASE("hostile: every group frame cut short at every byte is an error") {
    CHECK(truncations_fail<JoinGroupRequest>() > 0);
    CHECK(truncations_fail<SyncGroupRequest>() > 0);
    CHECK(truncations_fail<HeartbeatRequest>() > 0);
    CHECK(truncations_fail<LeaveGroupRequest>() > 0);
    CHECK(truncations_fail<OffsetCommitRequest>() > 0);
    CHECK(truncations_fail<OffsetFetchRequest>() > 0);
    CHECK(truncations_fail<DescribeGroupsRequest>() > 0);
    CHECK(truncations_fail<ListGroupsRequest>() > 0);
}

TEST_CASE("hostile: embedded consumer protocol values cut short, and huge lengths") {
    int cuts = 0;
    auto cut_all = [&](ByteView bytes, bool assignment) {
        for (size_t len = 0; len < bytes.size; ++len) {
            ByteView part = bytes.subview(0, len);
            bool decoded = assignment ? decode_consumer_assignment(part).has_value()
                                      : decode_consumer_subscription(part).has_value();
            // Zero bytes are the one short input that is valid: an empty assignment.
            if (decoded != (assignment && len == 0)) FAIL_CHECK("cut to " << len << " bytes");
            ++cuts;
        }
    };
    for_each_message<JoinGroupRequest>(
        [&](const KcapFrame&, const JoinGroupRequest& m) {
            for (const auto& p : m.protocols) cut_all(p.metadata, false);
        },
        [](const KcapFrame&, const JoinGroupResponse&) {});
    for_each_message<SyncGroupRequest>([](const KcapFrame&, const SyncGroupRequest&) {},
                                       [&](const KcapFrame&, const SyncGroupResponse& m) {
                                           if (m.assignment) cut_all(*m.assignment, true);
                                       });
    CHECK(cuts > 0);

    // A topic count far beyond the bytes present, and a negative string length.
    auto huge = parse_hex("0000 7fffffff 0001 74");
    REQUIRE(huge.has_value());
    CHECK_FALSE(decode_consumer_subscription(*huge).has_value());
    auto negative = parse_hex("0000 00000001 fffe 74 ffffffff");
    REQUIRE(negative.has_value());
    CHECK_FALSE(decode_consumer_subscription(*negative).has_value());
    auto parts = parse_hex("0000 00000001 0001 74 80000000 ffffffff");
    REQUIRE(parts.has_value());
    CHECK_FALSE(decode_consumer_assignment(*parts).has_value());

    // JoinGroup v6 (flexible) claiming 2^31 protocols.
    auto join = parse_hex("0267 0000afc8 000493e0 01 00 09636f6e73756d6572 ffffffff0f");
    REQUIRE(join.has_value());
    Reader r(*join);
    CHECK_FALSE(JoinGroupRequest::decode(r, 6).has_value());
}

TEST_CASE("describe: group messages print as field trees") {
    auto file = test::load_kcap("captures/kfake/admin-kafkapython.kcap");
    int described = 0;
    for (const auto& f : file.frames) {
        if (f.api_key == OffsetFetchRequest::key && f.request && f.version == 3) {
            auto m = test::golden_roundtrip<OffsetFetchRequest>(
                ByteView(f.bytes).subview(test::request_body_offset(f, OffsetFetchRequest::first_flexible)),
                f.version, "OffsetFetch");
            FieldNode root;
            describe_fields(m, root, f.version);
            REQUIRE(root.find("group_id") != nullptr);
            CHECK(root.find("group_id")->text == "adm-group");
            REQUIRE(root.find("topics") != nullptr);
            CHECK(root.find("topics")->kind == FieldNode::Kind::null);
            CHECK(root.find("groups") == nullptr);  // v8+
            ++described;
        }
        if (f.api_key == JoinGroupRequest::key && f.request) {
            auto m = test::golden_roundtrip<JoinGroupRequest>(
                ByteView(f.bytes).subview(test::request_body_offset(f, JoinGroupRequest::first_flexible)),
                f.version, "JoinGroup");
            FieldNode root;
            describe_fields(m, root, f.version);
            REQUIRE(root.find("protocols") != nullptr);
            CHECK(root.find("protocols")->children.size() == 2);
            CHECK(root.find("rebalance_timeout_ms") != nullptr);
            CHECK(root.find("group_instance_id") == nullptr);  // v5+
            ++described;
        }
    }
    CHECK(described == 2);

    OffsetFetchResponse resp;
    resp.groups.emplace_back();
    resp.groups[0].topics.emplace_back();
    resp.groups[0].topics[0].topic_id = Uuid{};
    FieldNode root;
    describe_fields(resp, root, 10);
    REQUIRE(root.find("groups") != nullptr);
    const FieldNode& topic = root.find("groups")->children.at(0).find("topics")->children.at(0);
    CHECK(topic.find("topic_id") != nullptr);
    CHECK(topic.find("name") == nullptr);  // v0-9
}
