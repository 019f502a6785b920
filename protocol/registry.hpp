// The one registry: API key -> name, versions, first flexible version and the
// functions that decode, describe and re-encode its messages. kcli decode, the
// protocol trace, the replay broker and the tests all go through it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/field_node.hpp"
#include "protocol/types.hpp"

namespace kafka {

struct ApiCodec {
    int16_t key;
    const char* name;
    VersionRange versions;   // the versions we implement
    int16_t first_flexible;  // kNeverFlexible when none
    // Decode a request/response body at `version` into a field tree. Trailing
    // bytes are an error. On error, `error_field` names where it happened.
    std::error_code (*describe_request)(ByteView body, int16_t version, FieldNode& out, std::string& error_field,
                                        size_t& error_offset);
    std::error_code (*describe_response)(ByteView body, int16_t version, FieldNode& out, std::string& error_field,
                                         size_t& error_offset);
    // Decode then encode again: golden tests compare the bytes.
    std::error_code (*reencode_request)(ByteView body, int16_t version, Bytes& out);
    std::error_code (*reencode_response)(ByteView body, int16_t version, Bytes& out);
    // Encode a default-constructed message.
    std::error_code (*encode_default_request)(int16_t version, Bytes& out);
    std::error_code (*encode_default_response)(int16_t version, Bytes& out);
};

const std::vector<ApiCodec>& all_codecs();
const ApiCodec* find_codec(int16_t key);
// By Kafka name ("Produce") or by number ("0").
const ApiCodec* find_codec(const std::string& name_or_key);

// One frame decoded: header fields and body fields, or where decoding stopped.
struct DecodedFrame {
    bool request = true;
    int16_t api_key = -1;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    FieldNode header;
    FieldNode body;
    bool known_api = false;    // false: the body is shown as raw bytes
    std::error_code error;     // decoding stopped here
    std::string error_field;
    size_t error_offset = 0;   // from the start of the frame (after the size prefix)
    std::string note;          // a quirk that was handled, for the reader
};

// `frame` is one frame without its 4-byte size prefix.
DecodedFrame decode_request_frame(ByteView frame);
// A response does not name its API: the caller knows it from the request.
DecodedFrame decode_response_frame(ByteView frame, int16_t api_key, int16_t api_version);

// "Produce v7 request corr=3" then the fields, indented.
std::string render_frame_text(const DecodedFrame& f);
// {"direction":"request","api":"Produce","api_key":0,"version":7,"correlation_id":3,"header":{...},"body":{...}}
std::string render_frame_json(const DecodedFrame& f);

}  // namespace kafka
