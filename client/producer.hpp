// Producer: sends records to Kafka, like the Java KafkaProducer, kafka-python's
// KafkaProducer and confluent-kafka's Producer.
//
//     kafka::Producer producer({{"bootstrap.servers", "localhost:9092"}, {"linger.ms", "5"}});
//
//     producer.send({"events", "hello"});                              // fire-and-forget
//     auto md = producer.send({"events", "key", "v"}, asio::use_future).get();  // synchronous
//     producer.send(kafka::ProducerRecord("events", "v"),              // asynchronous
//                   [](std::error_code ec, kafka::RecordMetadata md) { ... });
//     kafka::RecordMetadata m = co_await producer.send(rec, asio::use_awaitable);  // C++20 coroutine
//     producer.flush();
//     producer.close();
//
// Settings have the Java client's names and defaults (producer_config.hpp).
// Records are partitioned, encoded into their partition's batch, and sent by
// one I/O thread (the producer's own, or an executor given to it). Callbacks
// run on that thread - keep them short - unless the completion token carries
// an executor of its own (a coroutine's, a strand).
//
// Delivery is reported for every record exactly once: by its callback or
// future, or, for fire-and-forget records, to the error handler
// (on_delivery_error) and in stats().records_failed. close() delivers what is
// queued, or fails it when its timeout runs out; nothing is dropped silently.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>
#include <asio/use_future.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>

#include "client/partitioner.hpp"
#include "client/producer_config.hpp"
#include "client/producer_types.hpp"
#include "client/properties.hpp"

namespace kafka {

namespace net {
class Cluster;
class FrameObserver;
class IoThread;
}  // namespace net
namespace detail {
struct ProducerShared;
class ProducerSender;
}  // namespace detail

class Producer {
public:
    using executor_type = asio::any_io_executor;
    using ErrorHandler = std::function<void(std::error_code, const DeliveryFailure&)>;
    static constexpr std::chrono::milliseconds kForever = std::chrono::milliseconds::max();

    // Throws std::system_error (client_errc::invalid_config, with the key in
    // the message) for a bad setting. The producer runs its own I/O thread.
    explicit Producer(const Properties& config);
    explicit Producer(ProducerConfig config);
    // Runs on `ex` (a user's io_context, which must be run by someone).
    Producer(asio::any_io_executor ex, const Properties& config);
    Producer(asio::any_io_executor ex, ProducerConfig config,
             std::shared_ptr<net::FrameObserver> observer = nullptr);
    // close(): waits for what is queued (bounded by delivery.timeout.ms).
    ~Producer();
    Producer(const Producer&) = delete;
    Producer& operator=(const Producer&) = delete;

    const ProducerConfig& config() const;
    executor_type get_executor() const;
    std::shared_ptr<net::Cluster> cluster() const;

    // A custom partitioner (set before the first send).
    void set_partitioner(Partitioner p);
    // Called for fire-and-forget records that fail (on the I/O thread, or on
    // the sender's thread for errors found in send()).
    void on_delivery_error(ErrorHandler handler);

    // ---- fire-and-forget. The error, if any, is one found at once (closed,
    // buffer full after max.block.ms, record too large); it is also reported
    // to the error handler. Later failures go to the error handler only.
    std::error_code send(const RecordView& record);
    std::error_code send(const ProducerRecord& record) { return send(RecordView(record)); }

    // ---- with a completion: void(std::error_code, RecordMetadata). The token
    // is a callback, asio::use_future, asio::use_awaitable, asio::deferred...
    // The record is copied into its batch when the operation starts: at once
    // for callbacks and futures, at co_await for a lazy token. A temporary
    // ProducerRecord is moved into the operation, so it is always safe; a
    // RecordView's bytes (or an lvalue record) must still be there then.
    template <class Token>
    auto send(const RecordView& record, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, RecordMetadata)>(
            [this](auto handler, const RecordView& rec) {
                detail::DeliveryCallback cb = wrap(std::move(handler));
                if (std::error_code ec = append(rec, cb)) fail_later(rec, cb, ec);
            },
            token, record);
    }
    template <class Token>
    auto send(const ProducerRecord& record, Token&& token) {
        return send(RecordView(record), std::forward<Token>(token));
    }
    template <class Token>
    auto send(ProducerRecord&& record, Token&& token) {
        return asio::async_initiate<Token, void(std::error_code, RecordMetadata)>(
            [this](auto handler, ProducerRecord rec) {
                detail::DeliveryCallback cb = wrap(std::move(handler));
                const RecordView view(rec);
                if (std::error_code ec = append(view, cb)) fail_later(view, cb, ec);
            },
            token, std::move(record));
    }

    // ---- synchronous: waits for the broker's answer (linger.ms included).
    // Throws std::system_error on failure. Not from a callback.
    RecordMetadata send_sync(const RecordView& record);
    RecordMetadata send_sync(const ProducerRecord& record) { return send_sync(RecordView(record)); }

    // Sends everything queued now, without waiting for linger.ms, and waits
    // until every record sent so far is delivered or failed. timed_out when
    // that takes longer than `timeout`. Not from a callback.
    std::error_code flush(std::chrono::milliseconds timeout = kForever);
    // Stops taking records, delivers the queued ones, then stops. Records
    // still queued or in flight when `timeout` runs out fail with timed_out.
    // Idempotent. Not from a callback.
    std::error_code close(std::chrono::milliseconds timeout = kForever);

    ProducerStats stats() const;

private:
    void start(asio::any_io_executor ex, std::shared_ptr<net::FrameObserver> observer);
    std::error_code append(const RecordView& r, detail::DeliveryCallback& cb);
    void fail_later(const RecordView& r, detail::DeliveryCallback& cb, std::error_code ec);
    bool on_io_thread() const;

    template <class Handler>
    detail::DeliveryCallback wrap(Handler handler) {
        using Ex = asio::associated_executor_t<Handler, executor_type>;
        if constexpr (std::is_same_v<Ex, executor_type>) {
            auto ex = asio::get_associated_executor(handler, io_);
            if (ex == io_) {
                // No executor of its own: called on the I/O thread, directly.
                return [h = std::move(handler)](std::error_code ec, const RecordMetadata& md) mutable {
                    std::move(h)(ec, md);
                };
            }
            return dispatching(std::move(handler), std::move(ex));
        } else {
            return dispatching(std::move(handler), asio::get_associated_executor(handler, io_));
        }
    }
    template <class Handler, class Ex>
    static detail::DeliveryCallback dispatching(Handler handler, Ex ex) {
        // Resumes on the handler's executor, keeping it busy until then.
        auto work = asio::prefer(std::move(ex), asio::execution::outstanding_work.tracked);
        return [h = std::move(handler), work = std::move(work)](std::error_code ec,
                                                                const RecordMetadata& md) mutable {
            asio::dispatch(work, [h = std::move(h), ec, md]() mutable { std::move(h)(ec, md); });
        };
    }

    std::unique_ptr<net::IoThread> own_io_;
    asio::any_io_executor io_;
    std::shared_ptr<detail::ProducerShared> shared_;
    std::shared_ptr<net::Cluster> cluster_;
    std::shared_ptr<detail::ProducerSender> sender_;
    bool closed_ = false;
};

}  // namespace kafka
