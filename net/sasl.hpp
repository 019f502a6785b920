// The client side of a SASL exchange, one mechanism per class. The connection
// machine sends first(), then feeds each server message to next() until it
// says the exchange is complete. Implementations hold the password; nothing
// here logs.
#pragma once

#include <memory>
#include <optional>

#include "net/config.hpp"
#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace kafka::net {

class SaslAuthenticator {
public:
    virtual ~SaslAuthenticator() = default;
    // The client's first message.
    virtual Result<Bytes> first() = 0;
    // The reply to the server's message, or nullopt when authentication is
    // complete (and, for SCRAM, the server proved it knows the password).
    virtual Result<std::optional<Bytes>> next(ByteView server_message) = 0;
};

// PLAIN (RFC 4616) or SCRAM-SHA-256/512 (RFC 5802, RFC 7677).
std::unique_ptr<SaslAuthenticator> make_sasl_authenticator(const SaslConfig& config);

}  // namespace kafka::net
