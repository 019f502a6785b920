// Connections to the brokers of one cluster: one per (broker id, purpose),
// created on first use, replaced after they die, with exponential backoff and
// jitter between failed attempts so that a dead broker is not hammered.
//
// Not thread-safe: the Cluster calls it on its strand only.
#pragma once

#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "net/config.hpp"
#include "net/connection.hpp"

namespace kafka::net {

class Pool {
public:
    // Death notices are posted to `owner` (the cluster's strand) before
    // touching the pool.
    Pool(asio::any_io_executor io, asio::any_io_executor owner, const NetConfig& config,
         std::shared_ptr<FrameObserver> observer);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    // Where a broker lives. A changed address closes its connections.
    void set_broker(int32_t id, const std::string& host, uint16_t port);
    bool has_broker(int32_t id) const { return addresses_.count(id) != 0; }

    struct Lease {
        std::shared_ptr<Connection> conn;   // set: use it (it may still be connecting)
        Clock::duration wait{};             // no conn: try again after this backoff
        std::error_code ec;                 // unknown broker or pool closed
    };
    Lease get(int32_t id, Purpose purpose, Clock::time_point now);
    // A ready general connection to any broker, if there is one.
    std::pair<int32_t, std::shared_ptr<Connection>> any_ready() const;

    void close_all();
    bool closed() const { return closed_; }

    // The delay before attempt number `failures` + 1: base * 2^(failures-1),
    // capped, then +-20% jitter. Exposed for tests.
    static Clock::duration backoff(int failures, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                   double jitter01);

private:
    struct Slot {
        std::shared_ptr<Connection> conn;
        int failures = 0;
        Clock::time_point next_attempt{};
        uint64_t generation = 0;
    };
    void on_dead(int32_t id, Purpose purpose, uint64_t generation, bool was_ready);

    asio::any_io_executor io_;
    asio::any_io_executor owner_;
    NetConfig config_;
    std::shared_ptr<FrameObserver> observer_;
    std::map<int32_t, HostPort> addresses_;
    std::map<std::pair<int32_t, int>, Slot> slots_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::mt19937 rng_{std::random_device{}()};
    bool closed_ = false;
};

}  // namespace kafka::net
