// The producer's sender: everything after the accumulator, on one strand.
//
// run() is the loop body, started by wake() (a batch filled, a new topic, a
// flush), by its timer (linger, retry backoff, delivery timeouts) and by every
// response. It:
//   1. applies new metadata (partition counts, leaders) and re-appends the
//      records that waited for it;
//   2. gets a producer id (idempotence), or bumps the epoch when a sequence
//      went wrong, while nothing is in flight;
//   3. drains ready batches into one ProduceRequest per leader (many
//      partitions each), at most max.in.flight.requests.per.connection per
//      broker, and sends them;
//   4. completes answered batches, or puts them back for a retry in their
//      original order, as the error-action table says.
// Callbacks run here, never under the accumulator's lock.
#pragma once

#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "client/accumulator.hpp"
#include "client/error_action.hpp"
#include "client/partitioner.hpp"
#include "client/producer_config.hpp"
#include "client/producer_idempotence.hpp"
#include "client/producer_types.hpp"
#include "net/cluster.hpp"

namespace kafka {
struct ProduceRequest;
struct ProduceResponse;
struct InitProducerIdResponse;
}  // namespace kafka

namespace kafka::detail {

using ErrorHandler = std::function<void(std::error_code, const DeliveryFailure&)>;

// State the Producer and its sender share.
struct ProducerShared {
    explicit ProducerShared(ProducerConfig cfg);

    const ProducerConfig config;
    RecordAccumulator accumulator;
    Partitioner partitioner;  // empty: the built-in one

    std::mutex handler_mu;
    ErrorHandler error_handler;  // for records without a callback

    struct Counters {
        std::atomic<uint64_t> records_acked{0}, records_failed{0}, batches_sent{0},
            batch_retries{0}, requests_sent{0}, duplicate_sequence{0}, epoch_bumps{0}, metadata_refreshes{0};
    } counters;
    ProducerStats stats() const;

    // Fails records that never reached a batch (callback, or the error handler).
    void fail_record(const std::string& topic, int32_t partition, DeliveryCallback& cb, std::error_code ec);
    void report_failure(std::error_code ec, const DeliveryFailure& f);
};

class ProducerSender : public std::enable_shared_from_this<ProducerSender> {
public:
    using Strand = asio::strand<asio::any_io_executor>;

    ProducerSender(asio::any_io_executor ex, std::shared_ptr<net::Cluster> cluster,
                   std::shared_ptr<ProducerShared> shared);
    ~ProducerSender();

    const Strand& strand() const { return strand_; }
    void start();
    // Any thread, cheap: at most one run() is queued at a time.
    void wake();
    // Any thread: fails every queued batch and pending record with `ec`, and
    // stops retrying; batches in flight fail when their connections close.
    void abort(std::error_code ec);
    // Any thread: stops the timer and closes the cluster's connections. The
    // future is ready once the cluster has let go of its connections (so
    // nothing holds the cluster any more but the I/O still queued).
    std::shared_future<void> stop();

private:
    struct InFlight;  // one ProduceRequest and its batches

    void run();
    void apply_metadata(const net::ClusterMetadata& md);
    void refresh_metadata();
    void requeue_pending(const std::string& topic, std::vector<PendingRecord> pending);
    void fail_pending(std::vector<std::pair<std::string, PendingRecord>> pending, std::error_code ec);

    void init_producer_id();
    // `version`: the InitProducerId version of a bump attempt, -1 when none was tried.
    void on_producer_id(std::error_code ec, const InitProducerIdResponse& resp, int16_t version);
    void resequence_after_reset(bool failed_victims, std::error_code victim_error);

    void send_request(int32_t broker, std::vector<std::unique_ptr<ProducerBatch>> batches);
    bool finish_batch(ProducerBatch& b);
    void on_response(const std::shared_ptr<InFlight>& req, std::error_code ec, const ProduceResponse& resp);
    void handle_result(std::unique_ptr<ProducerBatch> b, std::error_code ec, int64_t base_offset,
                       int64_t log_append_time, Clock::time_point now);
    void complete(std::unique_ptr<ProducerBatch> b, std::error_code ec, int64_t base_offset, int64_t log_append_time);
    // Hands the completed batches back to the accumulator (wakes flush()).
    void flush_done();
    void forget_unacked(ProducerBatch& b);
    Clock::duration backoff(int attempts);
    void arm_timer(std::optional<Clock::time_point> at);

    Strand strand_;
    std::shared_ptr<net::Cluster> cluster_;
    std::shared_ptr<ProducerShared> shared_;
    const ProducerConfig& cfg_;
    RecordAccumulator& acc_;
    asio::steady_timer timer_;
    std::optional<Clock::time_point> timer_at_;
    std::atomic<bool> wake_posted_{false};
    std::shared_ptr<std::promise<void>> stopped_promise_ = std::make_shared<std::promise<void>>();
    std::shared_future<void> stopped_future_ = stopped_promise_->get_future().share();
    std::atomic<bool> stop_requested_{false};

    // strand only
    bool stopped_ = false;
    bool aborting_ = false;
    std::error_code abort_error_;
    std::error_code fatal_;  // the producer cannot go on (fenced, not authorized)
    bool bootstrapped_ = false;
    bool bootstrapping_ = false;
    const net::ClusterMetadata* applied_md_ = nullptr;
    std::shared_ptr<const net::ClusterMetadata> md_hold_;
    bool refreshing_ = false;
    // Why the last metadata request failed (none: it succeeded). Records that
    // waited max.block.ms for their topic fail with it: "unknown topic" would
    // be wrong when no broker could be reached at all.
    std::error_code last_metadata_error_;
    bool refresh_again_ = false;
    Clock::time_point next_refresh_{};
    std::map<int32_t, int> broker_in_flight_;
    std::vector<std::unique_ptr<ProducerBatch>> done_batches_;  // completed, to release
    uint64_t done_records_ = 0;
    std::vector<RecordBatchBuilder> spare_builders_;  // of finished batches, to recycle
    int total_in_flight_ = 0;

    // idempotence
    bool idempotent_;
    ProducerIdAndEpoch pid_;
    bool pid_requesting_ = false;
    bool reset_needed_ = false;  // bump the epoch once nothing is in flight
    bool bump_refused_ = false;  // the broker refused a bump: new producer ids from now on
    Clock::time_point pid_retry_at_{};
    int pid_attempts_ = 0;

    std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace kafka::detail
