// Our net::Connection against recorded brokers: the replay broker serves
// conversations that kcat had with kfake and with the librdkafka 2.0 and 2.15
// mock brokers, and checks that our requests say the same things.
#include "tests/support/replay_test.hpp"

#include <algorithm>

#include "protocol/messages/metadata.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

// kcat -L asks for the brokers alone, then for every topic, without
// creating any.
MetadataRequest brokers_only(int16_t version) {
    MetadataRequest m;  // topics: [] - none
    if (version >= 4) m.allow_auto_topic_creation = false;
    return m;
}

MetadataRequest all_topics(int16_t version) {
    MetadataRequest m;
    m.topics = std::nullopt;
    if (version >= 4) m.allow_auto_topic_creation = false;
    return m;
}

std::vector<std::string> topic_names(const MetadataResponse& r) {
    std::vector<std::string> names;
    for (const auto& t : r.topics) names.push_back(t.name.value_or("<null>"));
    std::sort(names.begin(), names.end());
    return names;
}

bool has_event(const ReplayBroker& b, const std::string& needle) {
    auto ev = b.script().events();
    return std::any_of(ev.begin(), ev.end(), [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

struct MetadataCase {
    const char* capture;
    int16_t version;          // the version kcat used, which the replay pins
    int32_t node_id;
    int32_t port;             // the recorded broker's port
    const char* cluster_id;
    bool api_versions_fallback;  // the broker refused our first ApiVersions
};

// The two pipelined Metadata requests of `kcat -L`, over one connection.
void check_metadata_conversation(const MetadataCase& c) {
    INFO(c.capture);
    ReplayBroker replay(load_capture(c.capture));
    ReplayClient client(replay);
    auto brokers = client.start(brokers_only(c.version));
    auto topics = client.start(all_topics(c.version));
    REQUIRE(client.wait(brokers));
    REQUIRE(client.wait(topics));
    REQUIRE_MESSAGE(replay.ok(), replay.report());
    REQUIRE_MESSAGE(!brokers->ec, brokers->ec.message() << " " << client.conn->error_detail());
    REQUIRE_MESSAGE(!topics->ec, topics->ec.message() << " " << client.conn->error_detail());
    CHECK_MESSAGE(replay.unserved().empty(), replay.report());

    // The broker's own bytes, decoded by us.
    const auto& b = brokers->response;
    REQUIRE(b.brokers.size() == 1);
    CHECK(b.brokers[0].node_id == c.node_id);
    CHECK(b.brokers[0].host == "127.0.0.1");
    CHECK(b.brokers[0].port == c.port);
    CHECK(b.cluster_id == std::optional<std::string>(c.cluster_id));
    CHECK(b.topics.empty());
    const auto& t = topics->response;
    CHECK(topic_names(t) == std::vector<std::string>{"t1", "t2"});
    const auto* t1 = t.find_topic("t1");
    REQUIRE(t1 != nullptr);
    CHECK(t1->error_code == 0);
    CHECK(t1->partitions.size() == 3);
    for (const auto& p : t1->partitions) CHECK(p.leader_id == c.node_id);

    CHECK(has_event(replay, c.api_versions_fallback ? "ApiVersions v4 -> recorded UNSUPPORTED_VERSION"
                                                    : "ApiVersions v4 -> recorded v3 answer"));
    if (c.api_versions_fallback) CHECK(has_event(replay, "ApiVersions v2 -> recorded v0 answer"));
}

}  // namespace

TEST_CASE("replay net: kcat -L against kfake (Metadata v13)") {
    check_metadata_conversation({"kfake/metadata-kcat215.kcap", 13, 0, 39092, "kfake", false});
}

TEST_CASE("replay net: kcat -L against the librdkafka 2.15 mock, which refuses ApiVersions v3+ (Metadata v12)") {
    check_metadata_conversation(
        {"rdkafka-mock-2.15/metadata-kcat215.kcap", 12, 1, 46209, "mockCluster1589f89268a8", true});
}

TEST_CASE("replay net: kcat -L against the librdkafka 2.0 mock (Metadata v2)") {
    check_metadata_conversation(
        {"rdkafka-mock-2.0/metadata-kcat20.kcap", 2, 1, 41637, "mockCluster158138cb9ca8", true});
}

TEST_CASE("replay net: the versions our client picks are the recording's") {
    ReplayBroker replay(load_capture("kfake/metadata-kcat215.kcap"));
    ReplayClient client(replay);
    client.conn->start();
    REQUIRE(run_until(client.io, [&] { return client.conn->is_ready() || client.conn->is_dead(); }));
    REQUIRE_MESSAGE(client.conn->is_ready(), client.conn->error_detail());
    CHECK(client.conn->negotiated_version(3, MetadataRequest::versions) == std::optional<int16_t>(13));
    // An API the recording never used keeps the recorded broker's range.
    CHECK(client.conn->negotiated_version(1, VersionRange{0, 18}) == std::optional<int16_t>(18));
    CHECK(replay.ok());
}

TEST_CASE("replay net: SASL_PLAINTEXT PLAIN as alice, then Metadata, on two connections (kfake)") {
    ReplayBroker replay(load_capture("kfake/sasl-plain-kcat215.kcap"));
    net::ConnectionOptions o;
    o.sasl = net::SaslConfig{net::SaslMechanism::plain, "alice", "pw"};
    {
        // Recorded conn 1: kcat -L.
        ReplayClient client(replay, o);
        auto brokers = client.start(brokers_only(13));
        auto topics = client.start(all_topics(13));
        REQUIRE(client.wait(brokers));
        REQUIRE(client.wait(topics));
        REQUIRE_MESSAGE(replay.ok(), replay.report());
        REQUIRE_MESSAGE(!brokers->ec, client.conn->error_detail());
        REQUIRE(!topics->ec);
        CHECK(brokers->response.cluster_id == std::optional<std::string>("kfake"));
        CHECK(topic_names(topics->response) == std::vector<std::string>{"t1", "t2"});
    }
    {
        // Recorded conn 2: the producer's metadata for t1, auto-creation allowed.
        ReplayClient client(replay, o);
        MetadataRequest m;
        m.add_topic("t1");
        auto reply = client.call(m);
        REQUIRE_MESSAGE(replay.ok(), replay.report());
        REQUIRE(!reply.ec);
        REQUIRE(reply.response.topics.size() == 1);
        CHECK(reply.response.topics[0].partitions.size() == 3);
    }
    CHECK(has_event(replay, "session 1: is recorded conn 1"));
    CHECK(has_event(replay, "session 2: is recorded conn 2"));
    // Recorded conn 3 (the produce) is left for the produce tests.
    for (const auto& u : replay.unserved()) CHECK(u.rfind("conn 3:", 0) == 0);
}

TEST_CASE("replay net: a wrong SASL PLAIN password is caught at body.auth_bytes") {
    ReplayBroker replay(load_capture("kfake/sasl-plain-kcat215.kcap"));
    net::ConnectionOptions o;
    o.sasl = net::SaslConfig{net::SaslMechanism::plain, "alice", "not-pw"};
    ReplayClient client(replay, o);
    auto reply = client.call(brokers_only(13));
    CHECK(reply.ec);
    auto failures = replay.failures();
    REQUIRE(failures.size() == 1);
    INFO(failures[0]);
    CHECK(failures[0].find("SaslAuthenticate v1") != std::string::npos);
    CHECK(failures[0].find("body.auth_bytes") != std::string::npos);
}
