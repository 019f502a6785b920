#include "protocol/header.hpp"

namespace kafka {
namespace {

void write_tags(Writer& w, const TaggedFields& tags) {
    w.uvarint(static_cast<uint32_t>(tags.size()));
    for (const auto& t : tags) {
        w.uvarint(t.tag);
        w.uvarint(static_cast<uint32_t>(t.data.size()));
        w.raw(t.data);
    }
}

void read_tags(Reader& r, TaggedFields& tags) {
    uint32_t n = r.uvarint();
    for (uint32_t i = 0; i < n && r.ok(); ++i) {
        TaggedField t;
        t.tag = r.uvarint();
        ByteView body = r.take(r.uvarint());
        t.data.assign(body.begin(), body.end());
        if (r.ok()) tags.push_back(std::move(t));
    }
}

}  // namespace

void RequestHeader::encode(Writer& w, int16_t header_version) const {
    w.i16(request_api_key);
    w.i16(request_api_version);
    w.i32(correlation_id);
    if (header_version >= 1) w.nullable_string(client_id, /*compact=*/false);
    if (header_version >= 2) write_tags(w, unknown_tags);
}

Result<RequestHeader> RequestHeader::decode(Reader& r, int16_t header_version) {
    RequestHeader h;
    h.request_api_key = r.i16();
    h.request_api_version = r.i16();
    h.correlation_id = r.i32();
    if (header_version >= 1) h.client_id = r.nullable_string(/*compact=*/false);
    if (header_version >= 2) read_tags(r, h.unknown_tags);
    if (!r.ok()) return r.error();
    return h;
}

void ResponseHeader::encode(Writer& w, int16_t header_version) const {
    w.i32(correlation_id);
    if (header_version >= 1) write_tags(w, unknown_tags);
}

Result<ResponseHeader> ResponseHeader::decode(Reader& r, int16_t header_version) {
    ResponseHeader h;
    h.correlation_id = r.i32();
    if (header_version >= 1) read_tags(r, h.unknown_tags);
    if (!r.ok()) return r.error();
    return h;
}

int16_t request_header_version(int16_t /*api_key*/, int16_t api_version, int16_t first_flexible) {
    return api_version >= first_flexible ? 2 : 1;
}

int16_t response_header_version(int16_t api_key, int16_t api_version, int16_t first_flexible) {
    // KIP-511: the ApiVersions response header stays v0 even for flexible
    // versions, so that a broker can answer a client whose version it does not
    // understand, and the client can read the error before knowing the format.
    if (api_key == 18) return 0;
    return api_version >= first_flexible ? 1 : 0;
}

}  // namespace kafka
