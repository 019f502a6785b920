// The logic of a transparent Kafka proxy, with no I/O: which request each
// response answers, and the one change a proxy must make to the traffic.
//
// A client learns broker addresses from two responses: Metadata (every
// broker) and FindCoordinator (the group or transaction coordinator). A proxy
// that relayed those untouched would lose the client after the first
// response, since it would then connect to the brokers directly. So those two
// responses are decoded, their addresses swapped for the proxy's own listener
// for each broker, and re-encoded at the same version. Every other frame
// passes through byte for byte. The socket side lives in `kcli proxy`.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace kafka {

// The header fields of a relayed request that name its response.
struct ProxiedRequest {
    int16_t api_key = -1;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
};

struct BrokerEndpoint {
    std::string host;
    int32_t port = 0;
    bool operator==(const BrokerEndpoint& o) const { return host == o.host && port == o.port; }
    bool operator!=(const BrokerEndpoint& o) const { return !(*this == o); }
    std::string to_string() const { return host + ":" + std::to_string(port); }
};

// The address clients must use for an upstream broker (`node_id` as the
// response names it), or nullopt to leave that address as it is.
using EndpointMapper = std::function<std::optional<BrokerEndpoint>(const BrokerEndpoint& upstream, int32_t node_id)>;

// One client connection's requests awaiting their responses.
class ProxyConversation {
public:
    // The most requests remembered; older ones are forgotten (a client that
    // pipelines more than this without answers is not a Kafka client).
    static constexpr size_t kMaxPending = 4096;

    // Reads the api key, version and correlation id at the start of a request
    // frame (without its size prefix). nullopt for a frame too short to hold
    // them: it is forwarded all the same.
    std::optional<ProxiedRequest> on_request(ByteView frame);
    // The request a response frame answers. Kafka answers in order on a
    // connection, but sends nothing for an acks=0 Produce: requests older than
    // the match are dropped as unanswered. nullopt when no request matches.
    std::optional<ProxiedRequest> on_response(ByteView frame);
    size_t pending() const { return pending_.size(); }

    // After a SaslHandshake v0 request the client's SASL tokens travel bare,
    // a size and the token, with no request header (KIP-43). Call this before
    // on_request() for each client frame: true means the frame is such a
    // token, to be relayed but never shown. PLAIN sends one token and SCRAM
    // two; for any other mechanism every later frame counts as a token, since
    // its end cannot be told from outside.
    bool take_raw_sasl_token();

private:
    std::deque<ProxiedRequest> pending_;
    size_t raw_sasl_tokens_ = 0;  // client tokens still expected after a v0 SaslHandshake
};

// True for the responses that carry broker addresses (Metadata, FindCoordinator).
bool carries_broker_addresses(int16_t api_key);

// Rewrites the broker addresses in a Metadata or FindCoordinator response
// frame (header and body, no size prefix) answering `request`. Returns the new
// frame, or nullopt when there is nothing to change (another API, or every
// address maps to itself). An error when the frame does not decode: the
// caller forwards it untouched.
Result<std::optional<Bytes>> rewrite_broker_addresses(ByteView frame, const ProxiedRequest& request,
                                                      const EndpointMapper& map);

// True for the frames that carry SASL credentials: SaslAuthenticate, both
// ways (a PLAIN password, SCRAM proofs, salts and signatures).
bool carries_credentials(int16_t api_key);

// A SaslAuthenticate request or response frame (header and body, no size
// prefix) with its auth_bytes emptied and every other field kept, so that it
// can be printed or recorded without the credentials. Only what is shown is
// redacted: the proxy still relays the real frame. An error when the frame
// does not decode: the caller must then show nothing of it.
Result<Bytes> redact_credentials(ByteView frame, const ProxiedRequest& request, bool is_request);

// Prepends the 4-byte size prefix.
Bytes with_size_prefix(ByteView frame);

}  // namespace kafka
