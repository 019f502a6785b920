// The two SASL APIs a connection runs after ApiVersions (KIP-43, KIP-152).
//
// SaslHandshake (key 17) picks the mechanism. v0 was followed by raw SASL
// tokens outside Kafka framing; v1 says the tokens travel in
// SaslAuthenticate requests instead. Never flexible.
//
// SaslAuthenticate (key 36) carries one SASL token each way. v1 adds
// session_lifetime_ms (KIP-368: re-authenticate before it runs out); v2+ is
// flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct SaslHandshakeResponse;
struct SaslAuthenticateResponse;

struct SaslHandshakeRequest {
    static constexpr ApiKey key{17};
    static constexpr const char* name = "SaslHandshake";
    static constexpr VersionRange versions{0, 1};
    static constexpr int16_t first_flexible = kNeverFlexible;
    using response_type = SaslHandshakeResponse;

    std::string mechanism;  // "PLAIN", "SCRAM-SHA-256", ...
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        io.field("mechanism", mechanism);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SaslHandshakeRequest> decode(Reader& r, int16_t version);
};

struct SaslHandshakeResponse {
    static constexpr ApiKey key{17};
    static constexpr const char* name = "SaslHandshake";
    static constexpr VersionRange versions = SaslHandshakeRequest::versions;
    static constexpr int16_t first_flexible = SaslHandshakeRequest::first_flexible;

    int16_t error_code = 0;
    std::vector<std::string> mechanisms;  // the ones the broker enables
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        io.field("error_code", error_code);
        io.field("mechanisms", mechanisms);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SaslHandshakeResponse> decode(Reader& r, int16_t version);
};

struct SaslAuthenticateRequest {
    static constexpr ApiKey key{36};
    static constexpr const char* name = "SaslAuthenticate";
    static constexpr VersionRange versions{0, 2};
    static constexpr int16_t first_flexible = 2;
    using response_type = SaslAuthenticateResponse;

    Bytes auth_bytes;
    TaggedFields unknown_tags;  // v2+

    template <class IO>
    void io(IO& io) {
        io.field("auth_bytes", auth_bytes);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SaslAuthenticateRequest> decode(Reader& r, int16_t version);
};

struct SaslAuthenticateResponse {
    static constexpr ApiKey key{36};
    static constexpr const char* name = "SaslAuthenticate";
    static constexpr VersionRange versions = SaslAuthenticateRequest::versions;
    static constexpr int16_t first_flexible = SaslAuthenticateRequest::first_flexible;

    int16_t error_code = 0;
    std::optional<std::string> error_message;
    Bytes auth_bytes;
    int64_t session_lifetime_ms = 0;  // v1+; 0 = no limit
    TaggedFields unknown_tags;        // v2+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("error_code", error_code);
        io.field("error_message", error_message, true, Nullable{true});
        io.field("auth_bytes", auth_bytes);
        io.field("session_lifetime_ms", session_lifetime_ms, v >= 1);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<SaslAuthenticateResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
