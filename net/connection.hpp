// One TCP connection to one broker: the Asio shell around ConnectionMachine.
//
// The shell resolves (IPv4 and IPv6), connects with a timeout, sets
// TCP_NODELAY, keeps one read and at most one write outstanding, arms one
// timer at the machine's next deadline, and after every event hands the
// machine's finished requests to their handlers. Everything runs on the
// connection's strand; the public functions may be called from any thread.
//
// Typed requests complete through an Asio completion token, so callbacks,
// asio::use_future and C++20 coroutines all work:
//
//     conn->async_request(MetadataRequest{}, [](std::error_code ec, MetadataResponse r) { ... });
//     auto f = conn->async_request(req, asio::use_future);
//     // a request whose content depends on the version picked for this broker:
//     conn->async_request_with([&](int16_t v) { return make_fetch(v); }, token);
//
// The error is a kafka::client_errc for local failures (timed_out,
// connection_lost_not_sent, connection_lost_after_send, no_version_in_common,
// authentication_failed, malformed...). Broker error codes inside the
// response are the caller's to read.
//
// A connection is never reused after it dies; the pool makes a new one. An
// open connection keeps itself alive (its read holds a reference): call
// close() to let it go.
#pragma once

// Standard headers first: Asio picks its allocator (aligned_alloc or
// operator new) from macros that libstdc++ headers define, and every
// translation unit must pick the same one.
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>

#include <asio/async_result.hpp>
#include <asio/compose.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>


#include "net/config.hpp"
#include "net/connection_machine.hpp"
#include "net/trace.hpp"
#include "protocol/reader.hpp"

namespace kafka::net {

struct RequestOptions {
    std::chrono::milliseconds timeout{0};  // 0: request.timeout.ms
};

namespace detail {

template <class T, class = void>
struct has_expects_response : std::false_type {};
template <class T>
struct has_expects_response<T, std::void_t<decltype(std::declval<const T&>().expects_response())>>
    : std::true_type {};

// The typed body of a response. A request that gets no response (acks=0)
// completes with an empty frame and a default-constructed response.
template <class Resp>
std::error_code decode_response(const ResponseFrame& f, Resp& out) {
    if (f.frame.empty()) return {};
    Reader r(f.body());
    auto decoded = Resp::decode(r, f.api_version);
    if (!decoded) return decoded.error();
    if (auto ec = r.finish()) return ec;
    out = std::move(*decoded);
    return {};
}

// `make(version)` returns the request to send at that version.
template <class Req, class Make>
OutgoingRequest make_outgoing(Make make, RequestOptions o, ResponseHandler handler) {
    OutgoingRequest out;
    out.api_key = Req::key;
    out.versions = Req::versions;
    out.first_flexible = Req::first_flexible;
    out.timeout = o.timeout;
    out.handler = std::move(handler);
    out.encode = [make = std::move(make)](int16_t version, Writer& w, bool& expects_response) mutable {
        decltype(auto) req = make(version);
        if constexpr (has_expects_response<Req>::value) expects_response = req.expects_response();
        req.encode(w, version);
        return w.error();
    };
    return out;
}

// Wraps a composed operation's `self` into a plain callback that resumes it
// on the handler's associated executor (a coroutine's, a bound strand's, or
// the operation's I/O executor by default).
template <class Op>
auto resume_on_handler_executor(Op op) {
    return [op = std::move(op)](auto... args) mutable {
        auto ex = op.get_executor();
        asio::dispatch(ex, [op = std::move(op), args...]() mutable { op(std::move(args)...); });
    };
}

}  // namespace detail

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using executor_type = asio::strand<asio::any_io_executor>;
    // Called once, on the connection's strand, when it dies: the error and
    // whether the handshake had completed.
    using CloseHandler = UniqueFunction<void(std::error_code, bool was_ready)>;

    static std::shared_ptr<Connection> create(asio::any_io_executor ex, std::string host, uint16_t port,
                                              ConnectionOptions options,
                                              std::shared_ptr<FrameObserver> observer = nullptr);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    executor_type get_executor() const { return strand_; }
    const std::string& host() const { return host_; }
    uint16_t port() const { return port_; }
    const std::string& address() const { return address_; }  // "host:port"
    uint64_t id() const { return id_; }

    // Connects now rather than at the first request.
    void start();
    // Tears the connection down: requests not yet written fail with
    // shutting_down, written ones with connection_lost_after_send.
    void close();
    // Must be set before start() or the first request.
    void set_close_handler(CloseHandler h) { on_close_ = std::move(h); }

    bool is_ready() const { return state_.load() == ConnectionMachine::State::ready; }
    bool is_dead() const { return state_.load() == ConnectionMachine::State::dead; }
    ConnectionMachine::State state() const { return state_.load(); }
    size_t in_flight() const { return in_flight_.load(); }
    std::error_code error() const;
    std::string error_detail() const;
    // Once ready: the version both sides support for an API, if any.
    std::optional<int16_t> negotiated_version(int16_t api_key, VersionRange ours) const;

    // Completes with an empty error once the handshake is done, or with the
    // error the connection died of. Starts the connection.
    template <class Token>
    auto async_wait_ready(Token&& token) {
        return asio::async_compose<Token, void(std::error_code)>(
            [self = shared_from_this(), started = false](auto& op, std::error_code ec = {}) mutable {
                if (started) return op.complete(ec);
                started = true;
                auto conn = self;  // `op` owns this lambda: copy before moving it
                conn->add_ready_waiter(detail::resume_on_handler_executor(std::move(op)));
            },
            token, strand_);
    }

    template <class Req, class Token>
    auto async_request(Req req, Token&& token) {
        return async_request(std::move(req), RequestOptions{}, std::forward<Token>(token));
    }
    template <class Req, class Token>
    auto async_request(Req req, RequestOptions options, Token&& token) {
        auto make = [req = std::move(req)](int16_t) -> const Req& { return req; };
        return start_request<Req>(std::move(make), options, std::forward<Token>(token));
    }
    // `build(int16_t negotiated_version)` returns the request to send.
    template <class Builder, class Token>
    auto async_request_with(Builder build, Token&& token) {
        return async_request_with(std::move(build), RequestOptions{}, std::forward<Token>(token));
    }
    template <class Builder, class Token>
    auto async_request_with(Builder build, RequestOptions options, Token&& token) {
        using Req = std::decay_t<std::invoke_result_t<Builder&, int16_t>>;
        return start_request<Req>(std::move(build), options, std::forward<Token>(token));
    }

    // The untyped path under the typed ones: for callers that encode and
    // decode bodies themselves. Starts the connection.
    void submit(OutgoingRequest request);

private:
    Connection(asio::any_io_executor ex, std::string host, uint16_t port, ConnectionOptions options,
               std::shared_ptr<FrameObserver> observer);

    template <class Req, class Make, class Token>
    auto start_request(Make make, RequestOptions options, Token&& token) {
        using Resp = typename Req::response_type;
        return asio::async_compose<Token, void(std::error_code, Resp)>(
            [self = shared_from_this(), make = std::move(make), options, started = false](
                auto& op, std::error_code ec = {}, ResponseFrame frame = {}) mutable {
                if (!started) {
                    started = true;
                    // `op` owns this lambda: take what we need before moving it.
                    auto conn = self;
                    auto outgoing_make = std::move(make);
                    ResponseHandler h = detail::resume_on_handler_executor(std::move(op));
                    conn->submit(detail::make_outgoing<Req>(std::move(outgoing_make), options, std::move(h)));
                    return;
                }
                Resp resp{};
                if (!ec) ec = detail::decode_response(frame, resp);
                op.complete(ec, std::move(resp));
            },
            token, strand_);
    }

    void add_ready_waiter(UniqueFunction<void(std::error_code)> w);
    void do_start();
    void on_resolved(std::error_code ec, const asio::ip::tcp::resolver::results_type& results);
    void on_connected(std::error_code ec);
    void start_read();
    void pump();
    void arm_timer();

    executor_type strand_;
    std::string host_;
    uint16_t port_;
    std::string address_;
    uint64_t id_;
    asio::ip::tcp::resolver resolver_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    std::optional<Clock::time_point> armed_;
    ConnectionMachine machine_;
    std::array<uint8_t, 64 * 1024> read_buf_{};
    std::vector<Bytes> write_frames_;
    bool closed_ = false;
    CloseHandler on_close_;
    bool was_ready_ = false;
    std::vector<UniqueFunction<void(std::error_code)>> ready_waiters_;

    std::atomic<ConnectionMachine::State> state_{ConnectionMachine::State::idle};
    std::atomic<size_t> in_flight_{0};
    mutable std::mutex mu_;  // guards the snapshot below
    std::error_code error_;
    std::string error_detail_;
    std::vector<ApiVersionsResponse::ApiVersion> versions_;
};

}  // namespace kafka::net
