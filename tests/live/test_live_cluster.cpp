// The pool and the metadata cache against the librdkafka mock cluster: three
// brokers, a request to each leader, a broker down and back, timeouts, and
// injected broker errors reaching the caller. Every wait is bounded.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <thread>

#include "mock_cluster.hpp"
#include "net/cluster.hpp"
#include "protocol/kcap.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"

using namespace kafka;
using namespace kafka::net;
using namespace std::chrono_literals;

namespace {

template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(10ms);
    }
    return done();
}

NetConfig config_for(const test::MockCluster& mock) {
    NetConfig c;
    c.bootstrap_servers = mock.bootstrap_list();
    c.connection.request_timeout = 2000ms;
    c.connection.connect_timeout = 1000ms;
    c.reconnect_backoff = 20ms;
    c.reconnect_backoff_max = 200ms;
    return c;
}

// Blocking helpers on a test-owned io_context.
struct Fixture {
    asio::io_context io;

    void bootstrap(Cluster& c) {
        bool done = false;
        std::error_code ec;
        c.async_bootstrap([&](std::error_code e) {
            ec = e;
            done = true;
        });
        REQUIRE(run_until(io, [&] { return done; }));
        REQUIRE_MESSAGE(!ec, ec.message());
    }
    std::pair<std::error_code, TopicInfo> topic(Cluster& c, const std::string& name) {
        bool done = false;
        std::pair<std::error_code, TopicInfo> out;
        c.async_topic(name, [&](std::error_code e, TopicInfo t) {
            out = {e, std::move(t)};
            done = true;
        });
        REQUIRE(run_until(io, [&] { return done; }));
        return out;
    }
    template <class Req>
    std::pair<std::error_code, typename Req::response_type> request(Cluster& c, int32_t broker, Purpose p, Req req,
                                                                    RequestOptions o = {}) {
        bool done = false;
        std::pair<std::error_code, typename Req::response_type> out;
        c.async_request(broker, p, std::move(req), o, [&](std::error_code e, typename Req::response_type r) {
            out = {e, std::move(r)};
            done = true;
        });
        REQUIRE(run_until(io, [&] { return done; }, 8000ms));
        return out;
    }
    void shutdown(Cluster& c) {
        c.close();
        run_until(io, [] { return false; }, 50ms);
    }
};

ListOffsetsRequest list_offsets(const std::string& topic, int32_t partition) {
    ListOffsetsRequest req;
    ListOffsetsRequest::Topic t;
    t.name = topic;
    ListOffsetsRequest::Partition p;
    p.partition_index = partition;
    p.timestamp = kListOffsetsLatest;
    t.partitions.push_back(p);
    req.topics.push_back(t);
    return req;
}

}  // namespace

TEST_CASE("live cluster: bootstrap skips a dead entry and sees 3 brokers, a request to each leader") {
    test::MockCluster mock(3);
    mock.create_topic("orders", 3, 3);
    for (int32_t p = 0; p < 3; ++p) mock.set_leader("orders", p, p + 1);

    Fixture f;
    auto config = config_for(mock);
    uint16_t dead_port = 0;
    {
        asio::ip::tcp::acceptor a(f.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        dead_port = a.local_endpoint().port();
    }
    config.bootstrap_servers.insert(config.bootstrap_servers.begin(), "127.0.0.1:" + std::to_string(dead_port));
    auto cluster = Cluster::create(f.io.get_executor(), config);
    f.bootstrap(*cluster);
    CHECK(cluster->metadata()->brokers.size() == 3);

    auto [ec, topic] = f.topic(*cluster, "orders");
    REQUIRE(!ec);
    REQUIRE(topic.partitions.size() == 3);
    for (int32_t p = 0; p < 3; ++p) {
        auto leader = cluster->metadata()->leader("orders", p);
        REQUIRE(leader);
        CHECK(*leader == p + 1);
        auto result = f.request(*cluster, *leader, Purpose::general, list_offsets("orders", p));
        REQUIRE_MESSAGE(!result.first, result.first.message());
        const auto& resp = result.second;
        REQUIRE(resp.topics.size() == 1);
        REQUIRE(resp.topics[0].partitions.size() == 1);
        CHECK(resp.topics[0].partitions[0].error_code == 0);
    }
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: one connection per broker and purpose, created lazily") {
    test::MockCluster mock(2);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    std::shared_ptr<Connection> a, b, c;
    int done = 0;
    cluster->async_connection(1, Purpose::general, [&](std::error_code, std::shared_ptr<Connection> x) { a = x; ++done; });
    cluster->async_connection(1, Purpose::fetch, [&](std::error_code, std::shared_ptr<Connection> x) { b = x; ++done; });
    cluster->async_connection(1, Purpose::general, [&](std::error_code, std::shared_ptr<Connection> x) { c = x; ++done; });
    REQUIRE(run_until(f.io, [&] { return done == 3; }));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a == c);
    CHECK(a != b);
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: a broker taken down fails requests, and after it comes back they succeed") {
    test::MockCluster mock(3);
    mock.create_topic("t", 1, 3);
    mock.set_leader("t", 0, 2);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    auto [ec0, r0] = f.request(*cluster, 2, Purpose::general, list_offsets("t", 0));
    REQUIRE(!ec0);

    mock.broker_down(2);
    auto [ec1, r1] = f.request(*cluster, 2, Purpose::general, list_offsets("t", 0));
    CHECK(ec1);
    CHECK((ec1 == client_errc::connection_lost_not_sent || ec1 == client_errc::connection_lost_after_send ||
           ec1 == client_errc::timed_out));

    mock.broker_up(2);
    std::error_code last = ec1;
    for (int attempt = 0; attempt < 20 && last; ++attempt) {
        auto [e, r] = f.request(*cluster, 2, Purpose::general, list_offsets("t", 0));
        last = e;
        if (last) run_until(f.io, [] { return false; }, 50ms);
    }
    CHECK_MESSAGE(!last, last.message());  // a plain variable: clang 14 cannot capture bindings
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: an RTT longer than the request timeout is timed_out") {
    test::MockCluster mock(1);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    // A first request so the connection is up and the handshake done.
    auto [ec0, r0] = f.request(*cluster, 1, Purpose::general, MetadataRequest{});
    REQUIRE(!ec0);
    mock.set_rtt(1, 1500ms);
    auto [ec, r] = f.request(*cluster, 1, Purpose::general, MetadataRequest{}, RequestOptions{300ms});
    CHECK(ec == client_errc::timed_out);
    mock.set_rtt(1, 0ms);
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: injected broker errors reach the caller as kafka::errc") {
    test::MockCluster mock(1);
    mock.create_topic("t", 1);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    mock.push_errors(2, {errc::not_leader_or_follower, errc::unknown_topic_or_partition});
    auto [e1, r1] = f.request(*cluster, 1, Purpose::general, list_offsets("t", 0));
    REQUIRE(!e1);
    REQUIRE(r1.topics.size() == 1);
    REQUIRE(r1.topics[0].partitions.size() == 1);
    CHECK(broker_error(r1.topics[0].partitions[0].error_code) == errc::not_leader_or_follower);
    auto [e2, r2] = f.request(*cluster, 1, Purpose::general, list_offsets("t", 0));
    REQUIRE(!e2);
    CHECK(broker_error(r2.topics[0].partitions[0].error_code) == errc::unknown_topic_or_partition);
    auto [e3, r3] = f.request(*cluster, 1, Purpose::general, list_offsets("t", 0));
    REQUIRE(!e3);
    CHECK(r3.topics[0].partitions[0].error_code == 0);

    // A per-broker error with a delay.
    mock.push_broker_errors(1, 2, {{errc::request_timed_out, 50ms}});
    auto [e4, r4] = f.request(*cluster, 1, Purpose::general, list_offsets("t", 0));
    REQUIRE(!e4);
    CHECK(broker_error(r4.topics[0].partitions[0].error_code) == errc::request_timed_out);
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: missing topics: a clear error, or auto-creation where the broker allows it") {
    test::MockCluster mock(3);
    mock.create_topic("gone", 2);
    mock.set_topic_error("gone", errc::unknown_topic_or_partition);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    auto [e1, t1] = f.topic(*cluster, "gone");
    CHECK(e1 == client_errc::unknown_topic);

    // The mock creates topics named in Metadata (its Metadata v0..2 has no
    // allow_auto_topic_creation field: the broker's own setting decides).
    auto fresh = f.topic(*cluster, "fresh");
    CHECK_MESSAGE(!fresh.first, fresh.first.message());
    CHECK(!fresh.second.partitions.empty());
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: refresh on demand sees a new leader") {
    test::MockCluster mock(3);
    mock.create_topic("moving", 1, 3);
    mock.set_leader("moving", 0, 1);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));
    f.bootstrap(*cluster);
    auto [e, t] = f.topic(*cluster, "moving");
    REQUIRE(!e);
    CHECK(cluster->metadata()->leader("moving", 0) == std::optional<int32_t>(1));
    mock.set_leader("moving", 0, 3);
    cluster->request_refresh();
    CHECK(run_until(f.io, [&] { return cluster->metadata()->leader("moving", 0) == std::optional<int32_t>(3); }));
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: the periodic refresh (metadata.max.age.ms) sees a new leader unasked") {
    test::MockCluster mock(3);
    mock.create_topic("drifting", 1, 3);
    mock.set_leader("drifting", 0, 1);
    Fixture f;
    auto config = config_for(mock);
    config.metadata_max_age = 300ms;
    auto cluster = Cluster::create(f.io.get_executor(), config);
    f.bootstrap(*cluster);
    auto [e, t] = f.topic(*cluster, "drifting");
    REQUIRE(!e);
    CHECK(cluster->metadata()->leader("drifting", 0) == std::optional<int32_t>(1));
    const auto before = cluster->metadata()->updated;
    mock.set_leader("drifting", 0, 2);
    // Nobody calls request_refresh(): only the timer can bring the change.
    CHECK(run_until(f.io, [&] { return cluster->metadata()->leader("drifting", 0) == std::optional<int32_t>(2); },
                    10000ms));
    CHECK(cluster->metadata()->updated > before);
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: with the default metadata.max.age.ms, a moved leader stays cached until asked") {
    // The control for the test above: without the short max age the cache
    // does not move on its own within the same wait.
    test::MockCluster mock(3);
    mock.create_topic("drifting", 1, 3);
    mock.set_leader("drifting", 0, 1);
    Fixture f;
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock));  // 300000ms
    f.bootstrap(*cluster);
    auto [e, t] = f.topic(*cluster, "drifting");
    REQUIRE(!e);
    mock.set_leader("drifting", 0, 2);
    CHECK_FALSE(run_until(f.io, [&] { return cluster->metadata()->leader("drifting", 0) != std::optional<int32_t>(1); },
                          1000ms));
    f.shutdown(*cluster);
}

TEST_CASE("live cluster: on its own IoThread, with use_future") {
    test::MockCluster mock(1);
    IoThread thread;
    auto cluster = Cluster::create(thread.executor(), config_for(mock));
    auto boot = cluster->async_bootstrap(asio::use_future);
    REQUIRE(boot.wait_for(5s) == std::future_status::ready);
    boot.get();
    auto f = cluster->async_request_any(MetadataRequest{}, asio::use_future);
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    CHECK(f.get().brokers.size() == 1);
    cluster->close();
}

TEST_CASE("live cluster: protocol trace and kcap recording, nothing after close") {
    test::MockCluster mock(1);
    Fixture f;
    std::vector<std::string> trace_lines, kcap_lines;
    auto trace = std::make_shared<TextTrace>([&](std::string_view l) { trace_lines.emplace_back(l); });
    auto kcap = std::make_shared<KcapRecorder>([&](std::string_view l) { kcap_lines.emplace_back(l); });
    auto cluster = Cluster::create(f.io.get_executor(), config_for(mock), std::make_shared<ObserverChain>(trace, kcap));
    f.bootstrap(*cluster);

    std::string all;
    for (auto& l : trace_lines) all += l + "\n";
    CHECK(all.find("ApiVersions v") != std::string::npos);
    CHECK(all.find("Metadata v2 request") != std::string::npos);
    CHECK(all.find("Metadata v2 response") != std::string::npos);
    CHECK(all.find("rtt=") != std::string::npos);
    CHECK(all.find("brokers") != std::string::npos);  // decoded fields, not hex

    std::string text;
    for (auto& l : kcap_lines) text += l + "\n";
    auto parsed = parse_kcap(text);
    REQUIRE(parsed.has_value());
    CHECK(parsed->conns.size() >= 1);
    CHECK(parsed->frames.size() >= 4);  // ApiVersions and Metadata, both ways

    f.shutdown(*cluster);
    auto [ec, r] = f.request(*cluster, 1, Purpose::general, MetadataRequest{});
    CHECK(ec == client_errc::shutting_down);
}
