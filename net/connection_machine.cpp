#include "net/connection_machine.hpp"

#include <algorithm>

#include "protocol/header.hpp"
#include "protocol/messages/sasl.hpp"

namespace kafka::net {
namespace {

constexpr int16_t kApiVersionsKey = 18;
constexpr int16_t kSaslHandshakeKey = 17;
constexpr int16_t kSaslAuthenticateKey = 36;
constexpr int16_t kRawSaslToken = -1;  // pseudo key of a raw token after SaslHandshake v0

// Causes that say more than "the connection went away" to a request that was
// never written: retrying on a new connection would fail the same way.
bool is_definitive(std::error_code ec) {
    return ec == client_errc::authentication_failed || ec == client_errc::no_version_in_common ||
           ec == client_errc::shutting_down || ec.category() == broker_category();
}

}  // namespace

const char* state_name(ConnectionMachine::State s) noexcept {
    switch (s) {
    case ConnectionMachine::State::idle: return "idle";
    case ConnectionMachine::State::connecting: return "connecting";
    case ConnectionMachine::State::handshake: return "handshake";
    case ConnectionMachine::State::ready: return "ready";
    case ConnectionMachine::State::dead: return "dead";
    }
    return "?";
}

ConnectionMachine::ConnectionMachine(ConnectionOptions options, std::string broker,
                                     std::shared_ptr<FrameObserver> observer, uint64_t id)
    : opts_(std::move(options)),
      broker_(std::move(broker)),
      observer_(std::move(observer)),
      id_(id),
      reader_(opts_.max_response_size) {
    if (opts_.max_in_flight == 0) opts_.max_in_flight = 1;
}

ConnectionMachine::~ConnectionMachine() {
    // Whoever drops a live machine still owes every request an answer.
    die(client_errc::shutting_down);
}

// ---------------------------------------------------------------- inputs

void ConnectionMachine::start(Clock::time_point now) {
    if (state_ != State::idle) return;
    state_ = State::connecting;
    connect_deadline_ = now + opts_.connect_timeout;
}

void ConnectionMachine::on_connected(Clock::time_point now, std::string_view local_address) {
    if (state_ != State::connecting) return;
    state_ = State::handshake;
    if (observer_) observer_->on_connect(id_, local_address, broker_);
    send_api_versions(ApiVersionsRequest::versions.max, now);
}

void ConnectionMachine::submit(OutgoingRequest request, Clock::time_point now) {
    Entry e;
    e.kind = Kind::user;
    auto timeout = request.timeout.count() > 0 ? request.timeout : opts_.request_timeout;
    e.deadline = now + timeout;
    e.req = std::move(request);
    if (state_ == State::dead) {
        fail(e, is_definitive(error_) ? error_ : make_error_code(client_errc::connection_lost_not_sent));
        return;
    }
    queue_.push_back(std::move(e));
}

std::vector<Bytes> ConnectionMachine::take_write(Clock::time_point now) {
    std::vector<Bytes> out;
    if (writing_ || (state_ != State::handshake && state_ != State::ready)) return out;

    while (!control_.empty()) {
        Entry e = std::move(control_.front());
        control_.pop_front();
        e.sent_at = now;
        observe_request(e, e.kind == Kind::sasl_raw ? ByteView(e.frame) : ByteView(e.frame).subview(4));
        if (e.kind == Kind::sasl_raw) {
            // A raw token is framed by its size alone.
            Writer w;
            w.i32(static_cast<int32_t>(e.frame.size()));
            w.raw(e.frame);
            out.push_back(w.take());
        } else {
            out.push_back(std::move(e.frame));
        }
        e.frame.clear();
        inflight_.push_back(std::move(e));
    }

    if (state_ == State::ready) {
        while (!queue_.empty() && inflight_.size() < opts_.max_in_flight) {
            Entry e = std::move(queue_.front());
            queue_.pop_front();
            auto version = negotiate(e.req.api_key, e.req.versions);
            if (!version) {
                fail(e, client_errc::no_version_in_common);
                continue;
            }
            e.version = *version;
            Writer w;
            RequestHeader h;
            h.request_api_key = e.req.api_key;
            h.request_api_version = e.version;
            h.correlation_id = next_correlation_id();
            h.client_id = opts_.client_id;
            size_t at = begin_request_frame(
                w, h, request_header_version(e.req.api_key, e.version, e.req.first_flexible));
            std::error_code ec = e.req.encode(e.version, w, e.expects_response);
            if (!ec && !w.ok()) ec = w.error();
            if (ec) {
                fail(e, ec);  // never written: the connection is fine
                continue;
            }
            finish_frame(w, at);
            e.correlation_id = h.correlation_id;
            e.sent_at = now;
            Bytes frame = w.take();
            observe_request(e, ByteView(frame).subview(4));
            out.push_back(std::move(frame));
            if (e.expects_response) inflight_.push_back(std::move(e));
            else writing_noresp_.push_back(std::move(e));
        }
    }
    if (!out.empty()) writing_ = true;
    return out;
}

void ConnectionMachine::on_write_done(Clock::time_point) {
    if (state_ == State::dead) return;
    writing_ = false;
    // acks=0: written is all the answer there will be.
    for (auto& e : writing_noresp_) complete(e, {}, ResponseFrame{{}, 0, e.req.api_key, e.version});
    writing_noresp_.clear();
}

void ConnectionMachine::on_read(ByteView data, Clock::time_point now) {
    if (state_ != State::handshake && state_ != State::ready) return;
    reader_.append(data);
    while (state_ != State::dead) {
        auto frame = reader_.next();
        if (!frame) {
            if (reader_.error()) die(reader_.error());
            break;
        }
        handle_frame(std::move(*frame), now);
    }
}

void ConnectionMachine::on_error(std::error_code ec) { die(ec ? ec : make_error_code(client_errc::connect_failed)); }

void ConnectionMachine::on_timer(Clock::time_point now) {
    if (state_ == State::dead || state_ == State::idle) return;
    if (state_ == State::connecting && now >= connect_deadline_) {
        error_detail_ = "connect timed out";
        die(client_errc::timed_out);
        return;
    }
    // A request the broker has (or may have) seen and not answered in time:
    // the connection is stuck, and its replies can no longer be trusted.
    auto expired = [&](const Entry& e) { return e.deadline <= now; };
    for (auto* list : {&inflight_, &control_}) {
        auto it = std::find_if(list->begin(), list->end(), expired);
        if (it != list->end()) {
            Entry e = std::move(*it);
            list->erase(it);
            fail(e, client_errc::timed_out);
            error_detail_ = "request timed out";
            die(client_errc::timed_out);
            return;
        }
    }
    auto it = std::find_if(writing_noresp_.begin(), writing_noresp_.end(), expired);
    if (it != writing_noresp_.end()) {
        Entry e = std::move(*it);
        writing_noresp_.erase(it);
        fail(e, client_errc::timed_out);
        error_detail_ = "write timed out";
        die(client_errc::timed_out);
        return;
    }
    // Never written: these fail alone; the connection may be slow to come up.
    for (auto q = queue_.begin(); q != queue_.end();) {
        if (expired(*q)) {
            fail(*q, client_errc::timed_out);
            q = queue_.erase(q);
        } else {
            ++q;
        }
    }
}

void ConnectionMachine::close() {
    if (state_ != State::dead) error_detail_ = "closed";
    die(client_errc::shutting_down);
}

// ---------------------------------------------------------------- outputs

std::vector<Completion> ConnectionMachine::take_completions() { return std::exchange(completions_, {}); }

std::optional<Clock::time_point> ConnectionMachine::next_deadline() const {
    if (state_ == State::dead || state_ == State::idle) return std::nullopt;
    std::optional<Clock::time_point> d;
    auto consider = [&](Clock::time_point t) {
        if (!d || t < *d) d = t;
    };
    if (state_ == State::connecting) consider(connect_deadline_);
    for (const auto& e : control_) consider(e.deadline);
    for (const auto& e : inflight_) consider(e.deadline);
    for (const auto& e : writing_noresp_) consider(e.deadline);
    for (const auto& e : queue_) consider(e.deadline);
    return d;
}

std::optional<int16_t> ConnectionMachine::negotiate(int16_t api_key, VersionRange ours) const {
    for (const auto& a : broker_versions_) {
        if (a.api_key != api_key) continue;
        int16_t hi = std::min(a.max_version, ours.max);
        int16_t lo = std::max(a.min_version, ours.min);
        if (hi < lo) return std::nullopt;
        return hi;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------- teardown

void ConnectionMachine::die(std::error_code ec) {
    if (state_ == State::dead) return;
    state_ = State::dead;
    error_ = ec;
    writing_ = false;
    const std::error_code after = client_errc::connection_lost_after_send;
    const std::error_code before = is_definitive(ec) ? ec : make_error_code(client_errc::connection_lost_not_sent);
    for (auto& e : inflight_) fail(e, after);
    for (auto& e : writing_noresp_) fail(e, after);
    for (auto& e : queue_) fail(e, before);
    inflight_.clear();
    writing_noresp_.clear();
    queue_.clear();
    control_.clear();
    sasl_.reset();
}

void ConnectionMachine::fail(Entry& e, std::error_code ec) { complete(e, ec, ResponseFrame{}); }

void ConnectionMachine::complete(Entry& e, std::error_code ec, ResponseFrame frame) {
    if (e.kind != Kind::user || !e.req.handler) return;
    completions_.push_back(Completion{std::move(e.req.handler), ec, std::move(frame)});
    e.req.handler = nullptr;
}

int32_t ConnectionMachine::next_correlation_id() {
    int32_t id = next_corr_;
    next_corr_ = next_corr_ == INT32_MAX ? 1 : next_corr_ + 1;
    return id;
}

// ---------------------------------------------------------------- reading

void ConnectionMachine::handle_frame(Bytes frame, Clock::time_point now) {
    if (inflight_.empty()) {
        error_detail_ = "a response nobody asked for";
        die(client_errc::correlation_mismatch);
        return;
    }
    if (inflight_.front().kind == Kind::sasl_raw) {
        // After SaslHandshake v0 the server's tokens come bare, without a header.
        Entry e = std::move(inflight_.front());
        inflight_.pop_front();
        observe_response(e, frame, now);
        on_sasl_token(frame, now);
        return;
    }
    Entry& front = inflight_.front();
    const int16_t key = front.req.api_key;
    Reader r(frame);
    auto header = ResponseHeader::decode(r, response_header_version(key, front.version, front.req.first_flexible));
    if (!header) {
        error_detail_ = "response header too short";
        die(client_errc::malformed);
        return;
    }
    if (header->correlation_id != front.correlation_id) {
        error_detail_ = "expected correlation id " + std::to_string(front.correlation_id) + ", got " +
                        std::to_string(header->correlation_id);
        die(client_errc::correlation_mismatch);
        return;
    }
    Entry e = std::move(front);
    inflight_.pop_front();
    observe_response(e, frame, now);
    size_t body_at = r.position();
    ByteView body = ByteView(frame).subview(body_at);
    switch (e.kind) {
    case Kind::user:
        complete(e, {}, ResponseFrame{std::move(frame), body_at, e.req.api_key, e.version});
        break;
    case Kind::api_versions: on_api_versions(e, body, now); break;
    case Kind::sasl_handshake: on_sasl_handshake(e, body, now); break;
    case Kind::sasl_authenticate: on_sasl_authenticate(e, body, now); break;
    case Kind::sasl_raw: break;  // handled above
    }
}

void ConnectionMachine::observe_request(const Entry& e, ByteView frame) {
    if (!observer_) return;
    FrameInfo info{broker_, id_, e.req.api_key, e.version, e.correlation_id, false};
    if (e.kind == Kind::sasl_authenticate || e.kind == Kind::sasl_raw) {
        info.redacted = true;
        frame = {};
    }
    observer_->on_request(info, frame);
}

void ConnectionMachine::observe_response(const Entry& e, ByteView frame, Clock::time_point now) {
    if (!observer_) return;
    FrameInfo info{broker_, id_, e.req.api_key, e.version, e.correlation_id, false};
    if (e.kind == Kind::sasl_authenticate || e.kind == Kind::sasl_raw) {
        info.redacted = true;
        frame = {};
    }
    observer_->on_response(info, frame, std::chrono::duration_cast<std::chrono::microseconds>(now - e.sent_at));
}

// ---------------------------------------------------------------- handshake

void ConnectionMachine::push_control(Kind kind, int16_t api_key, int16_t version, int16_t first_flexible,
                                     Bytes frame, int32_t correlation_id, Clock::time_point now) {
    Entry e;
    e.kind = kind;
    e.req.api_key = api_key;
    e.req.first_flexible = first_flexible;
    e.version = version;
    e.correlation_id = correlation_id;
    e.deadline = now + opts_.request_timeout;
    e.frame = std::move(frame);
    control_.push_back(std::move(e));
}

template <class Req>
static Bytes encode_control(const Req& req, int16_t version, int32_t corr, const std::string& client_id,
                            std::error_code& ec) {
    Writer w;
    RequestHeader h;
    h.request_api_key = Req::key;
    h.request_api_version = version;
    h.correlation_id = corr;
    h.client_id = client_id;
    size_t at = begin_request_frame(w, h, request_header_version(Req::key, version, Req::first_flexible));
    req.encode(w, version);
    finish_frame(w, at);
    ec = w.error();
    return w.take();
}

void ConnectionMachine::send_api_versions(int16_t version, Clock::time_point now) {
    api_versions_tried_ = version;
    ApiVersionsRequest req;
    if (version >= 3) {  // KIP-511: who we are, for the broker's metrics
        req.client_software_name = opts_.client_software_name;
        req.client_software_version = opts_.client_software_version;
    }
    std::error_code ec;
    int32_t corr = next_correlation_id();
    Bytes frame = encode_control(req, version, corr, opts_.client_id, ec);
    if (ec) return die(ec);
    push_control(Kind::api_versions, kApiVersionsKey, version, ApiVersionsRequest::first_flexible, std::move(frame),
                 corr, now);
}

void ConnectionMachine::on_api_versions(const Entry& e, ByteView body, Clock::time_point now) {
    // Read the error code before anything else: a broker that does not know
    // our version cannot be trusted to have written the rest in it.
    Reader head(body);
    int16_t error_code = head.i16();
    if (!head.ok()) {
        error_detail_ = "ApiVersions response too short";
        return die(client_errc::malformed);
    }
    if (error_code == static_cast<int16_t>(errc::unsupported_version)) {
        // KIP-511: the broker answers a version it does not know with
        // UNSUPPORTED_VERSION and a v0 body listing the ApiVersions range it
        // does support; retry at that version, or at v0 when the body lists
        // nothing we can read. Not every broker writes that body as v0 (the
        // librdkafka mocks do not; ApiVersionsResponse::decode knows their
        // layouts), so read it as v0 and then as the version we asked for.
        int16_t retry = 0;
        for (int16_t as : {int16_t{0}, e.version}) {
            Reader rv(body);
            auto listed = ApiVersionsResponse::decode(rv, as);
            const auto* mine = listed ? listed->find(kApiVersionsKey) : nullptr;
            if (mine) {
                retry = std::min(mine->max_version, ApiVersionsRequest::versions.max);
                break;
            }
        }
        if (retry >= e.version) retry = static_cast<int16_t>(e.version - 1);
        if (retry < 0) {
            error_detail_ = "broker rejects ApiVersions v0";
            return die(client_errc::no_version_in_common);
        }
        return send_api_versions(retry, now);
    }
    if (error_code != 0) {
        error_detail_ = "ApiVersions failed";
        return die(broker_error(error_code));
    }
    Reader r(body);
    auto resp = ApiVersionsResponse::decode(r, e.version);
    if (!resp) {
        error_detail_ = "cannot decode ApiVersions v" + std::to_string(e.version) + " response";
        return die(resp.error());
    }
    broker_versions_ = std::move(resp->api_keys);
    after_api_versions(now);
}

void ConnectionMachine::after_api_versions(Clock::time_point now) {
    if (opts_.sasl) return send_sasl_handshake(now);
    become_ready();
}

void ConnectionMachine::send_sasl_handshake(Clock::time_point now) {
    auto version = negotiate(kSaslHandshakeKey, SaslHandshakeRequest::versions);
    if (!version) {
        error_detail_ = "broker does not offer SaslHandshake";
        return die(client_errc::authentication_failed);
    }
    // KIP-152: with SaslHandshake v1 the tokens travel inside SaslAuthenticate
    // requests; after v0 they go bare, framed by their size alone.
    sasl_authenticate_headers_ = false;
    if (*version >= 1) {
        auto av = negotiate(kSaslAuthenticateKey, SaslAuthenticateRequest::versions);
        if (av) {
            sasl_authenticate_headers_ = true;
            sasl_authenticate_version_ = *av;
        } else {
            version = 0;
        }
    }
    SaslHandshakeRequest req;
    req.mechanism = sasl_mechanism_name(opts_.sasl->mechanism);
    std::error_code ec;
    int32_t corr = next_correlation_id();
    Bytes frame = encode_control(req, *version, corr, opts_.client_id, ec);
    if (ec) return die(ec);
    push_control(Kind::sasl_handshake, kSaslHandshakeKey, *version, SaslHandshakeRequest::first_flexible,
                 std::move(frame), corr, now);
}

void ConnectionMachine::on_sasl_handshake(const Entry& e, ByteView body, Clock::time_point now) {
    Reader r(body);
    auto resp = SaslHandshakeResponse::decode(r, e.version);
    if (!resp) {
        error_detail_ = "cannot decode SaslHandshake response";
        return die(resp.error());
    }
    if (resp->error_code != 0) {
        std::string offered;
        for (const auto& m : resp->mechanisms) offered += (offered.empty() ? "" : ",") + m;
        error_detail_ = std::string("SASL mechanism ") + sasl_mechanism_name(opts_.sasl->mechanism) +
                        " refused; broker offers [" + offered + "]";
        return die(broker_error(resp->error_code));
    }
    sasl_ = make_sasl_authenticator(*opts_.sasl);
    auto first = sasl_->first();
    if (!first) {
        error_detail_ = "SASL client failed";
        return die(client_errc::authentication_failed);
    }
    send_sasl_token(std::move(*first), now);
}

void ConnectionMachine::send_sasl_token(Bytes token, Clock::time_point now) {
    int32_t corr = 0;
    if (!sasl_authenticate_headers_) {
        push_control(Kind::sasl_raw, kRawSaslToken, 0, kNeverFlexible, std::move(token), corr, now);
        return;
    }
    SaslAuthenticateRequest req;
    req.auth_bytes = std::move(token);
    std::error_code ec;
    corr = next_correlation_id();
    Bytes frame = encode_control(req, sasl_authenticate_version_, corr, opts_.client_id, ec);
    if (ec) return die(ec);
    push_control(Kind::sasl_authenticate, kSaslAuthenticateKey, sasl_authenticate_version_,
                 SaslAuthenticateRequest::first_flexible, std::move(frame), corr, now);
}

void ConnectionMachine::on_sasl_authenticate(const Entry& e, ByteView body, Clock::time_point now) {
    Reader r(body);
    auto resp = SaslAuthenticateResponse::decode(r, e.version);
    if (!resp) {
        error_detail_ = "cannot decode SaslAuthenticate response";
        return die(resp.error());
    }
    if (resp->error_code != 0) {
        // The broker's message is about the attempt ("Authentication failed
        // during authentication due to invalid credentials with SASL
        // mechanism SCRAM-SHA-256"), never the password itself.
        error_detail_ = std::string(broker_error_name(resp->error_code));
        if (resp->error_message) error_detail_ += ": " + *resp->error_message;
        return die(client_errc::authentication_failed);
    }
    // KIP-368 session_lifetime_ms: we do not re-authenticate; the broker
    // closes the connection when the session ends and the pool reconnects.
    on_sasl_token(resp->auth_bytes, now);
}

void ConnectionMachine::on_sasl_token(ByteView server_token, Clock::time_point now) {
    if (!sasl_) return die(client_errc::authentication_failed);
    auto step = sasl_->next(server_token);
    if (!step) {
        error_detail_ = "SASL exchange failed (" + step.error().message() + ")";
        return die(client_errc::authentication_failed);
    }
    if (*step) return send_sasl_token(std::move(**step), now);
    sasl_.reset();
    become_ready();
}

void ConnectionMachine::become_ready() {
    if (state_ == State::handshake) state_ = State::ready;
}

}  // namespace kafka::net
