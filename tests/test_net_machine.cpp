// Scripted connection tests: no sockets. Each script says "expect this write,
// feed that read"; then the same script is re-run with a network error
// injected before every step (and in the middle of every write), and every
// request must be completed or failed exactly once, with an error that tells
// truthfully whether its bytes went out.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "net/connection_machine.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/sasl.hpp"
#include "protocol/registry.hpp"
#include "tests/support/scram_server.hpp"

using namespace kafka;
using namespace kafka::net;
using namespace std::chrono_literals;

namespace {

// ------------------------------------------------------------ frame builders

Bytes request_frame(int16_t key, int16_t version, int32_t corr, const Bytes& body, bool flexible) {
    Writer w;
    RequestHeader h;
    h.request_api_key = key;
    h.request_api_version = version;
    h.correlation_id = corr;
    h.client_id = "kafka-cpp";
    size_t at = begin_request_frame(w, h, flexible ? 2 : 1);
    w.raw(body);
    finish_frame(w, at);
    return w.take();
}

Bytes response_frame(int32_t corr, const Bytes& body, bool flexible_header = false) {
    Writer w;
    size_t at = w.reserve_i32();
    w.i32(corr);
    if (flexible_header) w.uvarint(0);
    w.raw(body);
    w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
    return w.take();
}

Bytes hex(const std::string& s) {
    Bytes out;
    int hi = -1;
    for (char c : s) {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
        if (v < 0) continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<uint8_t>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

struct Range {
    int16_t key, min, max;
};

Bytes api_versions_body(int16_t version, std::vector<Range> ranges, int16_t error = 0) {
    ApiVersionsResponse r;
    r.error_code = error;
    for (auto& x : ranges) {
        ApiVersionsResponse::ApiVersion a;
        a.api_key = x.key;
        a.min_version = x.min;
        a.max_version = x.max;
        r.api_keys.push_back(a);
    }
    Writer w;
    r.encode(w, version);
    REQUIRE(w.ok());
    return w.take();
}

Bytes api_versions_request_body(int16_t version) {
    ApiVersionsRequest r;
    if (version >= 3) {
        r.client_software_name = "kafka-cpp";
        r.client_software_version = "0.1.0";
    }
    Writer w;
    r.encode(w, version);
    return w.take();
}

const std::vector<Range> kBroker = {{18, 0, 3}, {3, 0, 2}, {0, 0, 7}, {1, 0, 11}};

// The request under test: a fake Metadata-keyed request whose body is a
// marker, so the harness can see in the written bytes which request went out.
Bytes marker(int i) { return {'R', 'E', 'Q', static_cast<uint8_t>(i), 0x5a}; }

// ------------------------------------------------------------ the harness

struct Outcome {
    int calls = 0;
    std::error_code ec;
    ResponseFrame frame;
};

struct Step {
    enum class Op { submit, write, read, advance, close } op = Op::submit;
    Bytes bytes;            // write: expected bytes; read: bytes fed
    int request = -1;       // submit: index of the request
    int16_t api_key = 3;    // submit
    VersionRange versions{0, 12};
    bool expects_response = true;
    std::chrono::milliseconds ms{0};
};

Step make_step(Step::Op op, Bytes bytes = {}) {
    Step s;
    s.op = op;
    s.bytes = std::move(bytes);
    return s;
}
Step submit(int i, VersionRange v = {0, 12}, bool expects_response = true, std::chrono::milliseconds timeout = 0ms) {
    Step s = make_step(Step::Op::submit);
    s.request = i;
    s.versions = v;
    s.expects_response = expects_response;
    s.ms = timeout;
    return s;
}
Step expect_write(Bytes b) { return make_step(Step::Op::write, std::move(b)); }
Step feed(Bytes b) { return make_step(Step::Op::read, std::move(b)); }
Step advance(std::chrono::milliseconds ms) {
    Step s = make_step(Step::Op::advance);
    s.ms = ms;
    return s;
}

ConnectionOptions test_options() {
    ConnectionOptions o;
    o.request_timeout = 1000ms;
    o.connect_timeout = 500ms;
    o.max_in_flight = 4;
    o.max_response_size = 1 << 20;
    return o;
}

// Records every frame the observer sees.
struct Recorder : FrameObserver {
    std::vector<Bytes> requests, responses;
    std::vector<FrameInfo> infos;
    void on_request(const FrameInfo& i, ByteView f) override {
        infos.push_back(i);
        requests.emplace_back(f.begin(), f.end());
    }
    void on_response(const FrameInfo& i, ByteView f, std::chrono::microseconds) override {
        infos.push_back(i);
        responses.emplace_back(f.begin(), f.end());
    }
};

struct Harness {
    explicit Harness(ConnectionOptions o = test_options(), std::shared_ptr<FrameObserver> obs = nullptr)
        : m(std::move(o), "broker:9092", std::move(obs), 1) {}

    ConnectionMachine m;
    Clock::time_point now{};
    ConnectionMachine::State state_at_end = ConnectionMachine::State::idle;  // before run()'s close()
    std::vector<Outcome> outcomes = std::vector<Outcome>(16);
    Bytes written;  // every byte handed to the "socket", in order

    void drain() {
        for (auto& c : m.take_completions()) c();
    }
    void do_submit(const Step& s) {
        OutgoingRequest r;
        r.api_key = s.api_key;
        r.versions = s.versions;
        r.first_flexible = 9;
        r.timeout = s.ms;
        int i = s.request;
        bool expects = s.expects_response;
        r.encode = [i, expects](int16_t, Writer& w, bool& expects_response) {
            w.raw(marker(i));
            expects_response = expects;
            return std::error_code{};
        };
        r.handler = [this, i](std::error_code ec, ResponseFrame f) {
            auto& o = outcomes[static_cast<size_t>(i)];
            ++o.calls;
            o.ec = ec;
            o.frame = std::move(f);
        };
        m.submit(std::move(r), now);
    }
    Bytes take_write() {
        Bytes all;
        for (auto& f : m.take_write(now)) all.insert(all.end(), f.begin(), f.end());
        written.insert(written.end(), all.begin(), all.end());
        return all;
    }
    bool was_written(int i) const {
        Bytes mk = marker(i);
        return std::search(written.begin(), written.end(), mk.begin(), mk.end()) != written.end();
    }

    // Runs the script. With `inject` >= 0 a connection error replaces step
    // `inject` (or, with `mid_write`, lands between taking a write and its
    // completion). Returns false if an expectation failed.
    void run(const std::vector<Step>& script, int inject = -1, bool mid_write = false) {
        m.start(now);
        m.on_connected(now);
        const bool checking = inject < 0;
        bool dead_by_injection = false;
        for (size_t k = 0; k < script.size(); ++k) {
            const Step& s = script[k];
            if (static_cast<int>(k) == inject && !mid_write) {
                m.on_error(std::make_error_code(std::errc::connection_reset));
                dead_by_injection = true;
            }
            switch (s.op) {
            case Step::Op::submit: do_submit(s); break;
            case Step::Op::write: {
                Bytes got = take_write();
                if (checking) CHECK_MESSAGE(got == s.bytes, "step " << k);
                if (static_cast<int>(k) == inject && mid_write) {
                    m.on_error(std::make_error_code(std::errc::broken_pipe));
                    dead_by_injection = true;
                } else {
                    m.on_write_done(now);
                }
                if (dead_by_injection) CHECK(m.take_write(now).empty());
                break;
            }
            case Step::Op::read: m.on_read(s.bytes, now); break;
            case Step::Op::advance:
                now += s.ms;
                m.on_timer(now);
                break;
            case Step::Op::close: m.close(); break;
            }
            drain();
        }
        state_at_end = m.state();
        m.close();
        drain();
    }
};

// Checks the invariants that hold however a run ended.
void check_exactly_once(const Harness& h, int requests, bool injected) {
    for (int i = 0; i < requests; ++i) {
        const auto& o = h.outcomes[static_cast<size_t>(i)];
        CHECK_MESSAGE(o.calls == 1, "request " << i << " completed " << o.calls << " times");
        if (!injected || !o.ec) continue;
        if (o.ec == client_errc::connection_lost_not_sent || o.ec == client_errc::shutting_down) {
            CHECK_MESSAGE(!h.was_written(i), "request " << i << " said not sent, but was written");
        } else if (o.ec == client_errc::connection_lost_after_send) {
            CHECK_MESSAGE(h.was_written(i), "request " << i << " said sent, but never was");
        }
    }
}

void run_with_injection(const std::vector<Step>& script, int requests, const ConnectionOptions& o = test_options()) {
    {
        Harness h(o);
        h.run(script);
        check_exactly_once(h, requests, false);
    }
    for (int k = 0; k < static_cast<int>(script.size()); ++k) {
        for (bool mid : {false, true}) {
            if (mid && script[static_cast<size_t>(k)].op != Step::Op::write) continue;
            CAPTURE(k);
            CAPTURE(mid);
            Harness h(o);
            h.run(script, k, mid);
            check_exactly_once(h, requests, true);
        }
    }
}

Bytes av_request(int16_t v, int32_t corr) {
    return request_frame(18, v, corr, api_versions_request_body(v), v >= 3);
}
Bytes av_response(int16_t v, int32_t corr, std::vector<Range> r = kBroker) {
    return response_frame(corr, api_versions_body(v, r));  // header v0 always (KIP-511)
}
Bytes md_request(int i, int32_t corr, int16_t v = 2) { return request_frame(3, v, corr, marker(i), v >= 9); }
Bytes md_response(int32_t corr, Bytes body = {0xab}) { return response_frame(corr, body); }

std::vector<Step> handshake() { return {expect_write(av_request(4, 1)), feed(av_response(4, 1))}; }

template <class... B>
Bytes cat(B... parts) {
    Bytes out;
    (out.insert(out.end(), parts.begin(), parts.end()), ...);
    return out;
}

template <class... V>
std::vector<Step> concat(std::vector<Step> a, V... rest) {
    (a.insert(a.end(), rest.begin(), rest.end()), ...);
    return a;
}

}  // namespace

// ------------------------------------------------------------ the tests

TEST_CASE("ApiVersions v4 request bytes, written before anything else") {
    Harness h;
    h.m.start(h.now);
    h.do_submit(submit(0));
    CHECK(h.m.take_write(h.now).empty());  // not connected yet
    h.m.on_connected(h.now);
    // size, key 18, v4, corr 1, client_id "kafka-cpp", no tags;
    // compact "kafka-cpp", compact "0.1.0", no tags
    Bytes expect = hex("00000025 0012 0004 00000001 0009 6b61666b612d637070 00"
                       "0a 6b61666b612d637070 06 302e312e30 00");
    CHECK(h.take_write() == expect);
    CHECK(h.m.take_write(h.now).empty());  // one write at a time, user request waits for the handshake
    h.m.on_write_done(h.now);
    CHECK(h.m.take_write(h.now).empty());
    h.m.on_read(av_response(4, 1), h.now);
    CHECK(h.m.is_ready());
    CHECK(h.take_write() == md_request(0, 2));  // Metadata at min(12, broker's 2)
    h.m.close();
    h.drain();
}

TEST_CASE("pipelined requests complete in order with their bodies") {
    auto script = concat(handshake(), std::vector<Step>{
        submit(0), submit(1), submit(2),
        expect_write(cat(md_request(0, 2), md_request(1, 3), md_request(2, 4))),
        feed(md_response(2, {0x10})),
        // two responses in one read, the second split across reads
        feed(cat(md_response(3, {0x11}), Bytes{0, 0})),
        feed(cat(Bytes{0, 5, 0, 0, 0, 4}, Bytes{0x12})),
        submit(3),
        expect_write(md_request(3, 5)),
        feed(md_response(5, {0x13})),
    });
    Harness h;
    h.run(script);
    for (int i = 0; i < 4; ++i) {
        auto& o = h.outcomes[static_cast<size_t>(i)];
        CHECK(o.calls == 1);
        CHECK(!o.ec);
        CHECK(o.frame.api_key == 3);
        CHECK(o.frame.api_version == 2);
        REQUIRE(o.frame.body().size == 1);
        CHECK(o.frame.body()[0] == 0x10 + i);
    }
    run_with_injection(script, 4);
}

TEST_CASE("in-flight cap: the fifth request waits for a response") {
    auto script = concat(handshake(), std::vector<Step>{
        submit(0), submit(1), submit(2), submit(3), submit(4),
        expect_write(cat(md_request(0, 2), md_request(1, 3), md_request(2, 4), md_request(3, 5))),
        expect_write({}),  // cap of 4 reached
        feed(md_response(2)),
        expect_write(md_request(4, 6)),
        feed(cat(md_response(3), md_response(4), md_response(5), md_response(6))),
    });
    Harness h;
    h.run(script);
    for (int i = 0; i < 5; ++i) CHECK(!h.outcomes[static_cast<size_t>(i)].ec);
    run_with_injection(script, 5);
}

TEST_CASE("ApiVersions: UNSUPPORTED_VERSION with the librdkafka 2.15 mock's odd body retries at the version it lists") {
    // error 35, a one-byte count, {18, 0..2}, throttle: neither v0 nor flexible.
    Bytes mock_body = hex("0023 01 0012 0000 0002 00000000");
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(response_frame(1, mock_body)),
        expect_write(av_request(2, 2)),
        feed(av_response(2, 2)),
        expect_write(md_request(0, 3)),
        feed(md_response(3)),
    };
    Harness h;
    h.run(script);
    CHECK(h.outcomes[0].calls == 1);
    CHECK(!h.outcomes[0].ec);
    run_with_injection(script, 1);
}

TEST_CASE("ApiVersions: UNSUPPORTED_VERSION with a body nobody can read falls back to v0") {
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(response_frame(1, hex("0023 ff ff ff"))),
        expect_write(av_request(0, 2)),
        feed(av_response(0, 2)),
        expect_write(md_request(0, 3)),
        feed(md_response(3)),
    };
    Harness h;
    h.run(script);
    CHECK(!h.outcomes[0].ec);
    run_with_injection(script, 1);
}

TEST_CASE("ApiVersions: UNSUPPORTED_VERSION with a proper v0 body retries at the version it lists") {
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(response_frame(1, api_versions_body(0, {{18, 0, 2}}, 35))),
        expect_write(av_request(2, 2)),
        feed(av_response(2, 2)),
        expect_write(md_request(0, 3)),
        feed(md_response(3)),
    };
    Harness h;
    h.run(script);
    CHECK(!h.outcomes[0].ec);
    run_with_injection(script, 1);
}

TEST_CASE("ApiVersions: UNSUPPORTED_VERSION with a flexible body (librdkafka 2.0 mock) retries at the version it lists") {
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(response_frame(1, api_versions_body(4, {{18, 0, 2}}, 35))),
        expect_write(av_request(2, 2)),
        feed(av_response(2, 2)),
        expect_write(md_request(0, 3)),
        feed(md_response(3)),
    };
    Harness h;
    h.run(script);
    CHECK(!h.outcomes[0].ec);
    run_with_injection(script, 1);
}

TEST_CASE("ApiVersions: v0 rejected too gives no_version_in_common to waiting requests") {
    Harness h;
    h.run({submit(0),
           expect_write(av_request(4, 1)),
           feed(response_frame(1, hex("0023 00000000"))),
           expect_write(av_request(0, 2)),  // the body lists no ApiVersions range: v0
           feed(response_frame(2, hex("0023 00000000")))});
    CHECK(h.outcomes[0].calls == 1);
    CHECK(h.outcomes[0].ec == client_errc::no_version_in_common);
    CHECK(h.m.error() == client_errc::no_version_in_common);
}

TEST_CASE("a request with no version in common fails alone") {
    auto script = concat(handshake(), std::vector<Step>{
        submit(0, {5, 9}),  // broker has Metadata 0..2
        submit(1),
        expect_write(md_request(1, 2)),
        feed(md_response(2)),
    });
    Harness h;
    h.run(script);
    CHECK(h.outcomes[0].ec == client_errc::no_version_in_common);
    CHECK(!h.outcomes[1].ec);
    run_with_injection(script, 2);
}

TEST_CASE("acks=0: completes when written, and the next response still matches") {
    auto script = concat(handshake(), std::vector<Step>{
        submit(0, {0, 7}, /*expects_response=*/false),
        submit(1),
        expect_write(cat(request_frame(3, 7, 2, marker(0), false), md_request(1, 3))),
        feed(md_response(3, {0x42})),
    });
    // the fake request uses key 3 but versions 0..7; broker lists Metadata 0..2
    script[2].versions = {0, 2};
    script[4] = expect_write(cat(request_frame(3, 2, 2, marker(0), false), md_request(1, 3)));
    Harness h;
    h.run(script);
    CHECK(h.outcomes[0].calls == 1);
    CHECK(!h.outcomes[0].ec);
    CHECK(h.outcomes[0].frame.frame.empty());
    CHECK(!h.outcomes[1].ec);
    CHECK(h.outcomes[1].frame.body()[0] == 0x42);
    run_with_injection(script, 2);
}

TEST_CASE("correlation mismatch poisons the connection") {
    Harness h;
    h.run(concat(handshake(), std::vector<Step>{
        submit(0), submit(1),
        expect_write(cat(md_request(0, 2), md_request(1, 3))),
        feed(md_response(3)),  // answers the second first
        submit(2),
    }));
    CHECK(h.m.error() == client_errc::correlation_mismatch);
    CHECK(h.outcomes[0].ec == client_errc::connection_lost_after_send);
    CHECK(h.outcomes[1].ec == client_errc::connection_lost_after_send);
    CHECK(h.outcomes[2].ec == client_errc::connection_lost_not_sent);  // rejected at submit
}

TEST_CASE("a response nobody asked for poisons the connection") {
    Harness h;
    h.run(concat(handshake(), std::vector<Step>{feed(md_response(9)), submit(0)}));
    CHECK(h.m.error() == client_errc::correlation_mismatch);
    CHECK(h.outcomes[0].ec == client_errc::connection_lost_not_sent);
}

TEST_CASE("a size prefix over the cap kills the connection before the body arrives") {
    auto o = test_options();
    o.max_response_size = 100;
    Harness h(o);
    h.run(concat(handshake(), std::vector<Step>{
        submit(0), expect_write(md_request(0, 2)),
        feed(hex("00000065")),  // 101
    }));
    CHECK(h.m.error() == client_errc::frame_too_large);
    CHECK(h.outcomes[0].ec == client_errc::connection_lost_after_send);
}

TEST_CASE("timeouts: an unanswered request tears the connection down, a queued one fails alone") {
    Harness h;
    h.run(concat(handshake(), std::vector<Step>{
        submit(0, {0, 12}, true, 300ms),
        submit(1, {0, 12}, true, 2000ms),
        expect_write(cat(md_request(0, 2), md_request(1, 3))),
        advance(200ms),
        feed(md_response(2)),  // 0 answered in time
        advance(900ms),        // 1 is still fine
        advance(1000ms),       // now 1 is late
        submit(2),
    }));
    CHECK(!h.outcomes[0].ec);
    CHECK(h.outcomes[1].ec == client_errc::timed_out);
    CHECK(h.m.error() == client_errc::timed_out);
    CHECK(h.outcomes[2].ec == client_errc::connection_lost_not_sent);

    Harness q;
    q.m.start(q.now);  // never connects
    q.do_submit(submit(0, {0, 12}, true, 100ms));
    q.now += 150ms;
    q.m.on_timer(q.now);
    q.drain();
    CHECK(q.outcomes[0].ec == client_errc::timed_out);
    CHECK(!q.m.is_dead());
    REQUIRE(q.m.next_deadline());  // the connect deadline
    q.now += 400ms;
    q.m.on_timer(q.now);
    CHECK(q.m.error() == client_errc::timed_out);  // connect timed out
}

TEST_CASE("next_deadline tracks the earliest request") {
    Harness h;
    h.m.start(h.now);
    CHECK(*h.m.next_deadline() == h.now + 500ms);
    h.do_submit(submit(0, {0, 12}, true, 200ms));
    CHECK(*h.m.next_deadline() == h.now + 200ms);
    h.m.close();
    h.drain();
    CHECK(!h.m.next_deadline());
    CHECK(h.outcomes[0].ec == client_errc::shutting_down);
}

TEST_CASE("the peer closing mid-response fails what was sent as after_send") {
    Harness h;
    h.run(concat(handshake(), std::vector<Step>{
        submit(0), submit(1), expect_write(cat(md_request(0, 2), md_request(1, 3))),
        feed(Bytes{0, 0, 0, 9, 0, 0}),
    }));
    h.m.on_error(std::make_error_code(std::errc::connection_reset));
    h.drain();
    CHECK(h.outcomes[0].ec == client_errc::connection_lost_after_send);
    CHECK(h.outcomes[1].ec == client_errc::connection_lost_after_send);
}

// ------------------------------------------------------------ SASL

namespace {

ConnectionOptions sasl_options(SaslMechanism m, std::string user, std::string pass) {
    auto o = test_options();
    o.sasl = SaslConfig{m, std::move(user), std::move(pass)};
    return o;
}

const std::vector<Range> kSaslBroker = {{18, 0, 3}, {3, 0, 2}, {17, 0, 1}, {36, 0, 2}};

Bytes handshake_request(int16_t v, int32_t corr, const std::string& mech) {
    SaslHandshakeRequest r;
    r.mechanism = mech;
    Writer w;
    r.encode(w, v);
    return request_frame(17, v, corr, w.take(), false);
}
Bytes handshake_response(int32_t corr, int16_t error = 0) {
    SaslHandshakeResponse r;
    r.error_code = error;
    r.mechanisms = {"PLAIN", "SCRAM-SHA-256"};
    Writer w;
    r.encode(w, 1);
    return response_frame(corr, w.take());
}
Bytes authenticate_request(int16_t v, int32_t corr, const Bytes& token) {
    SaslAuthenticateRequest r;
    r.auth_bytes = token;
    Writer w;
    r.encode(w, v);
    return request_frame(36, v, corr, w.take(), v >= 2);
}
Bytes authenticate_response(int16_t v, int32_t corr, int16_t error, std::optional<std::string> msg, Bytes token = {}) {
    SaslAuthenticateResponse r;
    r.error_code = error;
    r.error_message = std::move(msg);
    r.auth_bytes = std::move(token);
    Writer w;
    r.encode(w, v);
    return response_frame(corr, w.take(), v >= 2);
}
Bytes plain_token(const std::string& u, const std::string& p) {
    Bytes t{0};
    t.insert(t.end(), u.begin(), u.end());
    t.push_back(0);
    t.insert(t.end(), p.begin(), p.end());
    return t;
}

}  // namespace

TEST_CASE("SASL PLAIN over SaslHandshake v1 + SaslAuthenticate v2") {
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(av_response(4, 1, kSaslBroker)),
        expect_write(handshake_request(1, 2, "PLAIN")),
        feed(handshake_response(2)),
        expect_write(authenticate_request(2, 3, plain_token("alice", "pw-alice"))),
        feed(authenticate_response(2, 3, 0, std::nullopt)),
        expect_write(md_request(0, 4)),
        feed(md_response(4)),
    };
    auto rec = std::make_shared<Recorder>();
    Harness h(sasl_options(SaslMechanism::plain, "alice", "pw-alice"), rec);
    h.run(script);
    CHECK(!h.outcomes[0].ec);
    // The observer saw the SaslAuthenticate frames only as redacted.
    const std::string pw = "pw-alice";
    for (const auto* list : {&rec->requests, &rec->responses})
        for (const auto& f : *list) CHECK(std::search(f.begin(), f.end(), pw.begin(), pw.end()) == f.end());
    int redacted = 0;
    for (const auto& i : rec->infos) redacted += i.redacted ? 1 : 0;
    CHECK(redacted == 2);

    for (int k = 0; k < static_cast<int>(script.size()); ++k) {
        Harness hk(sasl_options(SaslMechanism::plain, "alice", "pw-alice"));
        hk.run(script, k);
        check_exactly_once(hk, 1, true);
    }
}

TEST_CASE("SASL: a wrong password is a clear authentication error, not a hang") {
    Harness h(sasl_options(SaslMechanism::plain, "alice", "wrong-pw"));
    h.run({
        submit(0),
        expect_write(av_request(4, 1)),
        feed(av_response(4, 1, kSaslBroker)),
        expect_write(handshake_request(1, 2, "PLAIN")),
        feed(handshake_response(2)),
        expect_write(authenticate_request(2, 3, plain_token("alice", "wrong-pw"))),
        feed(authenticate_response(2, 3, 58, std::string("Authentication failed: Invalid username or password"))),
    });
    CHECK(h.outcomes[0].calls == 1);
    CHECK(h.outcomes[0].ec == client_errc::authentication_failed);
    CHECK(h.m.error() == client_errc::authentication_failed);
    CHECK(h.m.error_detail().find("SASL_AUTHENTICATION_FAILED") != std::string::npos);
    CHECK(h.m.error_detail().find("Invalid username or password") != std::string::npos);
    CHECK(h.m.error_detail().find("wrong-pw") == std::string::npos);
}

TEST_CASE("SASL: a mechanism the broker does not enable") {
    Harness h(sasl_options(SaslMechanism::scram_sha_512, "alice", "pw"));
    h.run({
        submit(0),
        expect_write(av_request(4, 1)),
        feed(av_response(4, 1, kSaslBroker)),
        expect_write(handshake_request(1, 2, "SCRAM-SHA-512")),
        feed(handshake_response(2, 33)),
    });
    CHECK(h.outcomes[0].ec == errc::unsupported_sasl_mechanism);
    CHECK(h.m.error_detail().find("PLAIN,SCRAM-SHA-256") != std::string::npos);
}

TEST_CASE("SASL PLAIN over SaslHandshake v0: raw tokens framed by size alone") {
    std::vector<Range> old_broker = {{18, 0, 1}, {3, 0, 2}, {17, 0, 0}};
    Bytes token = plain_token("bob", "pw-bob");
    Writer raw;
    raw.i32(static_cast<int32_t>(token.size()));
    raw.raw(token);
    auto script = std::vector<Step>{
        submit(0),
        expect_write(av_request(4, 1)),
        feed(response_frame(1, api_versions_body(0, {{18, 0, 1}}, 35))),
        expect_write(av_request(1, 2)),
        feed(av_response(1, 2, old_broker)),
        expect_write(handshake_request(0, 3, "PLAIN")),
        feed(handshake_response(3)),
        expect_write(raw.take()),
        feed(hex("00000000")),  // the broker's empty token
        expect_write(md_request(0, 4)),
        feed(md_response(4)),
    };
    Harness h(sasl_options(SaslMechanism::plain, "bob", "pw-bob"));
    h.run(script);
    CHECK(!h.outcomes[0].ec);
    for (int k = 0; k < static_cast<int>(script.size()); ++k) {
        Harness hk(sasl_options(SaslMechanism::plain, "bob", "pw-bob"));
        hk.run(script, k);
        check_exactly_once(hk, 1, true);
    }
}

TEST_CASE("SASL SCRAM: a garbage server-first fails authentication") {
    Harness h(sasl_options(SaslMechanism::scram_sha_256, "carol", "pw"));
    h.m.start(h.now);
    h.m.on_connected(h.now);
    h.do_submit(submit(0));
    h.take_write();
    h.m.on_write_done(h.now);
    h.m.on_read(av_response(4, 1, kSaslBroker), h.now);
    h.take_write();
    h.m.on_write_done(h.now);
    h.m.on_read(handshake_response(2), h.now);
    Bytes first = h.take_write();
    std::string text(first.begin(), first.end());
    CHECK(text.find("n,,n=carol,r=") != std::string::npos);
    h.m.on_write_done(h.now);
    h.m.on_read(authenticate_response(2, 3, 0, std::nullopt, Bytes{'x', '=', '1'}), h.now);
    h.drain();
    CHECK(h.m.error() == client_errc::authentication_failed);
    CHECK(h.outcomes[0].ec == client_errc::authentication_failed);
}

TEST_CASE("observer sees requests and responses with versions and correlation ids") {
    auto rec = std::make_shared<Recorder>();
    Harness h(test_options(), rec);
    h.run(concat(handshake(), std::vector<Step>{submit(0), expect_write(md_request(0, 2)), feed(md_response(2))}));
    REQUIRE(rec->infos.size() == 4);
    Bytes av = av_request(4, 1);
    CHECK(rec->requests[0] == Bytes(av.begin() + 4, av.end()));  // no size prefix
    CHECK(rec->infos[0].api_key == 18);
    CHECK(rec->infos[0].api_version == 4);
    CHECK(rec->infos[2].api_key == 3);
    CHECK(rec->infos[2].api_version == 2);
    CHECK(rec->infos[3].correlation_id == 2);
    CHECK(rec->infos[3].broker == "broker:9092");
    // frames without the size prefix
    Bytes md = md_request(0, 2);
    CHECK(rec->requests[1] == Bytes(md.begin() + 4, md.end()));
}

// ------------------------------------------------------------ SCRAM, whole exchanges

namespace {

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Handshake, client-first, server-first, client-final, server-final, then the
// user's request: the connection is ready only after the server's signature.
std::vector<Step> scram_script(const std::string& mechanism, const std::string& client_first,
                               const std::string& server_first, const std::string& client_final,
                               const std::string& server_final) {
    return {
        submit(0),
        expect_write(av_request(4, 1)),
        feed(av_response(4, 1, kSaslBroker)),
        expect_write(handshake_request(1, 2, mechanism)),
        feed(handshake_response(2)),
        expect_write(authenticate_request(2, 3, bytes_of(client_first))),
        feed(authenticate_response(2, 3, 0, std::nullopt, bytes_of(server_first))),
        expect_write(authenticate_request(2, 4, bytes_of(client_final))),
        feed(authenticate_response(2, 4, 0, std::nullopt, bytes_of(server_final))),
        expect_write(md_request(0, 5)),
        feed(md_response(5, {0x77})),
    };
}

ConnectionOptions scram_options(SaslMechanism m, std::string user, std::string pass, std::string nonce) {
    auto o = sasl_options(m, std::move(user), std::move(pass));
    o.sasl->scram_client_nonce = std::move(nonce);
    return o;
}

void check_scram_success(const std::vector<Step>& script, const ConnectionOptions& o) {
    Harness h(o);
    h.run(script);
    CHECK(h.state_at_end == ConnectionMachine::State::ready);
    CHECK(h.outcomes[0].calls == 1);
    CHECK(!h.outcomes[0].ec);
    REQUIRE(h.outcomes[0].frame.body().size == 1);
    CHECK(h.outcomes[0].frame.body()[0] == 0x77);
    run_with_injection(script, 1, o);
}

}  // namespace

TEST_CASE("SASL SCRAM-SHA-256 through the connection: RFC 7677's exchange byte for byte") {
    // RFC 7677 section 3: user "user", password "pencil", the client nonce
    // fixed through the config so that every message is the RFC's.
    const std::string client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const std::string server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const std::string client_final =
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    const std::string server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    // The test server agrees with the RFC, so the SHA-512 test below can trust it.
    auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    REQUIRE(salt);
    test::ScramTestServer server(ScramMechanism::sha256, "pencil", *salt, 4096);
    CHECK(server.server_first(client_first, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0") == server_first);
    CHECK(server.expected_client_final(client_first, server_first) == client_final);
    CHECK(server.server_final(client_first, server_first, client_final) == server_final);

    check_scram_success(scram_script("SCRAM-SHA-256", client_first, server_first, client_final, server_final),
                        scram_options(SaslMechanism::scram_sha_256, "user", "pencil", "rOprNGfwEbeRWgbNEkqO"));
}

TEST_CASE("SASL SCRAM-SHA-256 and SCRAM-SHA-512 through the connection, against a server built from the primitives") {
    const std::string nonce = "fyko+d2lbbFgONRv9qkxdawL";
    for (const auto& p : {std::pair{SaslMechanism::scram_sha_256, ScramMechanism::sha256},
                          std::pair{SaslMechanism::scram_sha_512, ScramMechanism::sha512}}) {
        const SaslMechanism mech = p.first;
        const std::string name = sasl_mechanism_name(mech);
        CAPTURE(name);
        test::ScramTestServer server(p.second, "pw of kafka,user", bytes_of("salt\x01\x02\x03"), 4096);
        // The user name is escaped (RFC 5802: ',' -> "=2C").
        const std::string client_first = "n,,n=kafka=2Cuser,r=" + nonce;
        const std::string server_first = server.server_first(client_first, "S3rv3r/+=~");
        const std::string client_final = server.expected_client_final(client_first, server_first);
        const std::string server_final = server.server_final(client_first, server_first, client_final);
        REQUIRE(server_final.rfind("v=", 0) == 0);
        check_scram_success(scram_script(name, client_first, server_first, client_final, server_final),
                            scram_options(mech, "kafka,user", "pw of kafka,user", nonce));
    }
}

TEST_CASE("SASL SCRAM: a server that does not know the password is refused, though it reports no error") {
    const std::string nonce = "fyko+d2lbbFgONRv9qkxdawL";
    test::ScramTestServer impostor(ScramMechanism::sha512, "another password", bytes_of("salt"), 4096);
    const std::string client_first = "n,,n=alice,r=" + nonce;
    const std::string server_first = impostor.server_first(client_first, "imp");
    // A signature made with the impostor's keys, over the right AuthMessage.
    const std::string server_final =
        impostor.server_final(client_first, server_first, impostor.expected_client_final(client_first, server_first));
    REQUIRE(server_final.rfind("v=", 0) == 0);
    Harness h(scram_options(SaslMechanism::scram_sha_512, "alice", "pw-alice", nonce));
    h.m.start(h.now);
    h.m.on_connected(h.now);
    h.do_submit(submit(0));
    auto exchange = [&](const Bytes& expected, const Bytes& answer) {
        Bytes got = h.take_write();
        if (!expected.empty()) CHECK(got == expected);
        h.m.on_write_done(h.now);
        h.m.on_read(answer, h.now);
        h.drain();
    };
    exchange(av_request(4, 1), av_response(4, 1, kSaslBroker));
    exchange(handshake_request(1, 2, "SCRAM-SHA-512"), handshake_response(2));
    exchange(authenticate_request(2, 3, bytes_of(client_first)),
             authenticate_response(2, 3, 0, std::nullopt, bytes_of(server_first)));
    // client-final carries a proof the impostor cannot check; not compared here.
    exchange({}, authenticate_response(2, 4, 0, std::nullopt, bytes_of(server_final)));
    CHECK(h.m.error() == client_errc::authentication_failed);
    CHECK(h.outcomes[0].calls == 1);
    CHECK(h.outcomes[0].ec == client_errc::authentication_failed);
    CHECK(!h.was_written(0));
}

// ------------------------------------------------------------ the text trace

namespace {

// Frames in the order the connection reports them.
struct OrderedRecorder : FrameObserver {
    struct Seen {
        bool request;
        FrameInfo info;
        Bytes frame;
    };
    std::vector<Seen> seen;
    void on_request(const FrameInfo& i, ByteView f) override { seen.push_back({true, i, Bytes(f.begin(), f.end())}); }
    void on_response(const FrameInfo& i, ByteView f, std::chrono::microseconds) override {
        seen.push_back({false, i, Bytes(f.begin(), f.end())});
    }
};

// Everything after the first line, without trailing newlines.
std::string after_first_line(std::string text) {
    auto nl = text.find('\n');
    text.erase(0, nl == std::string::npos ? text.size() : nl + 1);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// Restores an environment variable at scope end.
struct EnvGuard {
    std::string name;
    std::optional<std::string> saved;
    explicit EnvGuard(std::string n) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) saved = v;
    }
    ~EnvGuard() {
        if (saved) setenv(name.c_str(), saved->c_str(), 1);
        else unsetenv(name.c_str());
    }
};

}  // namespace

TEST_CASE("TextTrace of a SASL PLAIN connection: credentials not shown, fields as kcli decode prints them") {
    std::vector<std::string> blocks;
    auto trace = std::make_shared<TextTrace>([&](std::string_view b) { blocks.emplace_back(b); });
    auto rec = std::make_shared<OrderedRecorder>();
    Harness h(sasl_options(SaslMechanism::plain, "alice", "pw-alice-secret"), std::make_shared<ObserverChain>(trace, rec));
    h.run({
        submit(0),
        expect_write(av_request(4, 1)),
        feed(av_response(4, 1, kSaslBroker)),
        expect_write(handshake_request(1, 2, "PLAIN")),
        feed(handshake_response(2)),
        expect_write(authenticate_request(2, 3, plain_token("alice", "pw-alice-secret"))),
        feed(authenticate_response(2, 3, 0, std::nullopt)),
        expect_write(md_request(0, 4)),
        feed(md_response(4)),
    });
    CHECK(!h.outcomes[0].ec);
    // The connect line, then one block per frame.
    REQUIRE(!blocks.empty());
    CHECK(blocks.front().find("kafka: conn=1 connected ") == 0);
    blocks.erase(blocks.begin());
    REQUIRE(blocks.size() == rec->seen.size());
    REQUIRE(blocks.size() == 8);  // ApiVersions, SaslHandshake, SaslAuthenticate, Metadata; both ways

    int hidden = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
        CAPTURE(blocks[i]);
        const auto& s = rec->seen[i];
        CHECK(blocks[i].find("pw-alice-secret") == std::string::npos);
        CHECK(blocks[i].find(s.request ? "kafka> broker=broker:9092 conn=1 " : "kafka< broker=broker:9092 conn=1 ") == 0);
        if (s.info.api_key == 36) {
            CHECK(s.info.redacted);
            CHECK(s.frame.empty());
            CHECK(blocks[i].find("SaslAuthenticate v2") != std::string::npos);
            CHECK(blocks[i].find(" (credentials, not shown)") != std::string::npos);
            CHECK(blocks[i].find('\n') == std::string::npos);  // no field lines at all
            ++hidden;
            continue;
        }
        // The field lines are the ones `kcli decode` prints for the frame.
        const DecodedFrame d = s.request ? decode_request_frame(s.frame)
                                         : decode_response_frame(s.frame, s.info.api_key, s.info.api_version);
        const std::string fields = after_first_line(render_frame_text(d));
        CHECK(!fields.empty());
        CHECK(after_first_line(blocks[i]) == fields);
    }
    CHECK(hidden == 2);
    std::string all;
    for (const auto& b : blocks) all += b + "\n";
    CHECK(all.find("PLAIN") != std::string::npos);  // the SaslHandshake fields are shown
}

TEST_CASE("KAFKA_TRACE=1 in the environment turns the text trace on") {
    EnvGuard guard("KAFKA_TRACE");
    unsetenv("KAFKA_TRACE");
    CHECK(make_observer(false) == nullptr);
    CHECK(dynamic_cast<TextTrace*>(make_observer(true).get()) != nullptr);
    setenv("KAFKA_TRACE", "0", 1);
    CHECK(make_observer(false) == nullptr);
    setenv("KAFKA_TRACE", "1", 1);
    CHECK(NetConfig::trace_from_env());
    CHECK(dynamic_cast<TextTrace*>(make_observer(false).get()) != nullptr);
    auto user = std::make_shared<Recorder>();
    CHECK(dynamic_cast<ObserverChain*>(make_observer(false, user).get()) != nullptr);
    unsetenv("KAFKA_TRACE");
    CHECK(make_observer(false, user) == user);
}
