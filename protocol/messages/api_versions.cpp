#include "protocol/messages/api_versions.hpp"

namespace kafka {

void ApiVersionsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ApiVersionsRequest> ApiVersionsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<ApiVersionsRequest>(r, version);
}

void ApiVersionsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ApiVersionsResponse> ApiVersionsResponse::decode(Reader& r, int16_t version) {
    // A broker asked for an ApiVersions version it does not know answers
    // UNSUPPORTED_VERSION (35), and that body need not follow the version we
    // asked for: check the error code before trusting the layout (KIP-511).
    // The body is the rest of the frame, so a layout must use all of it.
    Reader probe = r;
    if (version == 0 || probe.i16() != static_cast<int16_t>(errc::unsupported_version) || !probe.ok())
        return decode_fields<ApiVersionsResponse>(r, version);

    for (int16_t layout : {version, int16_t{0}}) {  // as asked, then Kafka's v0 answer
        Reader attempt = r;
        auto m = decode_fields<ApiVersionsResponse>(attempt, layout);
        if (m && attempt.remaining() == 0) {
            r = attempt;
            return m;
        }
    }
    // The librdkafka mock brokers write a one-byte array count (neither int32
    // nor compact), then the entries and throttle_time_ms, and no tagged fields.
    Reader q = r;
    ApiVersionsResponse out;
    out.error_code = q.i16();
    uint8_t n = q.u8();
    for (uint8_t i = 0; i < n && q.ok(); ++i) {
        ApiVersion a;
        a.api_key = q.i16();
        a.min_version = q.i16();
        a.max_version = q.i16();
        out.api_keys.push_back(a);
    }
    out.throttle_time_ms = q.i32();
    if (q.ok() && q.remaining() == 0) {
        r = q;
        return out;
    }
    // Unknown layout: keep the error code, which is all the fallback needs.
    ApiVersionsResponse bare;
    bare.error_code = static_cast<int16_t>(errc::unsupported_version);
    r.skip(r.remaining());
    return bare;
}

const ApiVersionsResponse::ApiVersion* ApiVersionsResponse::find(int16_t k) const {
    for (const auto& a : api_keys)
        if (a.api_key == k) return &a;
    return nullptr;
}

}  // namespace kafka
