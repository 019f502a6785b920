#include "net/pool.hpp"

#include <algorithm>

namespace kafka::net {

Pool::Pool(asio::any_io_executor io, asio::any_io_executor owner, const NetConfig& config,
           std::shared_ptr<FrameObserver> observer)
    : io_(std::move(io)), owner_(std::move(owner)), config_(config), observer_(std::move(observer)) {}

Pool::~Pool() {
    *alive_ = false;
    close_all();
}

Clock::duration Pool::backoff(int failures, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                              double jitter01) {
    if (failures <= 0) return Clock::duration::zero();
    double ms = static_cast<double>(base.count());
    for (int i = 1; i < failures && ms < static_cast<double>(cap.count()); ++i) ms *= 2;
    ms = std::min(ms, static_cast<double>(cap.count()));
    ms *= 0.8 + 0.4 * std::clamp(jitter01, 0.0, 1.0);  // +-20%: reconnecting clients do not move in lockstep
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(ms));
}

void Pool::set_broker(int32_t id, const std::string& host, uint16_t port) {
    auto it = addresses_.find(id);
    if (it != addresses_.end() && it->second.host == host && it->second.port == port) return;
    addresses_[id] = HostPort{host, port};
    for (int p = 0; p < kPurposeCount; ++p) {
        auto s = slots_.find({id, p});
        if (s == slots_.end() || !s->second.conn) continue;
        s->second.conn->close();
        s->second.conn.reset();
        ++s->second.generation;
        s->second.failures = 0;
    }
}

Pool::Lease Pool::get(int32_t id, Purpose purpose, Clock::time_point now) {
    Lease lease;
    if (closed_) {
        lease.ec = client_errc::shutting_down;
        return lease;
    }
    auto addr = addresses_.find(id);
    if (addr == addresses_.end()) {
        lease.ec = client_errc::connect_failed;  // no such broker in the metadata
        return lease;
    }
    Slot& slot = slots_[{id, static_cast<int>(purpose)}];
    if (slot.conn && !slot.conn->is_dead()) {
        lease.conn = slot.conn;
        return lease;
    }
    slot.conn.reset();
    if (now < slot.next_attempt) {
        lease.wait = slot.next_attempt - now;
        return lease;
    }
    auto conn = Connection::create(io_, addr->second.host, addr->second.port, config_.connection, observer_);
    uint64_t gen = ++slot.generation;
    std::weak_ptr<bool> alive = alive_;
    conn->set_close_handler([this, alive, owner = owner_, id, purpose, gen](std::error_code, bool was_ready) {
        asio::post(owner, [this, alive, id, purpose, gen, was_ready] {
            if (auto a = alive.lock(); a && *a) on_dead(id, purpose, gen, was_ready);
        });
    });
    conn->start();
    slot.conn = conn;
    lease.conn = std::move(conn);
    return lease;
}

void Pool::on_dead(int32_t id, Purpose purpose, uint64_t generation, bool was_ready) {
    auto it = slots_.find({id, static_cast<int>(purpose)});
    if (it == slots_.end() || it->second.generation != generation) return;
    Slot& slot = it->second;
    slot.conn.reset();
    // A connection that worked and then dropped is retried soon; one that never
    // got through its handshake backs off further each time.
    slot.failures = was_ready ? 1 : slot.failures + 1;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    slot.next_attempt =
        Clock::now() + backoff(slot.failures, config_.reconnect_backoff, config_.reconnect_backoff_max, u(rng_));
}

std::pair<int32_t, std::shared_ptr<Connection>> Pool::any_ready() const {
    for (const auto& [key, slot] : slots_) {
        if (key.second == static_cast<int>(Purpose::general) && slot.conn && slot.conn->is_ready())
            return {key.first, slot.conn};
    }
    return {-1, nullptr};
}

void Pool::close_all() {
    closed_ = true;
    for (auto& [key, slot] : slots_) {
        if (slot.conn) slot.conn->close();
        slot.conn.reset();
    }
}

}  // namespace kafka::net
