#include "client/producer.hpp"

#include <chrono>
#include <future>

#include "client/producer_sender.hpp"
#include "net/cluster.hpp"
#include "protocol/errors.hpp"

namespace kafka {
namespace {

ProducerConfig parse_or_throw(const Properties& props) {
    std::string error;
    auto cfg = ProducerConfig::from(props, &error);
    if (!cfg) throw std::system_error(cfg.error(), error);
    return std::move(*cfg);
}

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// How long close() waits for batches in flight to fail once their connections close.
constexpr auto kAbortGrace = std::chrono::milliseconds(30000);

}  // namespace

Producer::Producer(const Properties& config) : Producer(parse_or_throw(config)) {}

Producer::Producer(ProducerConfig config) : own_io_(std::make_unique<net::IoThread>()) {
    shared_ = std::make_shared<detail::ProducerShared>(std::move(config));
    start(own_io_->executor(), nullptr);
}

Producer::Producer(asio::any_io_executor ex, const Properties& config)
    : Producer(std::move(ex), parse_or_throw(config)) {}

Producer::Producer(asio::any_io_executor ex, ProducerConfig config, std::shared_ptr<net::FrameObserver> observer) {
    shared_ = std::make_shared<detail::ProducerShared>(std::move(config));
    start(std::move(ex), std::move(observer));
}

void Producer::start(asio::any_io_executor ex, std::shared_ptr<net::FrameObserver> observer) {
    io_ = ex;
    cluster_ = net::Cluster::create(ex, shared_->config.net, std::move(observer));
    sender_ = std::make_shared<detail::ProducerSender>(ex, cluster_, shared_);
    std::weak_ptr<detail::ProducerSender> weak = sender_;
    shared_->accumulator.set_waker([weak] {
        if (auto s = weak.lock()) s->wake();
    });
    sender_->start();
}

Producer::~Producer() {
    close();
    const bool can_wait = own_io_ && !on_io_thread();
    // With our own I/O thread, wait until the cluster has closed its
    // connections: a request still in flight would keep it alive otherwise.
    if (can_wait) {
        sender_->stop().wait_for(std::chrono::seconds(10));
        // Closing a connection takes a few hops between strands before its
        // last request's handler runs and lets go of it: let them happen
        // before the io_context goes.
        for (int round = 0; round < 8; ++round) {
            auto barrier = std::make_shared<std::promise<void>>();
            auto passed = barrier->get_future();
            asio::post(io_, [barrier] { barrier->set_value(); });
            if (passed.wait_for(std::chrono::seconds(1)) != std::future_status::ready) break;
        }
    }
    shared_->accumulator.set_waker(nullptr);
    // The sender and the cluster are let go on the I/O thread, where their
    // handlers run, never while one of them runs elsewhere. If that thread no
    // longer runs, they go with its io_context's pending work.
    auto released = std::make_shared<std::promise<void>>();
    auto done = released->get_future();
    asio::post(io_, [cluster = std::move(cluster_), sender = std::move(sender_), released]() mutable {
        sender.reset();
        cluster.reset();
        released->set_value();
    });
    if (can_wait) done.wait_for(std::chrono::seconds(10));
    own_io_.reset();
}

const ProducerConfig& Producer::config() const { return shared_->config; }
Producer::executor_type Producer::get_executor() const { return io_; }
std::shared_ptr<net::Cluster> Producer::cluster() const { return cluster_; }

void Producer::set_partitioner(Partitioner p) { shared_->partitioner = std::move(p); }

void Producer::on_delivery_error(ErrorHandler handler) {
    std::lock_guard<std::mutex> lock(shared_->handler_mu);
    shared_->error_handler = std::move(handler);
}

ProducerStats Producer::stats() const { return shared_->stats(); }

bool Producer::on_io_thread() const { return sender_->strand().running_in_this_thread(); }

std::error_code Producer::append(const RecordView& r, detail::DeliveryCallback& cb) {
    if (r.topic.empty()) return make_error_code(errc::invalid_topic_exception);
    const int64_t ts = r.timestamp >= 0 ? r.timestamp : now_ms();
    int32_t partition = r.partition >= 0 ? r.partition : kAnyPartition;
    auto& acc = shared_->accumulator;
    if (shared_->partitioner && partition == kAnyPartition) {
        // The user's partitioner runs outside the accumulator's lock. Without
        // metadata yet, the record waits and is partitioned when it comes.
        const int32_t n = acc.partition_count(r.topic);
        if (n > 0) {
            partition = shared_->partitioner(r.topic, r.key, r.value, n);
            if (partition != kAnyPartition && (partition < 0 || partition >= n))
                return make_error_code(client_errc::invalid_argument);
        }
    }
    return acc.append(r, partition, ts, cb, detail::Clock::time_point{}, !on_io_thread()).ec;
}

std::error_code Producer::send(const RecordView& record) {
    detail::DeliveryCallback none;
    std::error_code ec = append(record, none);
    if (ec) {
        shared_->counters.records_failed.fetch_add(1, std::memory_order_relaxed);
        shared_->report_failure(ec, {std::string(record.topic), record.partition, 1});
    }
    return ec;
}

void Producer::fail_later(const RecordView& r, detail::DeliveryCallback& cb, std::error_code ec) {
    shared_->counters.records_failed.fetch_add(1, std::memory_order_relaxed);
    RecordMetadata md;
    md.topic = std::string(r.topic);
    md.partition = r.partition;
    // Never from inside send(): the handler runs as if posted.
    asio::post(io_, [cb = std::move(cb), ec, md = std::move(md)]() mutable { cb(ec, md); });
}

RecordMetadata Producer::send_sync(const RecordView& record) {
    if (on_io_thread()) throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
    return send(record, asio::use_future).get();
}

std::error_code Producer::flush(std::chrono::milliseconds timeout) {
    if (on_io_thread()) return std::make_error_code(std::errc::resource_deadlock_would_occur);
    auto& acc = shared_->accumulator;
    acc.begin_flush();
    const bool done = acc.wait_all_done(timeout);
    acc.end_flush();
    return done ? std::error_code{} : make_error_code(client_errc::timed_out);
}

std::error_code Producer::close(std::chrono::milliseconds timeout) {
    if (closed_) return {};
    if (on_io_thread()) return std::make_error_code(std::errc::resource_deadlock_would_occur);
    closed_ = true;
    auto& acc = shared_->accumulator;
    acc.close();
    acc.begin_flush();
    std::error_code result;
    if (!acc.wait_all_done(timeout)) {
        // Out of time: what is queued fails now, what is in flight fails as
        // its connections close. Every record is still reported.
        result = make_error_code(client_errc::timed_out);
        sender_->abort(result);
        sender_->stop();
        acc.wait_all_done(kAbortGrace);
    }
    acc.end_flush();
    sender_->stop();
    return result;
}

}  // namespace kafka
