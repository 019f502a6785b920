// A one-broker stand-in that requires SASL (the librdkafka mock has none):
// SaslHandshake v0..1, then SaslAuthenticate with PLAIN (RFC 4616) or
// SCRAM-SHA-256/512 (RFC 5802, its server side from scram_server.hpp), then
// Metadata. Like a Kafka broker with SASL_PLAINTEXT listeners, it answers
// only ApiVersions and the SASL requests until the connection has
// authenticated, and hangs up on anything else; a failed authentication is
// SASL_AUTHENTICATION_FAILED (58) and a hang-up. With `handshake_v0` it
// plays a pre-1.0 broker: SaslHandshake v0 only, no SaslAuthenticate, the
// tokens then travel bare (a size and the token, KIP-43).
//
//   SaslFakeBroker broker("alice", "alice-secret", {{"secured", 2}});
//   kcli -b broker.bootstrap() -X security.protocol=SASL_PLAINTEXT ...
//
// On 127.0.0.1 (FrameServer), one thread per connection: the per-connection
// SASL state is keyed by the serving thread.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protocol/header.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/sasl.hpp"
#include "tests/support/frame_server.hpp"
#include "tests/support/scram_server.hpp"

namespace kafka::test {

class SaslFakeBroker {
public:
    SaslFakeBroker(std::string user, std::string password, std::map<std::string, int32_t> topics,
                   bool handshake_v0 = false)
        : handshake_v0_(handshake_v0),
          user_(std::move(user)),
          topics_(std::move(topics)),
          password_(std::move(password)),
          sha256_(ScramMechanism::sha256, password_, salt(), 4096),
          sha512_(ScramMechanism::sha512, password_, salt(), 4096) {}

    std::string bootstrap() const { return server_.address(); }

    int authenticated() const { return authenticated_; }    // connections that got in
    int failed() const { return failed_; }                  // authentications refused
    int unauthenticated() const { return unauthenticated_; }  // requests refused before SASL
    std::vector<std::string> mechanisms_used() const {
        std::lock_guard<std::mutex> lock(mu_);
        return used_;
    }

private:
    struct Conn {
        std::string mechanism;          // from SaslHandshake
        bool authenticated = false;
        bool raw_tokens = false;        // after SaslHandshake v0
        std::string client_first;       // SCRAM, between the two rounds
        std::string server_first;
    };
    static Bytes salt() { return Bytes{'k', 'a', 'f', 'k', 'a', 0x01, 0x02, 0x7f}; }

    static int16_t first_flexible_of(int16_t key) {
        switch (key) {
        case 18: return ApiVersionsRequest::first_flexible;
        case 3: return MetadataRequest::first_flexible;
        case 17: return SaslHandshakeRequest::first_flexible;
        case 36: return SaslAuthenticateRequest::first_flexible;
        default: return kNeverFlexible;
        }
    }

    FrameServer::Reply handle(const Bytes& frame) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            Conn& c = conns_[std::this_thread::get_id()];
            if (c.raw_tokens && !c.authenticated) {
                // A bare token in, a bare token out: the SaslAuthenticate
                // exchange without its frames.
                FrameServer::Reply r = authenticate(c, 0, 0, std::string(frame.begin(), frame.end()));
                if (r.hang_up) return {{}, true};  // v0 has no error frame: a failure is a hang-up
                Reader body{ByteView(r.frame).subview(4 + 4)};  // size prefix, correlation id
                auto resp = SaslAuthenticateResponse::decode(body, 0);
                if (!resp) return {{}, true};
                Writer w;
                w.i32(static_cast<int32_t>(resp->auth_bytes.size()));
                w.raw(resp->auth_bytes);
                return {w.take()};
            }
        }
        Reader peek{ByteView(frame)};
        const int16_t key = peek.i16();
        const int16_t version = peek.i16();
        Reader r{ByteView(frame)};
        auto header = RequestHeader::decode(r, request_header_version(key, version, first_flexible_of(key)));
        if (!header) return {{}, true};
        const int32_t corr = header->correlation_id;
        std::lock_guard<std::mutex> lock(mu_);
        Conn& c = conns_[std::this_thread::get_id()];
        switch (key) {
        case 18: {
            ApiVersionsResponse resp;
            resp.api_keys = {{3, 0, 12, {}}, {17, 0, 1, {}}, {18, 0, 4, {}}, {36, 0, 2, {}}};
            if (handshake_v0_) resp.api_keys = {{3, 0, 12, {}}, {17, 0, 0, {}}, {18, 0, 4, {}}};
            return {encode_response_frame(corr, version, resp)};
        }
        case 17: {
            auto req = SaslHandshakeRequest::decode(r, version);
            SaslHandshakeResponse resp;
            resp.mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
            if (!req || (version < 1 && !handshake_v0_)) return {{}, true};
            c.mechanism = req->mechanism;
            c.raw_tokens = version == 0;
            bool known = false;
            for (const auto& m : resp.mechanisms) known |= m == req->mechanism;
            if (!known) resp.error_code = static_cast<int16_t>(errc::unsupported_sasl_mechanism);
            return {encode_response_frame(corr, version, resp), !known};
        }
        case 36: {
            auto req = SaslAuthenticateRequest::decode(r, version);
            if (!req) return {{}, true};
            return authenticate(c, corr, version, std::string(req->auth_bytes.begin(), req->auth_bytes.end()));
        }
        case 3: {
            if (!c.authenticated) {
                ++unauthenticated_;
                return {{}, true};
            }
            return {encode_response_frame(corr, version, metadata(r, version))};
        }
        default:
            ++unauthenticated_;
            return {{}, true};
        }
    }

    FrameServer::Reply authenticate(Conn& c, int32_t corr, int16_t version, const std::string& token) {
        SaslAuthenticateResponse resp;
        auto refuse = [&] {
            ++failed_;
            resp.error_code = static_cast<int16_t>(errc::sasl_authentication_failed);
            resp.error_message = "Authentication failed during authentication due to invalid credentials with SASL mechanism " +
                                 c.mechanism;
            resp.auth_bytes.clear();
            return FrameServer::Reply{encode_response_frame(corr, version, resp), true};
        };
        auto accept = [&] {
            c.authenticated = true;
            ++authenticated_;
            used_.push_back(c.mechanism);
        };
        if (c.mechanism == "PLAIN") {
            // [authzid] NUL authcid NUL passwd
            if (token != std::string(1, '\0') + user_ + std::string(1, '\0') + password_) return refuse();
            accept();
            return {encode_response_frame(corr, version, resp)};
        }
        const ScramTestServer* scram = c.mechanism == "SCRAM-SHA-256"   ? &sha256_
                                       : c.mechanism == "SCRAM-SHA-512" ? &sha512_
                                                                        : nullptr;
        if (!scram) return refuse();
        if (c.client_first.empty()) {
            if (token.rfind("n,,", 0) != 0 || ScramTestServer::attribute(token, 'n') != user_) return refuse();
            c.client_first = token;
            c.server_first = scram->server_first(token, "fakebroker%nonce");
            resp.auth_bytes.assign(c.server_first.begin(), c.server_first.end());
            return {encode_response_frame(corr, version, resp)};
        }
        const std::string server_final = scram->server_final(c.client_first, c.server_first, token);
        c.client_first.clear();
        if (server_final.rfind("v=", 0) != 0) return refuse();
        accept();
        resp.auth_bytes.assign(server_final.begin(), server_final.end());
        return {encode_response_frame(corr, version, resp)};
    }

    MetadataResponse metadata(Reader& r, int16_t version) {
        auto req = MetadataRequest::decode(r, version);  // unreadable: answer with every topic
        return single_broker_metadata(req ? *req : MetadataRequest{}, topics_, 1, server_.port(), "sasl-fake");
    }

    const bool handshake_v0_;
    const std::string user_;
    const std::map<std::string, int32_t> topics_;
    const std::string password_;
    const ScramTestServer sha256_;
    const ScramTestServer sha512_;
    mutable std::mutex mu_;
    std::map<std::thread::id, Conn> conns_;
    std::vector<std::string> used_;
    std::atomic<int> authenticated_{0};
    std::atomic<int> failed_{0};
    std::atomic<int> unauthenticated_{0};
    FrameServer server_{[this](const Bytes& frame) { return handle(frame); }};  // last: stops first
};

}  // namespace kafka::test
