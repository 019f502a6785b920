// Consumer::async_poll() against the librdkafka mock: callbacks, futures,
// an application io_context as the handler's executor, timeouts, wakeup()
// and close() completing a pending poll. Every wait is bounded.
#include <ostream>  // doctest prints std::error_code through it

#include <asio/bind_executor.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <doctest/doctest.h>

#include <future>

#include "test_consumer_support.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

// Reads with async_poll() chained from its own completion until `want`
// records came or `limit` passes; each completion runs on `ex`.
struct AsyncReader {
    AsyncReader(Consumer& consumer, size_t n) : c(consumer), want(n) {}
    Consumer& c;
    size_t want;
    std::mutex mu;
    std::vector<std::string> values;
    std::set<std::thread::id> threads;
    std::promise<void> done;
    bool finished = false;
    std::chrono::steady_clock::time_point end = std::chrono::steady_clock::now() + 20s;

    template <class Ex>
    void next(Ex ex) {
        c.async_poll(200ms, asio::bind_executor(ex, [this, ex](ConsumerRecords recs) {
                         bool more;
                         {
                             std::lock_guard<std::mutex> lock(mu);
                             threads.insert(std::this_thread::get_id());
                             for (const auto& r : recs) values.emplace_back(r.value());
                             more = values.size() < want && std::chrono::steady_clock::now() < end;
                             if (!more) finished = true;
                         }
                         if (more) next(ex);
                         else done.set_value();
                     }));
    }
};

}  // namespace

TEST_CASE("live consumer: async_poll chained from its completion reads everything, on the handler's executor") {
    MockCluster mock(1);
    mock.create_topic("async", 2);
    {
        TestProducer prod(mock);
        prod.fill("async", 2, 300);
    }
    auto props = consumer_props(mock, "async-group");
    Consumer c(props);
    asio::io_context app;
    auto guard = asio::make_work_guard(app);
    std::thread app_thread([&] { app.run(); });
    std::mutex mu;
    std::set<std::thread::id> callback_threads;
    RebalanceListener listener;
    listener.on_assigned = [&](const std::vector<TopicPartition>&) {
        std::lock_guard<std::mutex> lock(mu);
        callback_threads.insert(std::this_thread::get_id());
    };
    c.subscribe({"async"}, listener);

    AsyncReader reader(c, 600);
    auto finished = reader.done.get_future();
    reader.next(app.get_executor());
    bool in_time = finished.wait_for(30s) == std::future_status::ready;
    if (!in_time) c.wakeup();  // ends the chain: the reader stops at its deadline
    CHECK(in_time);
    {
        std::lock_guard<std::mutex> lock(reader.mu);
        std::set<std::string> got(reader.values.begin(), reader.values.end());
        CHECK(reader.values.size() == 600);
        CHECK(got.size() == 600);
        CHECK(got.count("m-1-299") == 1);
        // Completions and the rebalance callback all ran on the application's thread.
        CHECK(reader.threads == std::set<std::thread::id>{app_thread.get_id()});
    }
    {
        std::lock_guard<std::mutex> lock(mu);
        CHECK(callback_threads == std::set<std::thread::id>{app_thread.get_id()});
    }
    guard.reset();
    app_thread.join();
    c.close();
}

TEST_CASE("live consumer: async_poll with a future, a timeout, wakeup() and close()") {
    MockCluster mock(1);
    mock.create_topic("asyncf", 1);
    auto props = consumer_props(mock);
    Consumer c(props);
    c.assign({{"asyncf", 0}});

    SUBCASE("nothing to read: completes empty once the timeout passes") {
        auto start = std::chrono::steady_clock::now();
        auto f = c.async_poll(300ms, asio::use_future);
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        CHECK(f.get().empty());
        CHECK(std::chrono::steady_clock::now() - start >= 300ms);
    }
    SUBCASE("records produced while it waits complete it early, with them") {
        auto f = c.async_poll(20s, asio::use_future);
        std::this_thread::sleep_for(200ms);
        CHECK(f.wait_for(0s) == std::future_status::timeout);
        {
            TestProducer prod(mock);
            prod.produce("asyncf", 0, {{"k", "v1", {}}, {"k", "v2", {}}});
        }
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        std::vector<std::string> got;
        for (const auto& r : f.get()) got.emplace_back(r.value());
        // The fetch may bring the two records in one answer or two.
        REQUIRE(!got.empty());
        CHECK(got.front() == "v1");
    }
    SUBCASE("wakeup() completes a pending poll") {
        auto f = c.async_poll(60s, asio::use_future);
        std::this_thread::sleep_for(100ms);
        c.wakeup();
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        CHECK(f.get().empty());
    }
    SUBCASE("a second poll while one is pending is refused") {
        auto f = c.async_poll(60s, asio::use_future);
        CHECK_THROWS_AS(c.async_poll(1s, asio::use_future), std::logic_error);
        c.wakeup();
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
    }
    SUBCASE("close() completes a pending poll") {
        auto f = c.async_poll(60s, asio::use_future);
        std::this_thread::sleep_for(100ms);
        c.close();
        REQUIRE(f.wait_for(10s) == std::future_status::ready);
        CHECK(f.get().empty());
    }
    c.close();
}
