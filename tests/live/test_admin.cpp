// The admin client against the librdkafka mock (which lacks CreateTopics,
// DeleteTopics, ListGroups and DescribeGroups: those give clear errors), and
// group descriptions from a DescribeGroups answer recorded from kfake.
#include <ostream>

#include <doctest/doctest.h>

#include <algorithm>

#include "client/admin.hpp"
#include "client/admin_format.hpp"
#include "mock_cluster.hpp"
#include "protocol/header.hpp"
#include "protocol/kcap.hpp"
#include "protocol/messages/describe_groups.hpp"
#include "test_kcli_admin_support.hpp"

using namespace kafka;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Admin> connect(const test::MockCluster& mock) {
    auto a = Admin::create({{"bootstrap.servers", mock.bootstraps()}, {"default.api.timeout.ms", "10000"}});
    REQUIRE_MESSAGE(a.ok(), a.message);
    return std::move(a.value);
}

const ApiVersionRange* find_api(const std::vector<ApiVersionRange>& v, int16_t key) {
    auto it = std::find_if(v.begin(), v.end(), [key](const ApiVersionRange& r) { return r.api_key == key; });
    return it == v.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("admin: bad settings and unreachable clusters fail with a message") {
    auto bad = Admin::create({{"bootstrap.servers", "127.0.0.1:1"}, {"linger.msx", "5"}});
    CHECK(bad.error == client_errc::invalid_config);
    CHECK(bad.message.find("linger.msx") != std::string::npos);

    auto none = Admin::create({});
    CHECK(none.error == client_errc::invalid_config);

    // Nothing listens on port 1: bounded by the settings, not a hang.
    auto started = std::chrono::steady_clock::now();
    auto down = Admin::create({{"bootstrap.servers", "127.0.0.1:1"},
                               {"default.api.timeout.ms", "3000"},
                               {"reconnect.backoff.ms", "10"}});
    CHECK(!down.ok());
    CHECK(down.message.find("127.0.0.1:1") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("admin: describe_cluster lists brokers, partitions and every broker's API versions") {
    test::MockCluster mock(3);
    mock.create_topic("orders", 4, 3);
    mock.create_topic("audit", 1, 1);
    auto admin = connect(mock);

    auto c = admin->describe_cluster();
    REQUIRE_MESSAGE(c.ok(), c.message);
    REQUIRE(c.value.brokers.size() == 3);
    CHECK(c.value.brokers[0].node_id == 1);
    CHECK(c.value.metadata_version == 2);  // the mock's newest
    CHECK(c.value.cluster_id.has_value());
    REQUIRE(c.value.topics.size() == 2);
    CHECK(c.value.topics[0].name == "audit");  // sorted
    const TopicDescription& orders = c.value.topics[1];
    CHECK(orders.name == "orders");
    REQUIRE(orders.partitions.size() == 4);
    CHECK(orders.replication_factor() == 3);
    for (const auto& p : orders.partitions) {
        CHECK(p.leader >= 1);
        CHECK(p.isr.size() == 3);
    }
    for (const auto& b : c.value.brokers) {
        CAPTURE(b.node_id);
        CHECK(!b.api_versions_error);
        const ApiVersionRange* md = find_api(b.api_versions, 3);
        REQUIRE(md);
        CHECK(md->max_version == 2);
        CHECK(find_api(b.api_versions, 19) == nullptr);  // no CreateTopics on the mock
    }

    // One topic, and a missing one that asking does not create.
    DescribeClusterOptions o;
    o.topics = {"orders", "missing"};
    o.api_versions = false;
    auto some = admin->describe_cluster(o);
    REQUIRE(some.ok());
    REQUIRE(some.value.topics.size() == 2);
    CHECK(some.value.topics[0].name == "missing");
    CHECK(some.value.topics[0].error == errc::unknown_topic_or_partition);
    CHECK(some.value.brokers[0].api_versions.empty());
    auto list = admin->list_topics();
    REQUIRE(list.ok());
    CHECK(list.value.size() == 2);  // "missing" was not auto-created

    auto text = format_cluster_text(c.value);
    CHECK(text.find("broker 2 at 127.0.0.1:") != std::string::npos);
    CHECK(text.find("topic \"orders\" with 4 partitions") != std::string::npos);
    auto row = text.substr(text.find("\n  Metadata ") + 1);
    row = row.substr(0, row.find('\n'));
    CHECK(row.find(" 3  0-2       0-2       0-2       0-13") != std::string::npos);
    CHECK(test::json_eval(format_cluster_json(c.value), "len(d['brokers'][2]['api_versions']) > 10") == "true");
}

TEST_CASE("admin: a broker without CreateTopics says so, auto-creation only when asked") {
    test::MockCluster mock(3);
    auto admin = connect(mock);

    auto r = admin->create_topics({{"fresh", 6, 2, {}}});
    CHECK(r.error == client_errc::no_version_in_common);
    CHECK(r.message.find("does not support CreateTopics (API key 19)") != std::string::npos);
    auto listed = admin->list_topics();
    REQUIRE(listed.ok());
    CHECK(listed.value.empty());  // nothing was created behind the user's back

    CreateTopicsOptions fallback;
    fallback.fall_back_to_auto_create = true;
    auto made = admin->create_topics({{"fresh", 6, 2, {{"retention.ms", "1000"}}}}, fallback);
    REQUIRE_MESSAGE(made.ok(), made.message);
    REQUIRE(made.value.size() == 1);
    const TopicResult& t = made.value[0];
    CHECK(t.auto_created);
    CHECK(!t.settings_applied);
    CHECK(t.num_partitions > 0);
    CHECK(t.message.find("partition count") != std::string::npos);
    CHECK(t.message.find("configs were not applied") != std::string::npos);
    auto after = admin->list_topics();
    REQUIRE(after.ok());
    REQUIRE(after.value.size() == 1);
    CHECK(after.value[0].name == "fresh");
    CHECK(after.value[0].partitions == t.num_partitions);

    // Creating it again: it exists.
    auto again = admin->create_topics({{"fresh", 1, 1, {}}}, fallback);
    CHECK(again.error == errc::topic_already_exists);

    auto del = admin->delete_topics({"fresh"});
    CHECK(del.error == client_errc::no_version_in_common);
    CHECK(del.message.find("DeleteTopics") != std::string::npos);
}

TEST_CASE("admin: group APIs the mock lacks give clear errors") {
    test::MockCluster mock(3);
    auto admin = connect(mock);
    auto groups = admin->list_groups();
    CHECK(groups.error == client_errc::no_version_in_common);
    CHECK(groups.message.find("no broker supports ListGroups") != std::string::npos);
    auto d = admin->describe_groups({"g"});
    CHECK(d.error == client_errc::no_version_in_common);
    REQUIRE(d.value.size() == 1);
    CHECK(d.value[0].coordinator >= 1);  // FindCoordinator worked
    CHECK(d.value[0].message.find("DescribeGroups") != std::string::npos);
}

TEST_CASE("admin: committed offsets, end offsets and lag per partition, with totals") {
    test::MockCluster mock(3);
    mock.create_topic("lagged", 3, 1);
    mock.set_leader("lagged", 0, 1);
    mock.set_leader("lagged", 1, 2);
    mock.set_leader("lagged", 2, 3);
    mock.create_topic("other", 1, 1);
    test::kcat_produce(mock, "lagged", 0, "a\nb\nc\nd\ne\n");
    test::kcat_produce(mock, "lagged", 1, "a\nb\nc\n");
    test::kcat_produce(mock, "lagged", 2, "a\n");
    test::commit_offsets(mock, "g-lag", {{"lagged", 0, 2}, {"lagged", 1, 3}});

    auto admin = connect(mock);
    auto ends = admin->end_offsets({{"lagged", 0}, {"lagged", 1}, {"lagged", 2}});
    REQUIRE_MESSAGE(ends.ok(), ends.message);
    CHECK(ends.value[{"lagged", 0}] == 5);
    CHECK(ends.value[{"lagged", 1}] == 3);
    CHECK(ends.value[{"lagged", 2}] == 1);

    auto committed = admin->committed_offsets("g-lag");
    REQUIRE_MESSAGE(committed.ok(), committed.message);
    CHECK(committed.value.size() == 2);  // only what was committed
    CHECK(committed.value[{"lagged", 0}] == 2);

    auto lag = admin->group_lag("g-lag");
    REQUIRE_MESSAGE(lag.ok(), lag.message);
    REQUIRE(lag.value.partitions.size() == 2);
    CHECK(lag.value.partitions[0].lag == 3);
    CHECK(lag.value.partitions[1].lag == 0);
    CHECK(lag.value.total_end == 8);
    CHECK(lag.value.total_committed == 5);
    CHECK(lag.value.total_lag == 3);
    CHECK(lag.value.members_note.find("DescribeGroups") != std::string::npos);

    // Naming the topic shows every partition of it, committed or not.
    auto all = admin->group_lag("g-lag", {"lagged"});
    REQUIRE(all.ok());
    REQUIRE(all.value.partitions.size() == 3);
    CHECK(all.value.partitions[2].committed_offset == -1);
    CHECK(all.value.partitions[2].end_offset == 1);
    CHECK(all.value.partitions[2].lag == -1);

    auto none = admin->group_lag("nobody");
    REQUIRE(none.ok());
    CHECK(none.value.partitions.empty());

    auto text = format_group_lag_text(lag.value);
    CHECK(text.find("total") != std::string::npos);
    CHECK(test::json_eval(format_group_lag_json(lag.value), "d['total_lag']") == "3");
}

TEST_CASE("admin: lag follows a leader that moved") {
    test::MockCluster mock(3);
    mock.create_topic("moving", 1, 3);
    mock.set_leader("moving", 0, 1);
    test::kcat_produce(mock, "moving", 0, "a\nb\n");
    test::commit_offsets(mock, "g-move", {{"moving", 0, 1}});
    auto admin = connect(mock);
    auto first = admin->group_lag("g-move");
    REQUIRE(first.ok());
    mock.set_leader("moving", 0, 3);
    mock.push_errors(2, {errc::not_leader_or_follower});  // ListOffsets
    auto second = admin->group_lag("g-move");
    REQUIRE_MESSAGE(second.ok(), second.message);
    REQUIRE(second.value.partitions.size() == 1);
    CHECK(second.value.partitions[0].lag == 1);
}

TEST_CASE("admin: members and assignments decoded from a recorded DescribeGroups answer (kafka-python on kfake)") {
    std::string path = __FILE__;
    path = path.substr(0, path.rfind("/tests/")) + "/testdata/captures/kfake/admin-kafkapython.kcap";
    auto file = parse_kcap(test::slurp(path));
    REQUIRE(file.has_value());
    int members = 0;
    for (const auto& f : file->frames) {
        if (f.request || f.api_key != DescribeGroupsResponse::key) continue;
        Reader r(f.bytes);
        REQUIRE(ResponseHeader::decode(r, response_header_version(f.api_key, f.version, DescribeGroupsResponse::first_flexible)));
        auto resp = DescribeGroupsResponse::decode(r, f.version);
        REQUIRE(resp.has_value());
        for (const auto& g : resp->groups) {
            for (const auto& m : g.members) {
                auto d = describe_member(m.member_id, m.group_instance_id, m.client_id, m.client_host, g.protocol_type,
                                         m.member_metadata, m.member_assignment);
                CHECK(!d.decode_error);
                CHECK(d.subscribed_topics == std::vector<std::string>{"adm-a"});
                REQUIRE(d.assignment.size() == 3);
                CHECK(d.assignment[0] == TopicPartition{"adm-a", 0});
                CHECK(d.assignment[2] == TopicPartition{"adm-a", 2});
                ++members;
            }
        }
    }
    CHECK(members >= 1);

    // Bytes of another protocol are left alone; garbage in a consumer group is reported.
    auto other = describe_member("m", std::nullopt, "c", "/h", "connect", Bytes{1, 2, 3}, Bytes{4, 5});
    CHECK(!other.decode_error);
    CHECK(other.assignment.empty());
    auto bad = describe_member("m", std::nullopt, "c", "/h", "consumer", Bytes{}, Bytes{0, 0, 0, 0, 0, 9});
    CHECK(bad.decode_error);
}
