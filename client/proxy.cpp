#include "client/proxy.hpp"

#include <cstdint>

#include "protocol/header.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/sasl.hpp"
#include "protocol/reader.hpp"
#include "protocol/writer.hpp"

namespace kafka {

std::optional<ProxiedRequest> ProxyConversation::on_request(ByteView frame) {
    Reader r(frame);
    ProxiedRequest req;
    req.api_key = r.i16();
    req.api_version = r.i16();
    req.correlation_id = r.i32();
    if (!r.ok()) return std::nullopt;
    if (pending_.size() >= kMaxPending) pending_.pop_front();
    pending_.push_back(req);
    if (req.api_key == SaslHandshakeRequest::key && req.api_version == 0) {
        // KIP-43: raw tokens follow. How many depends on the mechanism.
        Reader body(frame);
        std::string mechanism;
        if (RequestHeader::decode(body, request_header_version(req.api_key, 0, SaslHandshakeRequest::first_flexible)))
            if (auto handshake = SaslHandshakeRequest::decode(body, 0)) mechanism = handshake->mechanism;
        raw_sasl_tokens_ = mechanism == "PLAIN"                                               ? 1
                           : mechanism == "SCRAM-SHA-256" || mechanism == "SCRAM-SHA-512" ? 2
                                                                                          : SIZE_MAX;
    }
    return req;
}

bool ProxyConversation::take_raw_sasl_token() {
    if (raw_sasl_tokens_ == 0) return false;
    if (raw_sasl_tokens_ != SIZE_MAX) --raw_sasl_tokens_;
    return true;
}

std::optional<ProxiedRequest> ProxyConversation::on_response(ByteView frame) {
    Reader r(frame);
    int32_t corr = r.i32();
    if (!r.ok()) return std::nullopt;
    for (size_t i = 0; i < pending_.size(); ++i) {
        if (pending_[i].correlation_id != corr) continue;
        ProxiedRequest req = pending_[i];
        // Anything before it went unanswered (acks=0 Produce).
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        return req;
    }
    return std::nullopt;
}

bool carries_broker_addresses(int16_t api_key) {
    return api_key == MetadataResponse::key || api_key == FindCoordinatorResponse::key;
}

namespace {

// Swaps one address; true when it changed.
bool remap(std::string& host, int32_t& port, int32_t node_id, const EndpointMapper& map) {
    BrokerEndpoint up{host, port};
    auto local = map(up, node_id);
    if (!local || *local == up) return false;
    host = local->host;
    port = local->port;
    return true;
}

bool remap_body(MetadataResponse& m, const EndpointMapper& map) {
    bool changed = false;
    for (auto& b : m.brokers) changed |= remap(b.host, b.port, b.node_id, map);
    return changed;
}

bool remap_body(FindCoordinatorResponse& f, const EndpointMapper& map) {
    bool changed = false;
    // v0-3: one coordinator, meaningful only without an error.
    if (f.error_code == 0 && f.node_id >= 0 && !f.host.empty()) changed |= remap(f.host, f.port, f.node_id, map);
    // v4+ (KIP-699): one entry per key.
    for (auto& c : f.coordinators)
        if (c.error_code == 0 && c.node_id >= 0 && !c.host.empty()) changed |= remap(c.host, c.port, c.node_id, map);
    return changed;
}

template <class Resp>
Result<std::optional<Bytes>> rewrite(ByteView frame, int16_t version, const EndpointMapper& map) {
    if (!Resp::versions.contains(version)) return client_errc::unsupported_version;
    const int16_t hv = response_header_version(Resp::key, version, Resp::first_flexible);
    Reader r(frame);
    auto header = ResponseHeader::decode(r, hv);
    if (!header) return header.error();
    auto body = Resp::decode(r, version);
    if (!body) return body.error();
    if (auto ec = r.finish()) return ec;
    if (!remap_body(*body, map)) return std::optional<Bytes>{};
    Writer w;
    header->encode(w, hv);
    body->encode(w, version);
    if (w.error()) return w.error();
    return std::optional<Bytes>{w.take()};
}

}  // namespace

Result<std::optional<Bytes>> rewrite_broker_addresses(ByteView frame, const ProxiedRequest& request,
                                                      const EndpointMapper& map) {
    switch (request.api_key) {
        case MetadataResponse::key: return rewrite<MetadataResponse>(frame, request.api_version, map);
        case FindCoordinatorResponse::key: return rewrite<FindCoordinatorResponse>(frame, request.api_version, map);
        default: return std::optional<Bytes>{};
    }
}

bool carries_credentials(int16_t api_key) { return api_key == SaslAuthenticateRequest::key; }

namespace {

template <class Header, class Body>
Result<Bytes> without_auth_bytes(ByteView frame, int16_t version, int16_t header_version) {
    if (!Body::versions.contains(version)) return client_errc::unsupported_version;
    Reader r(frame);
    auto header = Header::decode(r, header_version);
    if (!header) return header.error();
    auto body = Body::decode(r, version);
    if (!body) return body.error();
    if (auto ec = r.finish()) return ec;
    body->auth_bytes.clear();
    Writer w;
    header->encode(w, header_version);
    body->encode(w, version);
    if (w.error()) return w.error();
    return w.take();
}

}  // namespace

Result<Bytes> redact_credentials(ByteView frame, const ProxiedRequest& request, bool is_request) {
    if (!carries_credentials(request.api_key)) return client_errc::invalid_argument;
    const int16_t v = request.api_version;
    if (is_request) {
        return without_auth_bytes<RequestHeader, SaslAuthenticateRequest>(
            frame, v, request_header_version(request.api_key, v, SaslAuthenticateRequest::first_flexible));
    }
    return without_auth_bytes<ResponseHeader, SaslAuthenticateResponse>(
        frame, v, response_header_version(request.api_key, v, SaslAuthenticateResponse::first_flexible));
}

Bytes with_size_prefix(ByteView frame) {
    Bytes out;
    out.reserve(frame.size + 4);
    const auto n = static_cast<uint32_t>(frame.size);
    out.push_back(static_cast<uint8_t>(n >> 24));
    out.push_back(static_cast<uint8_t>(n >> 16));
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), frame.begin(), frame.end());
    return out;
}

}  // namespace kafka
