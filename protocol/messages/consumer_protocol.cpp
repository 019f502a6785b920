#include "protocol/messages/consumer_protocol.hpp"

#include <algorithm>

namespace kafka {

void ConsumerProtocolSubscription::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ConsumerProtocolSubscription> ConsumerProtocolSubscription::decode(Reader& r, int16_t version) {
    return decode_fields<ConsumerProtocolSubscription>(r, version);
}

void ConsumerProtocolAssignment::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ConsumerProtocolAssignment> ConsumerProtocolAssignment::decode(Reader& r, int16_t version) {
    return decode_fields<ConsumerProtocolAssignment>(r, version);
}

namespace {

template <class M>
Result<Bytes> encode_versioned(const M& m, int16_t version) {
    if (!M::versions.contains(version)) return client_errc::unsupported_version;
    Writer w;
    w.i16(version);
    m.encode(w, version);
    if (!w.ok()) return w.error();
    return w.take();
}

template <class M>
Result<M> decode_versioned(ByteView bytes, int16_t* version_out) {
    Reader r(bytes);
    const int16_t version = r.i16();
    if (!r.ok()) return r.error();
    if (version < 0) return client_errc::malformed;
    if (version_out) *version_out = version;
    // Newer versions only append fields: read what we know, ignore the rest.
    const bool newer = version > M::versions.max;
    auto m = M::decode(r, std::min(version, M::versions.max));
    if (!m) return m;
    if (!newer && r.finish()) return r.error();
    return m;
}

}  // namespace

Result<Bytes> encode_consumer_subscription(const ConsumerProtocolSubscription& s, int16_t version) {
    return encode_versioned(s, version);
}

Result<Bytes> encode_consumer_assignment(const ConsumerProtocolAssignment& a, int16_t version) {
    return encode_versioned(a, version);
}

Result<ConsumerProtocolSubscription> decode_consumer_subscription(ByteView bytes, int16_t* version) {
    return decode_versioned<ConsumerProtocolSubscription>(bytes, version);
}

Result<ConsumerProtocolAssignment> decode_consumer_assignment(ByteView bytes, int16_t* version) {
    if (bytes.empty()) {
        if (version) *version = -1;
        return ConsumerProtocolAssignment{};
    }
    return decode_versioned<ConsumerProtocolAssignment>(bytes, version);
}

}  // namespace kafka
