// kcli topics create/delete and groups list/describe against a fake broker
// built on our codec (the librdkafka mock has none of CreateTopics,
// DeleteTopics, ListGroups or DescribeGroups): what kcli sent is checked in
// the decoded requests, what it printed by Python's json module.
#include <ostream>

#include <doctest/doctest.h>

#include "protocol/messages/consumer_protocol.hpp"
#include "test_kcli_admin_support.hpp"
#include "tests/support/admin_fake_broker.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

// A Stable "consumer" group of two range-assigned members over orders (3
// partitions) and audit (1).
DescribeGroupsResponse::DescribedGroup stable_group() {
    DescribeGroupsResponse::DescribedGroup g;
    g.group_id = "g";
    g.group_state = "Stable";
    g.protocol_type = "consumer";
    g.protocol_data = "range";
    auto member = [](std::string id, std::string client, std::vector<ConsumerProtocolTopicPartition> owned) {
        DescribeGroupsResponse::DescribedGroupMember m;
        m.member_id = std::move(id);
        m.client_id = std::move(client);
        m.client_host = "/127.0.0.1";
        ConsumerProtocolSubscription s;
        s.topics = {"orders", "audit"};
        auto sub = encode_consumer_subscription(s, 1);
        REQUIRE(sub.has_value());
        m.member_metadata = *sub;
        ConsumerProtocolAssignment a;
        a.assigned_partitions = std::move(owned);
        auto asg = encode_consumer_assignment(a, 1);
        REQUIRE(asg.has_value());
        m.member_assignment = *asg;
        return m;
    };
    g.members.push_back(member("m-1", "c-one", {{"audit", {0}, {}}, {"orders", {0, 1}, {}}}));
    g.members.push_back(member("m-2", "c-two", {{"orders", {2}, {}}}));
    return g;
}

DescribeGroupsResponse::DescribedGroup empty_group() {
    DescribeGroupsResponse::DescribedGroup g;
    g.group_id = "idle";
    g.group_state = "Empty";
    g.protocol_type = "consumer";
    return g;
}

}  // namespace

TEST_CASE("kcli topics create/delete: partitions, replication factor and configs reach the broker") {
    AdminFakeBroker broker({{"existing", 1}}, {});

    auto r = kcli({"-b", broker.bootstrap(), "topics", "create", "-t", "T", "--partitions", "6",
                   "--replication-factor", "2", "--config", "retention.ms=1000", "--config", "cleanup.policy=compact"},
                  {}, 30s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out == "topic \"T\" created with 6 partitions, replication factor 2\n");
    auto created = broker.create_topics();
    REQUIRE(created.size() == 1);
    CHECK(created[0].version == CreateTopicsRequest::versions.max);
    const auto& req = created[0].request;
    CHECK_FALSE(req.validate_only);
    REQUIRE(req.topics.size() == 1);
    CHECK(req.topics[0].name == "T");
    CHECK(req.topics[0].num_partitions == 6);
    CHECK(req.topics[0].replication_factor == 2);
    CHECK(req.topics[0].assignments.empty());
    REQUIRE(req.topics[0].configs.size() == 2);
    CHECK(req.topics[0].configs[0].name == "cleanup.policy");
    CHECK(req.topics[0].configs[0].value == std::optional<std::string>("compact"));
    CHECK(req.topics[0].configs[1].name == "retention.ms");
    CHECK(req.topics[0].configs[1].value == std::optional<std::string>("1000"));
    CHECK(broker.topics().at("T") == 6);

    // -J, two topics, one of which exists: exit 1, each topic's outcome in the JSON.
    auto json = kcli({"-b", broker.bootstrap(), "topics", "create", "-t", "U", "-t", "existing", "--partitions", "2",
                      "-J"},
                     {}, 30s);
    CHECK(json.code == 1);
    INFO(json.out);
    const std::string topics = "d['topics']";
    CHECK(json_eval(json.out, "[t['name'] for t in " + topics + "]") == "[\"U\", \"existing\"]");
    CHECK(json_eval(json.out, "[" + topics + "[0]['error'], " + topics + "[0]['partitions']]") == "[null, 2]");
    CHECK(json_eval(json.out, "str(" + topics + "[1]['error'])").find("TOPIC_ALREADY_EXISTS") != std::string::npos);
    created = broker.create_topics();
    REQUIRE(created.size() == 2);
    REQUIRE(created[1].request.topics.size() == 2);
    CHECK(created[1].request.topics[1].num_partitions == 2);
    CHECK(created[1].request.topics[1].replication_factor == -1);  // the broker's default (KIP-464)

    // --validate-only is passed on, and nothing is created.
    auto validate = kcli({"-b", broker.bootstrap(), "topics", "create", "-t", "V", "--validate-only"}, {}, 30s);
    REQUIRE_MESSAGE(validate.code == 0, validate.err);
    CHECK(validate.out.find("topic \"V\" validated") != std::string::npos);
    REQUIRE(broker.create_topics().size() == 3);
    CHECK(broker.create_topics()[2].request.validate_only);
    CHECK(broker.topics().count("V") == 0);

    // Delete: by name, and the topic is gone; again, and it fails.
    auto del = kcli({"-b", broker.bootstrap(), "topics", "delete", "-t", "T", "-J"}, {}, 30s);
    REQUIRE_MESSAGE(del.code == 0, del.err);
    auto deleted = broker.delete_topics();
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].version == DeleteTopicsRequest::versions.max);
    REQUIRE(deleted[0].request.topics.size() == 1);
    CHECK(deleted[0].request.topics[0].name == std::optional<std::string>("T"));
    CHECK(broker.topics().count("T") == 0);
    CHECK(json_eval(del.out, "[t['name'] for t in " + topics + "]") == "[\"T\"]");
    auto again = kcli({"-b", broker.bootstrap(), "topics", "delete", "-t", "T"}, {}, 30s);
    CHECK(again.code == 1);
    CHECK(again.out.find("topic \"T\" not deleted") != std::string::npos);
    CHECK(broker.delete_topics().size() == 2);
}

TEST_CASE("kcli groups list/describe: groups, members and their assignments from the broker's answers") {
    AdminFakeBroker broker({{"orders", 3}, {"audit", 1}}, {stable_group(), empty_group()});

    auto list = kcli({"-b", broker.bootstrap(), "groups", "list", "-J"}, {}, 30s);
    REQUIRE_MESSAGE(list.code == 0, list.err);
    INFO(list.out);
    REQUIRE(broker.list_groups().size() == 1);
    CHECK(broker.list_groups()[0].version == ListGroupsRequest::versions.max);
    CHECK(broker.list_groups()[0].request.states_filter.empty());
    const std::string groups = "d['groups']";
    CHECK(json_eval(list.out, "[g['group'] for g in " + groups + "]") == "[\"g\", \"idle\"]");
    CHECK(json_eval(list.out, "[g['protocol_type'] for g in " + groups + "]") == "[\"consumer\", \"consumer\"]");
    CHECK(json_eval(list.out, "[g['state'] for g in " + groups + "]") == "[\"Stable\", \"Empty\"]");
    CHECK(json_eval(list.out, "[g['coordinator'] for g in " + groups + "]") == "[1, 1]");

    auto describe = kcli({"-b", broker.bootstrap(), "groups", "describe", "-G", "g", "-J"}, {}, 30s);
    REQUIRE_MESSAGE(describe.code == 0, describe.err);
    INFO(describe.out);
    REQUIRE(broker.describe_groups().size() == 1);
    CHECK(broker.describe_groups()[0].request.groups == std::vector<std::string>{"g"});
    const std::string g = "d['groups'][0]";
    CHECK(json_eval(describe.out, "len(d['groups'])") == "1");
    CHECK(json_eval(describe.out, g + "['group']") == "g");
    CHECK(json_eval(describe.out, g + "['error']") == "null");
    CHECK(json_eval(describe.out, g + "['state']") == "Stable");
    CHECK(json_eval(describe.out, g + "['protocol']") == "range");
    CHECK(json_eval(describe.out, "[m['member_id'] for m in " + g + "['members']]") == "[\"m-1\", \"m-2\"]");
    CHECK(json_eval(describe.out, "[m['client_id'] for m in " + g + "['members']]") == "[\"c-one\", \"c-two\"]");
    CHECK(json_eval(describe.out, "[[[a['topic'], a['partition']] for a in m['assignment']] for m in " + g +
                                      "['members']]") ==
          "[[[\"audit\", 0], [\"orders\", 0], [\"orders\", 1]], [[\"orders\", 2]]]");
    CHECK(json_eval(describe.out, "[m['subscription'] for m in " + g + "['members']]") ==
          "[[\"audit\", \"orders\"], [\"audit\", \"orders\"]]");

    // Text: one row per member, with its partitions.
    auto text = kcli({"-b", broker.bootstrap(), "groups", "describe", "-G", "g"}, {}, 30s);
    REQUIRE_MESSAGE(text.code == 0, text.err);
    CHECK(text.out.find("m-1") != std::string::npos);
    CHECK(text.out.find("c-two") != std::string::npos);

    // A group the coordinator does not know: exit 1.
    auto missing = kcli({"-b", broker.bootstrap(), "groups", "describe", "-G", "nope", "-J"}, {}, 30s);
    CHECK(missing.code == 1);
}
