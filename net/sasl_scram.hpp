// The client side of SASL SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677),
// as Kafka brokers speak it: no channel binding ("n,,"), no authzid.
//
//   ScramClient c(ScramMechanism::sha256, user, password);
//   send(c.client_first());
//   auto final_msg = c.client_final(server_first);   // error -> abort
//   send(*final_msg);
//   if (auto ec = c.verify_server_final(server_final)) ...  // abort
//
// The password, the keys derived from it and the expected server signature
// are wiped from memory when no longer needed. The class has no printing
// support and is move-only, so secrets are not duplicated by accident.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "protocol/errors.hpp"
#include "protocol/result.hpp"

namespace kafka {

enum class ScramMechanism { sha256, sha512 };

// The SASL mechanism name: "SCRAM-SHA-256" or "SCRAM-SHA-512".
std::string_view scram_mechanism_name(ScramMechanism m) noexcept;

// Kafka stores SCRAM credentials with 4096..16384 iterations; fewer than 4096
// are refused. The upper bound only stops a hostile server from making us
// spin; it is far above anything a broker uses.
inline constexpr uint32_t kScramMinIterations = 4096;
inline constexpr uint32_t kScramMaxIterations = 1000000;

class ScramClient {
public:
    // nonce: the client nonce; empty means 32 random printable characters
    // drawn from std::random_device. A caller-supplied nonce must be made of
    // printable ASCII other than ',' (RFC 5802 "printable"); otherwise
    // client_final() fails with client_errc::invalid_argument.
    ScramClient(ScramMechanism mechanism, std::string user, std::string password,
                std::string nonce = {});
    ~ScramClient();
    ScramClient(ScramClient&&) noexcept;
    ScramClient& operator=(ScramClient&&) noexcept;
    ScramClient(const ScramClient&) = delete;
    ScramClient& operator=(const ScramClient&) = delete;

    ScramMechanism mechanism() const noexcept { return mechanism_; }

    // "n,,n=<user>,r=<nonce>", the user name escaped as RFC 5802 says
    // ('=' -> "=3D", ',' -> "=2C"). Calling it again returns the same text.
    std::string client_first();

    // Parses server-first-message "r=<nonce>,s=<salt>,i=<count>[,ext...]" and
    // returns client-final-message "c=biws,r=<nonce>,p=<proof>". Errors:
    //  - malformed: not a server-first-message (bad syntax, bad base64, empty
    //    salt, non-numeric count);
    //  - authentication_failed: the server nonce does not extend ours, the
    //    iteration count is outside [kScramMinIterations, kScramMaxIterations],
    //    the server sent an error (e=) or a mandatory extension (m=);
    //  - invalid_argument: called out of order, or the client nonce is invalid.
    // Any error ends the exchange: later calls fail with invalid_argument.
    Result<std::string> client_final(std::string_view server_first);

    // Checks server-final-message. Empty error_code when "v=" carries the
    // expected server signature. Errors: authentication_failed for a wrong
    // signature or "e=<reason>"; malformed for anything else; invalid_argument
    // when called before client_final() succeeded or after the exchange ended.
    std::error_code verify_server_final(std::string_view server_final);

    // True once verify_server_final() has accepted the server's signature.
    bool complete() const noexcept;

private:
    struct State;

    ScramMechanism mechanism_;
    std::unique_ptr<State> state_;  // null only in a moved-from object
};

}  // namespace kafka
