#include "protocol/messages/metadata.hpp"

namespace kafka {
namespace {

// librdkafka quirks, seen in the captures: bytes after the end of a flexible
// Metadata message. Kafka brokers and clients stop reading after the last
// field and never notice them. We read the message as a broker does and keep
// what is left in `trailing_bytes`, written back after the message, so a frame
// re-encodes exactly as it came. Nothing else is accepted after a message.
//
//  - Requests from librdkafka 2.x clients (kcat 2.15) that ask for all topics
//    at v9+: the topic count is written into a 4-byte placeholder that is not
//    shrunk to the 1-byte null count, so 3 zero bytes follow it. A broker reads
//    them as allow_auto_topic_creation=false, no topic authorized operations
//    and no tagged fields; the 3 bytes librdkafka meant for those fields are
//    left over.
//  - Responses from the librdkafka 2.15 mock broker: the top-level tagged
//    field count is written twice, leaving one 0x00 over.
size_t librdkafka_trailer(const MetadataRequest& m, const Reader& r, int16_t version) {
    if (version < MetadataRequest::first_flexible || m.topics.has_value()) return 0;
    return r.remaining() == 3 ? 3 : 0;
}
size_t librdkafka_trailer(const MetadataResponse&, const Reader& r, int16_t version) {
    if (version < MetadataResponse::first_flexible) return 0;
    return r.remaining() == 1 && *r.current() == 0x00 ? 1 : 0;
}

template <class M>
Result<M> decode_keeping_trailer(Reader& r, int16_t version) {
    auto m = decode_fields<M>(r, version);
    if (!m) return m;
    if (size_t n = librdkafka_trailer(*m, r, version)) {
        ByteView rest = r.take(n);
        m->trailing_bytes.assign(rest.begin(), rest.end());
    }
    return m;
}

}  // namespace

void MetadataRequest::add_topic(std::string topic_name) {
    if (!topics) topics.emplace();
    Topic t;
    t.name = std::move(topic_name);
    topics->push_back(std::move(t));
}

void MetadataRequest::encode(Writer& w, int16_t version) const {
    encode_fields(*this, w, version);
    w.raw(trailing_bytes);
}
Result<MetadataRequest> MetadataRequest::decode(Reader& r, int16_t version) {
    return decode_keeping_trailer<MetadataRequest>(r, version);
}

void MetadataResponse::encode(Writer& w, int16_t version) const {
    encode_fields(*this, w, version);
    w.raw(trailing_bytes);
}
Result<MetadataResponse> MetadataResponse::decode(Reader& r, int16_t version) {
    return decode_keeping_trailer<MetadataResponse>(r, version);
}

const MetadataResponse::Broker* MetadataResponse::find_broker(int32_t node_id) const {
    for (const auto& b : brokers)
        if (b.node_id == node_id) return &b;
    return nullptr;
}

const MetadataResponse::Topic* MetadataResponse::find_topic(const std::string& topic_name) const {
    for (const auto& t : topics)
        if (t.name && *t.name == topic_name) return &t;
    return nullptr;
}

}  // namespace kafka
