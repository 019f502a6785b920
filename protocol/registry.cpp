#include "protocol/registry.hpp"

#include <algorithm>

#include "protocol/api_names.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/all.hpp"

namespace kafka {
namespace {

template <class M>
std::error_code describe_body(ByteView body, int16_t version, FieldNode& out, std::string& error_field,
                              size_t& error_offset) {
    Reader r(body);
    auto m = M::decode(r, version);
    std::error_code ec = m ? r.finish() : m.error();
    if (!ec) {
        describe_fields(*m, out, version);
        return {};
    }
    if (!m) {
        // Walk again to name the field where decoding stopped.
        Reader again(body);
        (void)decode_fields<M>(again, version, &error_field);
        error_offset = again.error_offset();
    } else {
        error_field = "(after the last field)";
        error_offset = r.error_offset();
    }
    return ec;
}

template <class M>
std::error_code reencode_body(ByteView body, int16_t version, Bytes& out) {
    Reader r(body);
    auto m = M::decode(r, version);
    if (!m) return m.error();
    if (auto ec = r.finish()) return ec;
    Writer w;
    m->encode(w, version);
    if (!w.ok()) return w.error();
    out = w.take();
    return {};
}

template <class M>
std::error_code encode_default(int16_t version, Bytes& out) {
    Writer w;
    M{}.encode(w, version);
    if (!w.ok()) return w.error();
    out = w.take();
    return {};
}

template <class Req>
ApiCodec codec_for() {
    using Resp = typename Req::response_type;
    return ApiCodec{Req::key,
                    Req::name,
                    Req::versions,
                    Req::first_flexible,
                    &describe_body<Req>,
                    &describe_body<Resp>,
                    &reencode_body<Req>,
                    &reencode_body<Resp>,
                    &encode_default<Req>,
                    &encode_default<Resp>};
}

template <class... Reqs>
std::vector<ApiCodec> make_codecs(TypeList<Reqs...>) {
    std::vector<ApiCodec> v{codec_for<Reqs>()...};
    std::sort(v.begin(), v.end(), [](const ApiCodec& a, const ApiCodec& b) { return a.key < b.key; });
    return v;
}

FieldNode request_header_node(const RequestHeader& h) {
    FieldNode n = FieldNode::object("header");
    n.children.push_back(FieldNode::number("request_api_key", h.request_api_key));
    n.children.push_back(FieldNode::number("request_api_version", h.request_api_version));
    n.children.push_back(FieldNode::number("correlation_id", h.correlation_id));
    n.children.push_back(h.client_id ? FieldNode::string("client_id", *h.client_id) : FieldNode::null("client_id"));
    for (const auto& t : h.unknown_tags) {
        FieldNode tag = FieldNode::hex("unknown_tag", t.data);
        tag.tag = t.tag;
        n.children.push_back(std::move(tag));
    }
    return n;
}

void decode_body(DecodedFrame& f, ByteView frame, size_t body_at) {
    ByteView body = frame.subview(body_at);
    const ApiCodec* codec = find_codec(f.api_key);
    f.body = FieldNode::object("body");
    if (codec == nullptr || !codec->versions.contains(f.api_version)) {
        f.known_api = false;
        f.body.children.push_back(FieldNode::hex("raw", body));
        if (codec != nullptr) f.note = "version not implemented; body shown raw";
        return;
    }
    f.known_api = true;
    size_t off = 0;
    auto fn = f.request ? codec->describe_request : codec->describe_response;
    f.error = fn(body, f.api_version, f.body, f.error_field, off);
    if (f.error) f.error_offset = body_at + off;
}

}  // namespace

const std::vector<ApiCodec>& all_codecs() {
    static const std::vector<ApiCodec> codecs = make_codecs(AllRequests{});
    return codecs;
}

const ApiCodec* find_codec(int16_t key) {
    for (const auto& c : all_codecs())
        if (c.key == key) return &c;
    return nullptr;
}

const ApiCodec* find_codec(const std::string& name_or_key) {
    if (!name_or_key.empty() && name_or_key.find_first_not_of("0123456789") == std::string::npos &&
        name_or_key.size() < 6)
        return find_codec(static_cast<int16_t>(std::stoi(name_or_key)));
    for (const auto& c : all_codecs())
        if (name_or_key == c.name) return &c;
    return nullptr;
}

DecodedFrame decode_request_frame(ByteView frame) {
    DecodedFrame f;
    f.request = true;
    Reader peek(frame);
    f.api_key = peek.i16();
    f.api_version = peek.i16();
    if (!peek.ok()) {
        f.error = peek.error();
        f.error_field = "header.request_api_version";
        f.error_offset = peek.error_offset();
        return f;
    }
    const ApiCodec* codec = find_codec(f.api_key);
    // Without a codec the flexible versions are unknown: assume header v1.
    int16_t hv = codec ? request_header_version(f.api_key, f.api_version, codec->first_flexible) : 1;
    Reader r(frame);
    auto h = RequestHeader::decode(r, hv);
    if (!h) {
        f.error = h.error();
        f.error_field = "header";
        f.error_offset = r.error_offset();
        return f;
    }
    f.correlation_id = h->correlation_id;
    f.header = request_header_node(*h);
    decode_body(f, frame, r.position());
    return f;
}

DecodedFrame decode_response_frame(ByteView frame, int16_t api_key, int16_t api_version) {
    DecodedFrame f;
    f.request = false;
    f.api_key = api_key;
    f.api_version = api_version;
    const ApiCodec* codec = find_codec(api_key);
    int16_t hv = codec ? response_header_version(api_key, api_version, codec->first_flexible) : 0;
    Reader r(frame);
    auto h = ResponseHeader::decode(r, hv);
    if (!h) {
        f.error = h.error();
        f.error_field = "header.correlation_id";
        f.error_offset = r.error_offset();
        return f;
    }
    f.correlation_id = h->correlation_id;
    f.header = FieldNode::object("header");
    f.header.children.push_back(FieldNode::number("correlation_id", h->correlation_id));
    decode_body(f, frame, r.position());
    return f;
}

std::string render_frame_text(const DecodedFrame& f) {
    std::string s = api_name(f.api_key) + " v" + std::to_string(f.api_version) +
                    (f.request ? " request" : " response") + " corr=" + std::to_string(f.correlation_id) + "\n";
    if (!f.note.empty()) s += "  note: " + f.note + "\n";
    s += render_text(f.header, 1);
    s += render_text(f.body, 1);
    if (f.error)
        s += "  error: " + f.error.message() + " at offset " + std::to_string(f.error_offset) + " (field " +
             f.error_field + ")\n";
    return s;
}

std::string render_frame_json(const DecodedFrame& f) {
    std::string s = "{\"direction\":";
    s += f.request ? "\"request\"" : "\"response\"";
    s += ",\"api\":" + json_quote(api_name(f.api_key));
    s += ",\"api_key\":" + std::to_string(f.api_key);
    s += ",\"version\":" + std::to_string(f.api_version);
    s += ",\"correlation_id\":" + std::to_string(f.correlation_id);
    s += ",\"header\":" + render_json(f.header);
    s += ",\"body\":" + render_json(f.body);
    if (!f.note.empty()) s += ",\"note\":" + json_quote(f.note);
    if (f.error) {
        s += ",\"error\":{\"message\":" + json_quote(f.error.message()) +
             ",\"offset\":" + std::to_string(f.error_offset) + ",\"field\":" + json_quote(f.error_field) + "}";
    }
    s += "}";
    return s;
}

}  // namespace kafka
