// The logic of one broker connection, with no I/O. Inputs are calls (submit,
// connected, bytes read, write done, error, timer); outputs are what the
// caller must do next (take_write), when to wake it (next_deadline) and the
// requests that finished (take_completions). The Asio shell (connection.hpp)
// drives it; the scripted tests drive it without sockets.
//
// Life of a connection:
//   idle --start--> connecting --on_connected--> handshake --> ready --> dead
// The handshake is ApiVersions (newest version first, falling back when the
// broker answers UNSUPPORTED_VERSION), then SaslHandshake + SaslAuthenticate
// when SASL is configured. User requests wait in the queue until ready, then
// go out pipelined, up to max_in_flight at once, each at the highest version
// both sides support. Kafka answers in order on a connection, so responses are
// matched against the front of an in-order FIFO; anything else poisons the
// connection.
//
// Every way out goes through die(ec), exactly once: every queued and in-flight
// request fails, with connection_lost_not_sent or connection_lost_after_send
// so that callers know whether the broker may have seen it, and new
// submissions fail at once. A dead machine is never revived: reconnecting is
// the pool's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "net/config.hpp"
#include "net/frame.hpp"
#include "net/sasl.hpp"
#include "net/trace.hpp"
#include "net/unique_function.hpp"
#include "protocol/field_io.hpp"
#include "protocol/messages/api_versions.hpp"

namespace kafka::net {

using Clock = std::chrono::steady_clock;

// A response as it came off the wire, header already checked.
struct ResponseFrame {
    Bytes frame;             // without the size prefix
    size_t body_offset = 0;  // where the body starts, after the response header
    int16_t api_key = -1;
    int16_t api_version = -1;
    ByteView body() const { return ByteView(frame).subview(body_offset); }
};

using ResponseHandler = UniqueFunction<void(std::error_code, ResponseFrame)>;
// Writes a request body at the version negotiated for this connection. Clears
// `expects_response` for a request the broker does not answer (acks=0 produce).
using BodyEncoder = UniqueFunction<std::error_code(int16_t version, Writer& w, bool& expects_response)>;

struct OutgoingRequest {
    int16_t api_key = -1;
    VersionRange versions{0, 0};  // the versions our codec implements
    int16_t first_flexible = kNeverFlexible;
    BodyEncoder encode;
    std::chrono::milliseconds timeout{0};  // 0: ConnectionOptions::request_timeout
    ResponseHandler handler;  // called exactly once
};

// A finished request: call it to run its handler.
struct Completion {
    ResponseHandler handler;
    std::error_code ec;
    ResponseFrame response;
    void operator()() { handler(ec, std::move(response)); }
};

class ConnectionMachine {
public:
    enum class State { idle, connecting, handshake, ready, dead };

    // `broker` names the peer in traces ("host:port"). `observer` may be null.
    explicit ConnectionMachine(ConnectionOptions options, std::string broker = {},
                               std::shared_ptr<FrameObserver> observer = nullptr, uint64_t id = 0);
    ~ConnectionMachine();
    ConnectionMachine(const ConnectionMachine&) = delete;
    ConnectionMachine& operator=(const ConnectionMachine&) = delete;

    // ---- inputs
    void start(Clock::time_point now);  // the caller begins resolve + connect
    void on_connected(Clock::time_point now, std::string_view local_address = {});
    void submit(OutgoingRequest request, Clock::time_point now);
    // Frames to write now, oldest first; empty when there is nothing to write
    // or a write is already under way. Requests taken count as sent from here.
    std::vector<Bytes> take_write(Clock::time_point now);
    void on_write_done(Clock::time_point now);
    void on_read(ByteView data, Clock::time_point now);
    void on_error(std::error_code ec);  // resolve, connect, read or write failed
    void on_timer(Clock::time_point now);
    void close();  // die(shutting_down)

    // ---- outputs
    std::vector<Completion> take_completions();
    std::optional<Clock::time_point> next_deadline() const;
    State state() const { return state_; }
    bool is_dead() const { return state_ == State::dead; }
    bool is_ready() const { return state_ == State::ready; }
    bool write_in_progress() const { return writing_; }
    // Why the connection died; empty while alive.
    std::error_code error() const { return error_; }
    // More words on the error, safe to log (e.g. the broker's SASL message).
    const std::string& error_detail() const { return error_detail_; }
    // The version to use for an API, once ApiVersions has been answered.
    std::optional<int16_t> negotiate(int16_t api_key, VersionRange ours) const;
    const std::vector<ApiVersionsResponse::ApiVersion>& broker_versions() const { return broker_versions_; }
    size_t queued() const { return queue_.size(); }
    size_t in_flight() const { return inflight_.size() + writing_noresp_.size(); }
    uint64_t id() const { return id_; }
    const std::string& broker() const { return broker_; }

private:
    enum class Kind : uint8_t { user, api_versions, sasl_handshake, sasl_authenticate, sasl_raw };
    struct Entry {
        Kind kind = Kind::user;
        OutgoingRequest req;
        int16_t version = 0;
        int32_t correlation_id = 0;
        bool expects_response = true;
        Clock::time_point deadline;
        Clock::time_point sent_at;
        Bytes frame;  // control requests are encoded up front
    };

    void die(std::error_code ec);
    void fail(Entry& e, std::error_code ec);
    void complete(Entry& e, std::error_code ec, ResponseFrame frame);
    int32_t next_correlation_id();
    void handle_frame(Bytes frame, Clock::time_point now);
    void observe_request(const Entry& e, ByteView frame);
    void observe_response(const Entry& e, ByteView frame, Clock::time_point now);

    // handshake steps
    void send_api_versions(int16_t version, Clock::time_point now);
    void on_api_versions(const Entry& e, ByteView body, Clock::time_point now);
    void after_api_versions(Clock::time_point now);
    void send_sasl_handshake(Clock::time_point now);
    void on_sasl_handshake(const Entry& e, ByteView body, Clock::time_point now);
    void send_sasl_token(Bytes token, Clock::time_point now);
    void on_sasl_token(ByteView server_token, Clock::time_point now);
    void on_sasl_authenticate(const Entry& e, ByteView body, Clock::time_point now);
    void push_control(Kind kind, int16_t api_key, int16_t version, int16_t first_flexible, Bytes frame,
                      int32_t correlation_id, Clock::time_point now);
    void become_ready();

    ConnectionOptions opts_;
    std::string broker_;
    std::shared_ptr<FrameObserver> observer_;
    uint64_t id_;
    State state_ = State::idle;
    std::error_code error_;
    std::string error_detail_;
    Clock::time_point connect_deadline_;
    FrameReader reader_;
    int32_t next_corr_ = 1;
    bool writing_ = false;

    std::deque<Entry> control_;          // handshake requests not yet written
    std::deque<Entry> queue_;            // user requests not yet written
    std::deque<Entry> inflight_;         // written (or being written), awaiting a response, in order
    std::vector<Entry> writing_noresp_;  // being written, no response expected
    std::vector<Completion> completions_;

    std::vector<ApiVersionsResponse::ApiVersion> broker_versions_;
    int16_t api_versions_tried_ = -1;
    bool sasl_authenticate_headers_ = false;  // SaslHandshake v1+: tokens go in SaslAuthenticate
    int16_t sasl_authenticate_version_ = 0;
    std::unique_ptr<SaslAuthenticator> sasl_;
};

const char* state_name(ConnectionMachine::State s) noexcept;

}  // namespace kafka::net
