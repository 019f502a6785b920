// Reconnect backoff: exponential, capped, jittered.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

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
