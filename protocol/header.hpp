// Request and response headers (RequestHeader.json, ResponseHeader.json).
//
// Request header v1: api_key, api_version, correlation_id, client_id.
// Request header v2 (flexible requests): v1 + tagged fields. client_id stays a
// classic nullable string even in v2.
// Response header v0: correlation_id. v1 (flexible responses): + tagged fields,
// except for ApiVersions, whose response header is always v0 (see below).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/reader.hpp"
#include "protocol/result.hpp"
#include "protocol/writer.hpp"

namespace kafka {

struct RequestHeader {
    int16_t request_api_key = 0;
    int16_t request_api_version = 0;
    int32_t correlation_id = 0;
    std::optional<std::string> client_id;  // v1+
    TaggedFields unknown_tags;             // v2+

    // header_version is 1 or 2 (v0 has no client_id and is not sent by modern clients).
    void encode(Writer& w, int16_t header_version) const;
    // Reads api key and version first, then picks the header version itself.
    static Result<RequestHeader> decode(Reader& r, int16_t header_version);
};

struct ResponseHeader {
    int32_t correlation_id = 0;
    TaggedFields unknown_tags;  // v1+

    void encode(Writer& w, int16_t header_version) const;
    static Result<ResponseHeader> decode(Reader& r, int16_t header_version);
};

// The header versions a message at `api_version` uses, given the first
// flexible version of that API.
int16_t request_header_version(int16_t api_key, int16_t api_version, int16_t first_flexible);
int16_t response_header_version(int16_t api_key, int16_t api_version, int16_t first_flexible);

}  // namespace kafka
