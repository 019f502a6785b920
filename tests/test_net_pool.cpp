// Reconnect backoff: exponential, capped, jittered; the formula, and the
// pool waiting it out after connections to a refused 127.0.0.1 port die.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include <asio/io_context.hpp>

#include "net/pool.hpp"

using namespace kafka::net;
using namespace std::chrono_literals;

TEST_CASE("Pool::backoff doubles per failure up to the cap, with +-20% jitter") {
    auto ms = [](Clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    CHECK(ms(Pool::backoff(0, 100ms, 10000ms, 0.5)) == 0);
    CHECK(ms(Pool::backoff(1, 100ms, 10000ms, 0.5)) == 100);
    CHECK(ms(Pool::backoff(2, 100ms, 10000ms, 0.5)) == 200);
    CHECK(ms(Pool::backoff(4, 100ms, 10000ms, 0.5)) == 800);
    CHECK(ms(Pool::backoff(30, 100ms, 10000ms, 0.5)) == 10000);
    CHECK(ms(Pool::backoff(1000, 100ms, 10000ms, 0.5)) == 10000);  // no overflow
    CHECK(ms(Pool::backoff(1, 100ms, 10000ms, 0.0)) == 80);
    CHECK(ms(Pool::backoff(1, 100ms, 10000ms, 1.0)) == 120);
    CHECK(ms(Pool::backoff(30, 100ms, 10000ms, 1.0)) == 12000);
}

TEST_CASE("Pool: a connection to a refused port dies, and the next get() waits, longer after each failure") {
    asio::io_context io;
    uint16_t port = 0;
    {
        // A port that was just free: bind, read it, release it (127.0.0.1 only).
        asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = a.local_endpoint().port();
    }
    NetConfig config;
    config.reconnect_backoff = 200ms;
    config.reconnect_backoff_max = 5000ms;
    config.connection.connect_timeout = 2000ms;
    Pool pool(io.get_executor(), io.get_executor(), config, nullptr);
    pool.set_broker(1, "127.0.0.1", port);

    // Runs `io` until `done()`, at most `limit`.
    auto run_until = [&](auto done, std::chrono::milliseconds limit) {
        auto end = Clock::now() + limit;
        while (!done() && Clock::now() < end) {
            io.restart();
            io.run_for(5ms);
        }
        return done();
    };

    // Backoff after failure n: 200ms * 2^(n-1), +-20%. The wait is read right
    // after the death is noticed, so it is at most the upper bound and, on a
    // machine that is not stalled for tens of milliseconds, near the lower.
    std::vector<Clock::duration> waits;
    for (int failure = 1; failure <= 3; ++failure) {
        CAPTURE(failure);
        // Once the backoff has passed, get() connects again.
        Pool::Lease lease;
        REQUIRE(run_until([&] {
            lease = pool.get(1, Purpose::general, Clock::now());
            return lease.conn != nullptr || lease.ec;
        }, 5000ms));
        REQUIRE(!lease.ec);
        std::shared_ptr<Connection> conn = lease.conn;
        REQUIRE(run_until([&] { return conn->is_dead(); }, 5000ms));
        CHECK(conn->error() == asio::error::connection_refused);
        // The death notice is posted to the owner; until it runs, get() sees
        // a dead connection and no backoff yet. Wait for the backoff.
        REQUIRE(run_until([&] {
            lease = pool.get(1, Purpose::general, Clock::now());
            return lease.wait > Clock::duration::zero();
        }, 2000ms));
        CHECK(lease.conn == nullptr);
        CHECK(!lease.ec);
        waits.push_back(lease.wait);
        const auto upper = std::chrono::duration_cast<Clock::duration>(200ms * (1 << (failure - 1)) * 1.2);
        CHECK(lease.wait <= upper);
        // Asking again during the backoff opens nothing and waits less.
        auto again = pool.get(1, Purpose::general, Clock::now());
        CHECK(again.conn == nullptr);
        CHECK(again.wait > Clock::duration::zero());
        CHECK(again.wait <= lease.wait);
    }
    // 160..240ms, then 320..480ms, then 640..960ms: each failure waits longer
    // than the one before, even at the jitter's extremes.
    CHECK(waits[1] > waits[0]);
    CHECK(waits[2] > waits[1]);
    CHECK(waits[2] > std::chrono::duration_cast<Clock::duration>(400ms));  // a flat backoff would be ~200ms
    pool.close_all();
    io.restart();
    io.run_for(20ms);
}
