// kcli metadata, topics and groups end to end: the binary against a mock
// cluster started here, JSON parsed by Python's json module, exit codes checked.
#include <ostream>

#include <doctest/doctest.h>

#include "mock_cluster.hpp"
#include "test_kcli_admin_support.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

TEST_CASE("kcli admin: --help on every admin subcommand") {
    for (const char* cmd : {"metadata", "topics", "groups", "proxy"}) {
        CAPTURE(cmd);
        auto r = kcli({cmd, "--help"});
        CHECK(r.code == 0);
        CHECK(r.out.find("usage") != std::string::npos);
    }
    auto top = kcli({"--help"});
    CHECK(top.code == 0);
    for (const char* cmd : {"metadata", "topics", "groups", "proxy"}) CHECK(top.out.find(cmd) != std::string::npos);
    // Bad usage is exit status 2.
    CHECK(kcli({"topics"}).code == 2);
    CHECK(kcli({"topics", "create", "-b", "127.0.0.1:1"}).code == 2);
    CHECK(kcli({"groups", "lag", "-b", "127.0.0.1:1"}).code == 2);
    CHECK(kcli({"metadata", "--bogus", "-b", "127.0.0.1:1"}).code == 2);
    CHECK(kcli({"metadata"}).code == 2);  // no brokers
}

TEST_CASE("kcli metadata: brokers, topics, partitions and API versions, as text and JSON") {
    MockCluster mock(3);
    mock.create_topic("orders", 3, 3);
    mock.create_topic("audit", 1, 1);

    auto text = kcli({"-b", mock.bootstraps(), "metadata"});
    REQUIRE_MESSAGE(text.code == 0, text.err);
    CHECK(text.out.find(" 3 brokers:") != std::string::npos);
    CHECK(text.out.find("topic \"orders\" with 3 partitions") != std::string::npos);
    CHECK(text.out.find("partition  leader  replicas  isr") != std::string::npos);
    CHECK(text.out.find("API versions:") != std::string::npos);
    CHECK(text.out.find("broker 1  broker 2  broker 3  client") != std::string::npos);

    auto json = kcli({"-b", mock.bootstraps(), "metadata", "-J"});
    REQUIRE_MESSAGE(json.code == 0, json.err);
    CHECK(json_eval(json.out, "len(d['brokers'])") == "3");
    CHECK(json_eval(json.out, "[t['name'] for t in d['topics']]") == "[\"audit\", \"orders\"]");
    CHECK(json_eval(json.out, "len(d['topics'][1]['partitions'])") == "3");
    CHECK(json_eval(json.out, "sorted(d['topics'][1]['partitions'][0]['replicas'])") == "[1, 2, 3]");
    CHECK(json_eval(json.out, "[v['max_version'] for v in d['brokers'][0]['api_versions'] if v['name']=='Metadata']") ==
          "[2]");
    CHECK(json_eval(json.out, "all(len(b['api_versions']) > 10 for b in d['brokers'])") == "true");

    // Global flags before the command work too, and -t limits the topics.
    auto one = kcli({"-b", mock.bootstraps(), "-X", "client.id=kcli-test", "metadata", "-t", "orders", "-J",
                     "--no-api-versions"});
    REQUIRE_MESSAGE(one.code == 0, one.err);
    CHECK(json_eval(one.out, "[t['name'] for t in d['topics']]") == "[\"orders\"]");
    CHECK(json_eval(one.out, "d['brokers'][0]['api_versions']") == "[]");

    // A missing topic: exit 1, and it is not created by asking.
    auto missing = kcli({"-b", mock.bootstraps(), "metadata", "-t", "nope", "-J"});
    CHECK(missing.code == 1);
    CHECK(json_eval(missing.out, "d['topics'][0]['error']") == "UNKNOWN_TOPIC_OR_PARTITION");
    auto list = kcli({"-b", mock.bootstraps(), "topics", "list", "-J"});
    CHECK(json_eval(list.out, "[t['name'] for t in d['topics']]") == "[\"audit\", \"orders\"]");
}

TEST_CASE("kcli metadata: -X settings reach the network layer") {
    MockCluster mock(1);
    // An unknown setting is refused before connecting.
    auto typo = kcli({"-b", mock.bootstraps(), "-X", "sasl.mechanismz=PLAIN", "metadata"});
    CHECK(typo.code == 1);
    CHECK(typo.err.find("sasl.mechanismz") != std::string::npos);
    // SASL against a broker without SASL: a clear failure, bounded in time.
    auto sasl = kcli({"-b", mock.bootstraps(), "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN",
                      "-X", "sasl.username=u", "-X", "sasl.password=secret-pw", "-X", "default.api.timeout.ms=5000",
                      "metadata", "-J"},
                     {}, 30s);
    CHECK(sasl.code == 1);
    CHECK_MESSAGE(sasl.err.find("SASL authentication with the cluster") != std::string::npos, sasl.err);
    CHECK(sasl.err.find("secret-pw") == std::string::npos);
    CHECK(sasl.out.find("secret-pw") == std::string::npos);
    CHECK(!json_eval(sasl.out, "d['message']").empty());
}

TEST_CASE("kcli topics: list, create with the clear CreateTopics error, --auto-create, delete") {
    MockCluster mock(3);
    mock.create_topic("orders", 3, 1);
    const std::string b = mock.bootstraps();

    auto list = kcli({"-b", b, "topics", "list"});
    REQUIRE(list.code == 0);
    // (the mock puts a replica of every partition on every broker)
    CHECK(squash(list.out) == "topic partitions replication\norders 3 3\n");
    // Numbers are right-aligned under their header.
    CHECK(line_starting(list.out, "orders").size() == line_starting(list.out, "topic").size());

    auto refused = kcli({"-b", b, "topics", "create", "-t", "fresh", "--partitions", "6", "--replication-factor", "2"});
    CHECK(refused.code == 1);
    CHECK(refused.err.find("does not support CreateTopics (API key 19)") != std::string::npos);
    CHECK(refused.err.find("--auto-create") != std::string::npos);
    auto refused_json = kcli({"-b", b, "topics", "create", "-t", "fresh", "-J"});
    CHECK(refused_json.code == 1);
    CHECK(json_eval(refused_json.out, "'CreateTopics' in d['message']") == "true");

    auto made = kcli({"-b", b, "topics", "create", "-t", "fresh", "--partitions", "6", "--auto-create"});
    REQUIRE_MESSAGE(made.code == 0, made.err);
    CHECK(made.out.find("topic \"fresh\" created with") != std::string::npos);
    CHECK(made.out.find("partition count") != std::string::npos);

    // The -X spelling asks for the same fallback; the topic exists now.
    auto again = kcli({"-b", b, "-X", "allow.auto.create.topics=true", "topics", "create", "-t", "fresh", "-J"});
    CHECK(again.code == 1);
    CHECK(json_eval(again.out, "d['topics'][0]['error']") == "TOPIC_ALREADY_EXISTS");
    auto second = kcli({"-b", b, "-X", "allow.auto.create.topics=true", "topics", "create", "-t", "second", "-J"});
    REQUIRE_MESSAGE(second.code == 0, second.err);
    CHECK(json_eval(second.out, "d['topics'][0]['auto_created']") == "true");
    CHECK(json_eval(second.out, "d['topics'][0]['settings_applied']") == "false");
    const std::string parts = json_eval(second.out, "d['topics'][0]['partitions']");

    auto listed = kcli({"-b", b, "topics", "list", "-J"});
    REQUIRE(listed.code == 0);
    CHECK(json_eval(listed.out, "[t['name'] for t in d['topics']]") == "[\"fresh\", \"orders\", \"second\"]");
    CHECK(json_eval(listed.out, "[t['partitions'] for t in d['topics'] if t['name']=='second'][0]") == parts);

    auto del = kcli({"-b", b, "topics", "delete", "-t", "fresh", "-J"});
    CHECK(del.code == 1);
    CHECK(json_eval(del.out, "'DeleteTopics' in d['message']") == "true");
}

TEST_CASE("kcli groups: list and describe say what the broker lacks, lag per partition with totals") {
    MockCluster mock(3);
    mock.create_topic("events", 2, 1);
    const std::string b = mock.bootstraps();
    kcat_produce(mock, "events", 0, "1\n2\n3\n4\n");
    kcat_produce(mock, "events", 1, "1\n2\n");
    commit_offsets(mock, "readers", {{"events", 0, 1}, {"events", 1, 2}});

    auto list = kcli({"-b", b, "groups", "list", "-J"});
    CHECK(list.code == 1);
    CHECK(json_eval(list.out, "'ListGroups' in d['message']") == "true");
    auto describe = kcli({"-b", b, "groups", "describe", "-G", "readers", "-J"});
    CHECK(describe.code == 1);
    CHECK(json_eval(describe.out, "d['groups'][0]['group']") == "readers");
    CHECK(json_eval(describe.out, "'DescribeGroups' in d['groups'][0]['message']") == "true");

    auto lag = kcli({"-b", b, "groups", "lag", "-G", "readers", "-J"});
    REQUIRE_MESSAGE(lag.code == 0, lag.err);
    CHECK(json_eval(lag.out, "[(p['topic'], p['partition'], p['end_offset'], p['committed_offset'], p['lag']) "
                             "for p in d['partitions']]") == "[[\"events\", 0, 4, 1, 3], [\"events\", 1, 2, 2, 0]]");
    CHECK(json_eval(lag.out, "(d['total_end_offset'], d['total_committed'], d['total_lag'])") == "[6, 3, 3]");

    auto text = kcli({"-b", b, "groups", "lag", "readers"});  // a bare group name works too
    REQUIRE(text.code == 0);
    CHECK(squash(text.out).find("topic partition end offset committed lag\nevents 0 4 1 3\nevents 1 2 2 0\ntotal 6 3 3\n") !=
          std::string::npos);
    CHECK(line_starting(text.out, "total").size() == line_starting(text.out, "topic").size());

    auto one = kcli({"-b", b, "groups", "lag", "-G", "readers", "-p", "1", "-J"});
    REQUIRE(one.code == 0);
    CHECK(json_eval(one.out, "(len(d['partitions']), d['total_lag'])") == "[1, 0]");

    // --watch refreshes, bounded by --count; more records show up as lag.
    auto watch = kcli({"-b", b, "groups", "lag", "-G", "readers", "--watch", "1", "--count", "2", "-J"}, {}, 30s);
    REQUIRE_MESSAGE(watch.code == 0, watch.err);
    CHECK(count_of(watch.out, "\n") == 2);
    auto first_line = watch.out.substr(0, watch.out.find('\n'));
    CHECK(json_eval(first_line, "d['total_lag']") == "3");
    auto watch_text = kcli({"-b", b, "groups", "lag", "-G", "readers", "--watch", "--count", "1"}, {}, 30s);
    REQUIRE(watch_text.code == 0);
    CHECK(watch_text.out.find("every 2s") != std::string::npos);
}
