#include "net/connection.hpp"

#include <asio/bind_executor.hpp>
#include <asio/connect.hpp>
#include <asio/write.hpp>

namespace kafka::net {
namespace {

std::atomic<uint64_t> g_next_connection_id{1};

std::string format_address(const std::string& host, uint16_t port) {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace

std::shared_ptr<Connection> Connection::create(asio::any_io_executor ex, std::string host, uint16_t port,
                                               ConnectionOptions options, std::shared_ptr<FrameObserver> observer) {
    return std::shared_ptr<Connection>(
        new Connection(std::move(ex), std::move(host), port, std::move(options), std::move(observer)));
}

Connection::Connection(asio::any_io_executor ex, std::string host, uint16_t port, ConnectionOptions options,
                       std::shared_ptr<FrameObserver> observer)
    : strand_(asio::make_strand(ex)),
      host_(std::move(host)),
      port_(port),
      address_(format_address(host_, port_)),
      id_(g_next_connection_id.fetch_add(1)),
      resolver_(strand_),
      socket_(strand_),
      timer_(strand_),
      machine_(std::move(options), address_, std::move(observer), id_) {}

Connection::~Connection() = default;

std::error_code Connection::error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
}

std::string Connection::error_detail() const {
    std::lock_guard<std::mutex> lock(mu_);
    return error_detail_;
}

std::optional<int16_t> Connection::negotiated_version(int16_t api_key, VersionRange ours) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& a : versions_) {
        if (a.api_key != api_key) continue;
        int16_t hi = std::min(a.max_version, ours.max);
        int16_t lo = std::max(a.min_version, ours.min);
        if (hi < lo) return std::nullopt;
        return hi;
    }
    return std::nullopt;
}

void Connection::start() {
    asio::post(strand_, [self = shared_from_this()] { self->do_start(); });
}

void Connection::close() {
    asio::post(strand_, [self = shared_from_this()] {
        self->machine_.close();
        self->pump();
    });
}

void Connection::submit(OutgoingRequest request) {
    // Always posted, never dispatched: a handler that sends its next request
    // from inside a completion must not re-enter the machine.
    asio::post(strand_, [self = shared_from_this(), r = std::move(request)]() mutable {
        self->machine_.submit(std::move(r), Clock::now());
        self->do_start();
        self->pump();
    });
}

void Connection::add_ready_waiter(UniqueFunction<void(std::error_code)> w) {
    asio::post(strand_, [self = shared_from_this(), w = std::move(w)]() mutable {
        self->ready_waiters_.push_back(std::move(w));
        self->do_start();
        self->pump();
    });
}

void Connection::do_start() {
    if (machine_.state() != ConnectionMachine::State::idle) return;
    machine_.start(Clock::now());
    resolver_.async_resolve(host_, std::to_string(port_),
                            asio::bind_executor(strand_, [self = shared_from_this()](
                                                             std::error_code ec,
                                                             asio::ip::tcp::resolver::results_type results) {
                                self->on_resolved(ec, results);
                            }));
    pump();
}

void Connection::on_resolved(std::error_code ec, const asio::ip::tcp::resolver::results_type& results) {
    if (machine_.is_dead()) return;
    if (ec) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            error_detail_ = "cannot resolve " + host_ + ": " + ec.message();
        }
        machine_.on_error(client_errc::resolve_failed);
        return pump();
    }
    // Tries every address in turn, IPv6 and IPv4 alike; the machine's
    // deadline bounds the whole attempt.
    asio::async_connect(socket_, results,
                        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code e,
                                                                                 const asio::ip::tcp::endpoint&) {
                            self->on_connected(e);
                        }));
}

void Connection::on_connected(std::error_code ec) {
    if (machine_.is_dead()) return;
    if (ec) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            error_detail_ = "cannot connect to " + address_ + ": " + ec.message();
        }
        machine_.on_error(ec);
        return pump();
    }
    std::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    std::string local;
    auto ep = socket_.local_endpoint(ignored);
    if (!ignored) local = format_address(ep.address().to_string(), ep.port());
    machine_.on_connected(Clock::now(), local);
    start_read();
    pump();
}

void Connection::start_read() {
    socket_.async_read_some(asio::buffer(read_buf_),
                            asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, size_t n) {
                                if (self->machine_.is_dead()) return;
                                if (ec) {
                                    self->machine_.on_error(ec);
                                } else {
                                    self->machine_.on_read(ByteView(self->read_buf_.data(), n), Clock::now());
                                }
                                self->pump();
                                if (!self->machine_.is_dead()) self->start_read();
                            }));
}

void Connection::pump() {
    if (!machine_.write_in_progress() && !machine_.is_dead()) {
        write_frames_ = machine_.take_write(Clock::now());
        if (!write_frames_.empty()) {
            std::vector<asio::const_buffer> buffers;
            buffers.reserve(write_frames_.size());
            for (const auto& f : write_frames_) buffers.emplace_back(f.data(), f.size());
            asio::async_write(socket_, buffers,
                              asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, size_t) {
                                  self->write_frames_.clear();
                                  if (self->machine_.is_dead()) return;
                                  if (ec) self->machine_.on_error(ec);
                                  else self->machine_.on_write_done(Clock::now());
                                  self->pump();
                              }));
        }
    }

    auto done = machine_.take_completions();
    const auto state = machine_.state();
    const bool changed = state != state_.load();
    state_.store(state);
    in_flight_.store(machine_.in_flight());
    if (changed && state == ConnectionMachine::State::ready) {
        was_ready_ = true;
        std::lock_guard<std::mutex> lock(mu_);
        versions_ = machine_.broker_versions();
    }

    std::vector<UniqueFunction<void(std::error_code)>> waiters;
    std::error_code waiter_ec;
    if (state == ConnectionMachine::State::ready || state == ConnectionMachine::State::dead) {
        waiters = std::move(ready_waiters_);
        ready_waiters_.clear();
        if (state == ConnectionMachine::State::dead) waiter_ec = machine_.error();
    }

    bool notify_close = false;
    if (machine_.is_dead()) {
        if (!closed_) {
            closed_ = true;
            notify_close = true;
            {
                std::lock_guard<std::mutex> lock(mu_);
                error_ = machine_.error();
                if (error_detail_.empty()) error_detail_ = machine_.error_detail();
            }
            std::error_code ignored;
            resolver_.cancel();
            socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            socket_.close(ignored);
            timer_.cancel();
            armed_.reset();
        }
    } else {
        arm_timer();
    }

    // Handlers last, once our own state is settled: they may start new work.
    for (auto& c : done) c();
    for (auto& w : waiters) w(waiter_ec);
    if (notify_close && on_close_) {
        auto h = std::move(on_close_);
        on_close_ = nullptr;
        h(machine_.error(), was_ready_);
    }
}

void Connection::arm_timer() {
    auto deadline = machine_.next_deadline();
    if (deadline == armed_) return;
    armed_ = deadline;
    if (!deadline) {
        timer_.cancel();
        return;
    }
    timer_.expires_at(*deadline);
    timer_.async_wait(asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec) {
        if (ec == asio::error::operation_aborted || self->machine_.is_dead()) return;
        self->armed_.reset();
        self->machine_.on_timer(Clock::now());
        self->pump();
    }));
}

}  // namespace kafka::net
