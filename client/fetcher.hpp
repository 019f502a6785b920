// Internal, io thread: keeps one Fetch in flight per partition leader, on the
// leader's fetch connection, and the positions of new partitions.
//
// When a Fetch response arrives, each partition's records are scanned for
// their batch headers only (where does the next fetch start?), queued for
// poll() undecoded, and the next Fetch goes out at once: decoding happens on
// the polling thread while the broker works on the next request. Fetching
// stops while the queue holds queued.max.messages.kbytes, so memory stays
// flat however large the backlog.
//
// A partition starts at its committed offset (OffsetFetch), else at
// auto.offset.reset (ListOffsets); OFFSET_OUT_OF_RANGE resets it the same
// way. Errors go through the table in consumer_errors.hpp.
#pragma once

#include <asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "client/consumer_fetch_session.hpp"
#include "client/consumer_impl.hpp"

namespace kafka {

class Fetcher {
public:
    explicit Fetcher(ConsumerImpl& c);
    ~Fetcher();

    void start();
    void stop();
    // Something changed (assignment, seek, resume, room in the queue): look
    // again for work. io thread.
    void kick();

    struct Stats {
        uint64_t fetches = 0;
        uint64_t full_fetches = 0;
        uint64_t session_resets = 0;
    };
    const Stats& stats() const { return stats_; }

private:
    struct InFlight {
        PartitionPtr partition;
        uint64_t epoch;
        int64_t fetch_offset;
    };
    struct Broker {
        FetchSession session;
        bool in_flight = false;
        SteadyClock::time_point retry_at{};
    };

    void tick();
    void arm_timer();
    void refresh_leaders_locked(SteadyClock::time_point now);
    void request_metadata();
    void update_positions();
    void maybe_fetch();
    void send_fetch(int32_t broker, std::vector<FetchWant> wants, std::vector<InFlight> sent);
    void on_fetch(int32_t broker, std::error_code ec, FetchResponse resp, int16_t version, std::vector<InFlight>& sent);
    void on_partition(const PartitionPtr& p, FetchResponse::PartitionData& data, int16_t version, bool& pushed);
    void partition_error(PartitionState& p, std::error_code ec, SteadyClock::time_point now);

    ConsumerImpl& c_;
    asio::steady_timer timer_;
    bool stopped_ = false;
    std::map<int32_t, Broker> brokers_;
    net::Cluster::MetadataPtr md_;
    bool metadata_pending_ = false;
    SteadyClock::time_point metadata_asked_{};
    bool committed_in_flight_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    Stats stats_;
};

}  // namespace kafka
