// Helpers for golden tests: frames recorded from third-party clients and
// brokers (testdata/captures) must decode and re-encode byte for byte.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "protocol/field_io.hpp"
#include "protocol/header.hpp"
#include "protocol/kcap.hpp"

namespace kafka::test {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open " << path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline KcapFile load_kcap(const std::string& rel) {
    auto text = read_file(std::string(KAFKA_TESTDATA_DIR) + "/" + rel);
    auto f = parse_kcap(text);
    REQUIRE_MESSAGE(f.has_value(), "cannot parse " << rel);
    return std::move(*f);
}

// Splits a request frame into header and body; returns the body offset.
inline size_t request_body_offset(const KcapFrame& f, int16_t first_flexible) {
    Reader r(f.bytes);
    auto h = RequestHeader::decode(r, request_header_version(f.api_key, f.version, first_flexible));
    REQUIRE(h.has_value());
    return r.position();
}

inline size_t response_body_offset(const KcapFrame& f, int16_t first_flexible) {
    Reader r(f.bytes);
    auto h = ResponseHeader::decode(r, response_header_version(f.api_key, f.version, first_flexible));
    REQUIRE(h.has_value());
    return r.position();
}

// Decodes `body` as M at `version`, checks nothing is left over, re-encodes
// and compares. Returns the decoded message.
template <class M>
M golden_roundtrip(ByteView body, int16_t version, const std::string& where) {
    Reader r(body);
    auto m = M::decode(r, version);  // the entry point, with any per-message quirk handling
    std::string field;
    if (!m) {
        Reader again(body);
        (void)decode_fields<M>(again, version, &field);
    }
    INFO(where << " v" << version << " field=" << field << " offset=" << r.error_offset());
    REQUIRE(m.has_value());
    REQUIRE(r.finish() == std::error_code{});
    Writer w;
    m->encode(w, version);
    REQUIRE(w.ok());
    CHECK(to_hex(w.buffer()) == to_hex(body));
    return std::move(*m);
}

// Runs golden_roundtrip over every request (Req) and response (Req::response_type)
// frame of Req's API in a capture file. Returns how many frames were checked.
template <class Req>
int golden_file(const std::string& rel) {
    using Resp = typename Req::response_type;
    auto file = load_kcap(rel);
    int n = 0;
    for (const auto& f : file.frames) {
        if (f.api_key != Req::key) continue;
        std::string where = rel + ":" + std::to_string(f.line);
        if (f.request) {
            size_t off = request_body_offset(f, Req::first_flexible);
            golden_roundtrip<Req>(ByteView(f.bytes).subview(off), f.version, where);
        } else {
            size_t off = response_body_offset(f, Resp::first_flexible);
            golden_roundtrip<Resp>(ByteView(f.bytes).subview(off), f.version, where);
        }
        ++n;
    }
    return n;
}

// Every version: a default-constructed message encodes, decodes and encodes again identically.
template <class M>
void roundtrip_all_versions(const M& sample) {
    for (int16_t v = M::versions.min; v <= M::versions.max; ++v) {
        INFO(M::name << " v" << v);
        Writer w;
        sample.encode(w, v);
        if (!w.ok()) continue;  // the sample uses a field this version lacks
        Reader r(w.buffer());
        auto d = M::decode(r, v);
        REQUIRE(d.has_value());
        REQUIRE(r.finish() == std::error_code{});
        Writer w2;
        d->encode(w2, v);
        REQUIRE(w2.ok());
        CHECK(to_hex(w2.buffer()) == to_hex(w.buffer()));
    }
}

}  // namespace kafka::test
