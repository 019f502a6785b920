// One Connection against the librdkafka mock: handshake, typed requests,
// timeouts, broker errors, brokers going down. Every wait is bounded.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <thread>

#include "mock_cluster.hpp"
#include "net/connection.hpp"
#include "protocol/messages/metadata.hpp"

using namespace kafka;
using namespace kafka::net;
using namespace std::chrono_literals;

namespace {

HostPort first_broker(const test::MockCluster& mock) {
    auto hp = parse_host_port(mock.bootstrap_list().at(0));
    REQUIRE(hp.has_value());
    return *hp;
}

// Runs the io_context until `done` or the time limit.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5000ms) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(10ms);
    }
    return done();
}

}  // namespace

TEST_CASE("live: Metadata over one connection lists the mock's 3 brokers") {
    test::MockCluster mock(3);
    mock.create_topic("orders", 3);
    asio::io_context io;
    auto hp = first_broker(mock);
    auto conn = Connection::create(io.get_executor(), hp.host, hp.port, ConnectionOptions{});

    bool done = false;
    std::error_code ec;
    MetadataResponse resp;
    MetadataRequest req;
    req.add_topic("orders");
    conn->async_request(req, [&](std::error_code e, MetadataResponse r) {
        ec = e;
        resp = std::move(r);
        done = true;
    });
    REQUIRE(run_until(io, [&] { return done; }));
    REQUIRE_MESSAGE(!ec, ec.message() << " " << conn->error_detail());
    CHECK(resp.brokers.size() == 3);
    REQUIRE(resp.topics.size() == 1);
    CHECK(resp.topics[0].name == std::optional<std::string>("orders"));
    CHECK(resp.topics[0].partitions.size() == 3);
    CHECK(conn->is_ready());
    // The mock's Metadata goes up to v2.
    CHECK(conn->negotiated_version(3, MetadataRequest::versions) == std::optional<int16_t>(2));

    conn->close();
    CHECK(run_until(io, [&] { return conn->is_dead(); }));
}

TEST_CASE("live: use_future from another thread, and the version builder") {
    test::MockCluster mock(1);
    asio::io_context io;
    auto guard = asio::make_work_guard(io);
    std::thread t([&] { io.run_for(10s); });
    auto hp = first_broker(mock);
    auto conn = Connection::create(io.get_executor(), hp.host, hp.port, ConnectionOptions{});

    auto f = conn->async_request(MetadataRequest{}, asio::use_future);
    REQUIRE(f.wait_for(5s) == std::future_status::ready);
    auto resp = f.get();
    CHECK(resp.brokers.size() == 1);

    int16_t seen = -1;
    auto f2 = conn->async_request_with(
        [&](int16_t v) {
            seen = v;
            MetadataRequest r;
            if (v >= 1) r.topics = std::nullopt;  // all topics
            return r;
        },
        asio::use_future);
    REQUIRE(f2.wait_for(5s) == std::future_status::ready);
    f2.get();
    CHECK(seen == 2);

    conn->close();
    guard.reset();
    io.stop();
    t.join();
}

TEST_CASE("live: an RTT longer than the request timeout gives timed_out and tears the connection down") {
    test::MockCluster mock(1);
    // The RTT is far beyond the timeout, so that "timed out instead of waiting
    // for the answer" has seconds of slack on a loaded machine.
    constexpr auto rtt = 5000ms;
    mock.set_rtt(1, rtt);
    asio::io_context io;
    auto hp = first_broker(mock);
    ConnectionOptions o;
    o.request_timeout = 300ms;
    auto conn = Connection::create(io.get_executor(), hp.host, hp.port, o);
    bool done = false;
    std::error_code ec;
    auto started = std::chrono::steady_clock::now();
    conn->async_request(MetadataRequest{}, [&](std::error_code e, MetadataResponse) {
        ec = e;
        done = true;
    });
    REQUIRE(run_until(io, [&] { return done; }));
    auto took = std::chrono::steady_clock::now() - started;
    // The request never went out: either its own deadline passed while it
    // waited for the handshake (it fails alone), or the handshake's
    // ApiVersions timed out first and took it down as not sent. Which timer
    // fires first is a matter of microseconds; the handshake's timeout tears
    // the connection down in both cases.
    CHECK((ec == client_errc::timed_out || ec == client_errc::connection_lost_not_sent));
    REQUIRE(run_until(io, [&] { return conn->is_dead(); }));
    CHECK(conn->is_dead());
    CHECK(conn->error() == client_errc::timed_out);
    // It gave up on its own deadline: no answer could have come before the RTT.
    CHECK(took < rtt - 500ms);
}

TEST_CASE("live: a request-level timeout after the handshake") {
    test::MockCluster mock(1);
    asio::io_context io;
    auto hp = first_broker(mock);
    auto conn = Connection::create(io.get_executor(), hp.host, hp.port, ConnectionOptions{});
    bool ready = false;
    conn->async_wait_ready([&](std::error_code e) {
        CHECK(!e);
        ready = true;
    });
    REQUIRE(run_until(io, [&] { return ready; }));
    mock.set_rtt(1, 1000ms);
    bool done = false;
    std::error_code ec;
    conn->async_request(MetadataRequest{}, RequestOptions{200ms}, [&](std::error_code e, MetadataResponse) {
        ec = e;
        done = true;
    });
    REQUIRE(run_until(io, [&] { return done; }));
    CHECK(ec == client_errc::timed_out);
    CHECK(conn->is_dead());
}

TEST_CASE("live: connection refused fails queued requests as not sent") {
    asio::io_context io;
    uint16_t port = 0;
    {
        // A port that was just free: bind, read it, release it.
        asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }
    auto conn = Connection::create(io.get_executor(), "127.0.0.1", port, ConnectionOptions{});
    bool done = false;
    std::error_code ec;
    conn->async_request(MetadataRequest{}, [&](std::error_code e, MetadataResponse) {
        ec = e;
        done = true;
    });
    REQUIRE(run_until(io, [&] { return done; }));
    CHECK(ec == client_errc::connection_lost_not_sent);
    CHECK(conn->error() == asio::error::connection_refused);
    CHECK(conn->error_detail().find("cannot connect") != std::string::npos);
}

TEST_CASE("live: a broker going down under an in-flight request fails it as after_send") {
    test::MockCluster mock(1);
    asio::io_context io;
    auto hp = first_broker(mock);
    auto conn = Connection::create(io.get_executor(), hp.host, hp.port, ConnectionOptions{});
    bool ready = false;
    conn->async_wait_ready([&](std::error_code) { ready = true; });
    REQUIRE(run_until(io, [&] { return ready; }));
    mock.set_rtt(1, 2000ms);
    bool done = false;
    std::error_code ec;
    conn->async_request(MetadataRequest{}, [&](std::error_code e, MetadataResponse) {
        ec = e;
        done = true;
    });
    run_until(io, [&] { return done; }, 200ms);  // written, now waiting
    REQUIRE(!done);
    mock.broker_down(1);
    REQUIRE(run_until(io, [&] { return done; }));
    CHECK(ec == client_errc::connection_lost_after_send);
}
