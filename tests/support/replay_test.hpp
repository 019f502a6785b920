// Helpers for replay tests: a recorded conversation served by a ReplayBroker,
// and our net::Connection talking to it, every wait bounded.
#pragma once

#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "net/connection.hpp"
#include "protocol/header.hpp"
#include "tests/support/replay_broker.hpp"

namespace kafka::test {

// A recorded frame's message, its header skipped: request_of<M>(frame) for a
// request, response_of<M>(frame) for a response.
template <class M>
M decode_at(const KcapFrame& f, int16_t header_version) {
    Reader r{ByteView(f.bytes)};
    if (f.request) {
        auto h = RequestHeader::decode(r, header_version);
        REQUIRE(h.has_value());
    } else {
        auto h = ResponseHeader::decode(r, header_version);
        REQUIRE(h.has_value());
    }
    auto m = M::decode(r, f.version);
    REQUIRE_MESSAGE(m.has_value(), "line " << f.line);
    return std::move(*m);
}

template <class M>
M request_of(const KcapFrame& f) {
    return decode_at<M>(f, request_header_version(f.api_key, f.version, M::first_flexible));
}
template <class M>
M response_of(const KcapFrame& f) {
    return decode_at<M>(f, response_header_version(f.api_key, f.version, M::first_flexible));
}


inline std::string capture_path(const std::string& rel) {
    return std::string(KAFKA_TESTDATA_DIR) + "/captures/" + rel;
}

inline KcapFile load_capture(const std::string& rel) {
    try {
        return load_kcap_file(capture_path(rel));
    } catch (const std::exception& e) {
        FAIL(e.what());
    }
    return {};
}

// Runs `io` until `done()` or the time limit.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(10));
    }
    return done();
}

// One request's outcome.
template <class Resp>
struct Reply {
    bool done = false;
    std::error_code ec;
    Resp response;
};

// A Connection to a replay broker, driven from the test's thread.
class ReplayClient {
public:
    explicit ReplayClient(const ReplayBroker& broker, net::ConnectionOptions options = {}) {
        options.request_timeout = std::chrono::seconds(5);
        options.connect_timeout = std::chrono::seconds(5);
        conn = net::Connection::create(io.get_executor(), "127.0.0.1", broker.port(), std::move(options));
    }
    ~ReplayClient() {
        conn->close();
        run_until(io, [&] { return conn->is_dead(); }, std::chrono::seconds(2));
    }
    ReplayClient(const ReplayClient&) = delete;
    ReplayClient& operator=(const ReplayClient&) = delete;

    // Starts a request; its reply fills in as the io_context runs.
    template <class Req>
    std::shared_ptr<Reply<typename Req::response_type>> start(Req req) {
        auto reply = std::make_shared<Reply<typename Req::response_type>>();
        conn->async_request(std::move(req), [reply](std::error_code ec, typename Req::response_type r) {
            reply->ec = ec;
            reply->response = std::move(r);
            reply->done = true;
        });
        return reply;
    }

    template <class R>
    bool wait(const std::shared_ptr<R>& reply) {
        return run_until(io, [&] { return reply->done; });
    }

    // Sends one request and waits for its reply.
    template <class Req>
    Reply<typename Req::response_type> call(Req req) {
        auto reply = start(std::move(req));
        REQUIRE_MESSAGE(wait(reply), "no reply within the time limit");
        return std::move(*reply);
    }

    asio::io_context io;
    std::shared_ptr<net::Connection> conn;
};

}  // namespace kafka::test
