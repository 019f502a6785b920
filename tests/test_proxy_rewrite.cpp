// The proxy's logic without sockets: matching responses to requests, and
// rewriting broker addresses in Metadata and FindCoordinator responses from
// every recorded capture. Rewriting there and back again must give the
// recorded bytes exactly: nothing but the addresses may change. And the copy
// of a SaslAuthenticate frame that is printed or recorded has no token.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>

#include "client/proxy.hpp"
#include "protocol/header.hpp"
#include "protocol/kcap.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/sasl.hpp"
#include "support/golden.hpp"

using namespace kafka;

namespace {

Bytes request_frame(int16_t key, int16_t version, int32_t corr) {
    Writer w;
    RequestHeader h;
    h.request_api_key = key;
    h.request_api_version = version;
    h.correlation_id = corr;
    h.client_id = "t";
    h.encode(w, 1);
    return w.take();
}

Bytes response_frame(int32_t corr) {
    Writer w;
    w.i32(corr);
    w.i32(0);
    return w.take();
}

// Maps every address to host "proxy.test" and port + 10000, and remembers
// the way back.
struct ThereAndBack {
    std::map<std::pair<std::string, int32_t>, BrokerEndpoint> back;
    int mapped = 0;

    EndpointMapper there() {
        return [this](const BrokerEndpoint& up, int32_t) -> std::optional<BrokerEndpoint> {
            BrokerEndpoint local{"proxy.test", up.port + 10000};
            back[{local.host, local.port}] = up;
            ++mapped;
            return local;
        };
    }
    EndpointMapper home() {
        return [this](const BrokerEndpoint& local, int32_t) -> std::optional<BrokerEndpoint> {
            auto it = back.find({local.host, local.port});
            REQUIRE(it != back.end());
            return it->second;
        };
    }
};

template <class Resp>
Resp decode_body(ByteView frame, int16_t version) {
    Reader r(frame);
    auto h = ResponseHeader::decode(r, response_header_version(Resp::key, version, Resp::first_flexible));
    REQUIRE(h.has_value());
    auto body = Resp::decode(r, version);
    REQUIRE(body.has_value());
    REQUIRE(!r.finish());
    return std::move(*body);
}

}  // namespace

TEST_CASE("proxy: responses are matched to their requests by correlation id") {
    ProxyConversation c;
    auto a = c.on_request(request_frame(3, 2, 7));
    REQUIRE(a);
    CHECK(a->api_key == 3);
    CHECK(a->api_version == 2);
    CHECK(a->correlation_id == 7);
    c.on_request(request_frame(0, 7, 8));   // an acks=0 Produce: never answered
    c.on_request(request_frame(10, 2, 9));
    CHECK(c.pending() == 3);

    auto r1 = c.on_response(response_frame(7));
    REQUIRE(r1);
    CHECK(r1->api_key == 3);
    // The answer to 9 comes next: 8 is dropped as unanswered.
    auto r2 = c.on_response(response_frame(9));
    REQUIRE(r2);
    CHECK(r2->api_key == 10);
    CHECK(r2->api_version == 2);
    CHECK(c.pending() == 0);

    // A response that answers nothing, and frames too short to read.
    CHECK(!c.on_response(response_frame(42)));
    CHECK(!c.on_request(Bytes{0, 3, 0}));
    CHECK(!c.on_response(Bytes{0, 0}));
}

TEST_CASE("proxy: the pending list is bounded") {
    ProxyConversation c;
    for (int32_t i = 0; i < static_cast<int32_t>(ProxyConversation::kMaxPending) + 10; ++i)
        c.on_request(request_frame(0, 7, i));
    CHECK(c.pending() == ProxyConversation::kMaxPending);
    CHECK(!c.on_response(response_frame(0)));  // forgotten
    CHECK(c.on_response(response_frame(20)));
}

TEST_CASE("proxy: with_size_prefix") {
    Bytes f{1, 2, 3};
    CHECK(with_size_prefix(f) == Bytes{0, 0, 0, 3, 1, 2, 3});
}

TEST_CASE("proxy: every recorded Metadata and FindCoordinator response rewrites there and back byte for byte") {
    namespace fs = std::filesystem;
    int frames = 0, addresses = 0;
    for (const auto& dir : fs::directory_iterator(std::string(KAFKA_TESTDATA_DIR) + "/captures")) {
        if (!dir.is_directory()) continue;
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            if (entry.path().extension() != ".kcap") continue;
            auto text = test::read_file(entry.path().string());
            auto file = parse_kcap(text);
            REQUIRE(file.has_value());
            for (const auto& f : file->frames) {
                if (f.request || !carries_broker_addresses(f.api_key)) continue;
                CAPTURE(entry.path().string());
                CAPTURE(f.line);
                ProxiedRequest req{f.api_key, f.version, f.correlation_id};
                ThereAndBack map;
                auto there = rewrite_broker_addresses(f.bytes, req, map.there());
                REQUIRE_MESSAGE(there.has_value(), there.error().message());
                if (!*there) continue;  // no address in it (an error answer)
                ++frames;
                addresses += map.mapped;
                // The client sees the proxy's addresses...
                if (f.api_key == MetadataResponse::key) {
                    auto m = decode_body<MetadataResponse>(**there, f.version);
                    for (const auto& b : m.brokers) CHECK(b.host == "proxy.test");
                } else {
                    auto fc = decode_body<FindCoordinatorResponse>(**there, f.version);
                    CHECK(fc.host == "proxy.test");
                }
                // ...and nothing else changed.
                auto back = rewrite_broker_addresses(**there, req, map.home());
                REQUIRE(back.has_value());
                REQUIRE(*back);
                CHECK(**back == f.bytes);
            }
        }
    }
    CHECK(frames >= 40);
    CHECK(addresses >= frames);
}

TEST_CASE("proxy: nothing to rewrite") {
    MetadataResponse m;
    m.brokers.push_back({1, "127.0.0.1", 9092, std::nullopt, {}});
    Writer w;
    ResponseHeader{5, {}}.encode(w, 0);
    m.encode(w, 2);
    Bytes frame = w.take();
    ProxiedRequest req{3, 2, 5};
    // An identity mapping, and a mapper that declines.
    auto same = rewrite_broker_addresses(frame, req, [](const BrokerEndpoint& up, int32_t) { return std::optional(up); });
    REQUIRE(same.has_value());
    CHECK(!*same);
    auto none = rewrite_broker_addresses(frame, req, [](const BrokerEndpoint&, int32_t) { return std::optional<BrokerEndpoint>{}; });
    REQUIRE(none.has_value());
    CHECK(!*none);
    // Other APIs pass through.
    auto produce = rewrite_broker_addresses(frame, ProxiedRequest{0, 7, 5}, [](const BrokerEndpoint&, int32_t) {
        return std::optional(BrokerEndpoint{"x", 1});
    });
    REQUIRE(produce.has_value());
    CHECK(!*produce);
}

TEST_CASE("proxy: a response that does not decode is an error, for the caller to forward as is") {
    ProxiedRequest req{3, 2, 5};
    auto map = [](const BrokerEndpoint&, int32_t) { return std::optional(BrokerEndpoint{"x", 1}); };
    Bytes truncated{0, 0, 0, 5, 0, 0, 0, 1, 0};
    CHECK(!rewrite_broker_addresses(truncated, req, map).has_value());
    // A version we do not implement.
    Bytes frame{0, 0, 0, 5};
    CHECK(!rewrite_broker_addresses(frame, ProxiedRequest{3, 99, 5}, map).has_value());
}

TEST_CASE("proxy: FindCoordinator v4+ rewrites every coordinator, and skips failed ones") {
    FindCoordinatorResponse f;
    f.coordinators.push_back({"g1", 2, "10.0.0.2", 9092, 0, std::nullopt, {}});
    f.coordinators.push_back({"g2", -1, "", -1, 15, std::string("COORDINATOR_NOT_AVAILABLE"), {}});
    for (int16_t v : {int16_t{4}, int16_t{5}, int16_t{6}}) {
        CAPTURE(v);
        Writer w;
        ResponseHeader{9, {}}.encode(w, 1);  // v4+ is flexible: response header v1
        f.encode(w, v);
        Bytes frame = w.take();
        int calls = 0;
        auto out = rewrite_broker_addresses(frame, ProxiedRequest{10, v, 9}, [&](const BrokerEndpoint& up, int32_t node) {
            ++calls;
            CHECK(node == 2);
            CHECK(up.host == "10.0.0.2");
            return std::optional(BrokerEndpoint{"127.0.0.1", 40002});
        });
        REQUIRE(out.has_value());
        REQUIRE(*out);
        CHECK(calls == 1);
        auto got = decode_body<FindCoordinatorResponse>(**out, v);
        REQUIRE(got.coordinators.size() == 2);
        CHECK(got.coordinators[0].host == "127.0.0.1");
        CHECK(got.coordinators[0].port == 40002);
        CHECK(got.coordinators[1].host == "");
        CHECK(got.coordinators[1].error_code == 15);
    }
}

TEST_CASE("proxy: SaslAuthenticate frames lose their token for printing and recording, nothing else") {
    CHECK(carries_credentials(36));
    CHECK_FALSE(carries_credentials(17));  // SaslHandshake names the mechanism only
    CHECK_FALSE(carries_credentials(3));
    const std::string secret = "\0alice\0pw-alice";
    for (int16_t v = 0; v <= 2; ++v) {
        CAPTURE(v);
        const bool flex = v >= SaslAuthenticateRequest::first_flexible;
        // The request: header and body, the token in the body.
        Writer w;
        RequestHeader h;
        h.request_api_key = 36;
        h.request_api_version = v;
        h.correlation_id = 7;
        h.client_id = "kafka-cpp";
        h.encode(w, flex ? 2 : 1);
        SaslAuthenticateRequest req;
        req.auth_bytes.assign(secret.begin(), secret.end());
        req.encode(w, v);
        const Bytes frame = w.take();
        ProxyConversation conv;
        auto pr = conv.on_request(frame);
        REQUIRE(pr);
        auto red = redact_credentials(frame, *pr, true);
        REQUIRE(red);
        CHECK(red->size() == frame.size() - secret.size());  // the token, and only it, is gone
        Reader r(*red);
        auto h2 = RequestHeader::decode(r, flex ? 2 : 1);
        REQUIRE(h2);
        CHECK(h2->correlation_id == 7);
        CHECK(h2->client_id == std::optional<std::string>("kafka-cpp"));
        auto body = SaslAuthenticateRequest::decode(r, v);
        REQUIRE(body);
        CHECK(body->auth_bytes.empty());
        CHECK(!r.finish());

        // The response: error and message kept, the server's token dropped.
        Writer rw;
        ResponseHeader rh;
        rh.correlation_id = 7;
        rh.encode(rw, flex ? 1 : 0);
        SaslAuthenticateResponse resp;
        resp.error_code = 58;
        resp.error_message = "Authentication failed";
        resp.auth_bytes = {'v', '=', 's', 'i', 'g'};
        resp.session_lifetime_ms = v >= 1 ? 3600000 : 0;
        resp.encode(rw, v);
        const Bytes rframe = rw.take();
        auto matched = conv.on_response(rframe);
        REQUIRE(matched);
        auto rred = redact_credentials(rframe, *matched, false);
        REQUIRE(rred);
        Reader rr(*rred);
        REQUIRE(ResponseHeader::decode(rr, flex ? 1 : 0));
        auto rbody = SaslAuthenticateResponse::decode(rr, v);
        REQUIRE(rbody);
        CHECK(rbody->auth_bytes.empty());
        CHECK(rbody->error_code == 58);
        CHECK(rbody->error_message == std::optional<std::string>("Authentication failed"));
        CHECK(rbody->session_lifetime_ms == resp.session_lifetime_ms);
    }
    // A frame that does not decode gives an error: the caller shows nothing.
    Bytes junk = request_frame(36, 2, 9);
    junk.push_back(0xff);
    auto pr = ProxyConversation().on_request(junk);
    REQUIRE(pr);
    CHECK(!redact_credentials(junk, *pr, true));
    CHECK(!redact_credentials(junk, ProxiedRequest{3, 2, 9}, true));  // not a SASL frame
}

TEST_CASE("proxy: raw SASL tokens after a v0 SaslHandshake are recognised, so they are never shown") {
    auto handshake = [](int16_t version, const std::string& mechanism) {
        Writer w;
        RequestHeader h;
        h.request_api_key = 17;
        h.request_api_version = version;
        h.correlation_id = 2;
        h.client_id = "t";
        h.encode(w, 1);
        SaslHandshakeRequest r;
        r.mechanism = mechanism;
        r.encode(w, version);
        return w.take();
    };
    struct Case {
        int16_t version;
        std::string mechanism;
        int tokens;
    };
    for (const auto& c : {Case{0, "PLAIN", 1}, Case{0, "SCRAM-SHA-256", 2}, Case{0, "SCRAM-SHA-512", 2},
                          Case{1, "PLAIN", 0}, Case{1, "SCRAM-SHA-512", 0}}) {
        CAPTURE(c.version);
        CAPTURE(c.mechanism);
        ProxyConversation conv;
        CHECK_FALSE(conv.take_raw_sasl_token());
        REQUIRE(conv.on_request(handshake(c.version, c.mechanism)));
        for (int i = 0; i < c.tokens; ++i) CHECK(conv.take_raw_sasl_token());
        // Then Kafka requests again.
        CHECK_FALSE(conv.take_raw_sasl_token());
        CHECK(conv.on_request(request_frame(3, 1, 5)));
        CHECK_FALSE(conv.take_raw_sasl_token());
    }
    // A mechanism whose number of rounds is unknown: everything after it stays hidden.
    ProxyConversation gssapi;
    REQUIRE(gssapi.on_request(handshake(0, "GSSAPI")));
    for (int i = 0; i < 10; ++i) CHECK(gssapi.take_raw_sasl_token());
}
