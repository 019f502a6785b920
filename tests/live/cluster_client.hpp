// A net::Cluster on a private io_context, bootstrapped against the mock: the
// base of the test helpers that talk to the mock below the producer and the
// consumer (TestProducer writes test data, FetchReader reads it back).
#pragma once

#include <doctest/doctest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <system_error>

#include "mock_cluster.hpp"
#include "net/cluster.hpp"

namespace kafka::test {

class LiveClusterClient {
public:
    explicit LiveClusterClient(const MockCluster& mock) {
        net::NetConfig cfg;
        cfg.bootstrap_servers = mock.bootstrap_list();
        cluster_ = net::Cluster::create(io_.get_executor(), cfg);
        std::optional<std::error_code> ec;
        cluster_->async_bootstrap([&](std::error_code e) { ec = e; });
        REQUIRE(run([&] { return ec.has_value(); }));
        REQUIRE_MESSAGE(!*ec, ec->message());
    }
    ~LiveClusterClient() {
        cluster_->close();
        io_.restart();
        io_.run_for(std::chrono::milliseconds(20));
    }
    LiveClusterClient(const LiveClusterClient&) = delete;
    LiveClusterClient& operator=(const LiveClusterClient&) = delete;

    net::Cluster& cluster() { return *cluster_; }

protected:
    // Runs the io_context until `done()` or the time limit.
    template <class Pred>
    bool run(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < end) {
            if (io_.stopped()) io_.restart();
            io_.run_one_for(std::chrono::milliseconds(5));
        }
        return done();
    }

    asio::io_context io_;
    std::shared_ptr<net::Cluster> cluster_;
};

}  // namespace kafka::test
