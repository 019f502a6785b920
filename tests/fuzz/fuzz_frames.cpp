// Every request and response decoder, fed arbitrary bytes. The first two
// bytes choose the codec, the direction and the version.
#include <cstddef>
#include <cstdint>

#include "protocol/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const auto& codecs = kafka::all_codecs();
    const auto& c = codecs[data[0] % codecs.size()];
    bool request = data[1] & 0x80;
    int span = c.versions.max - c.versions.min + 1;
    auto version = static_cast<int16_t>(c.versions.min + (data[1] & 0x7f) % span);
    kafka::ByteView body(data + 2, size - 2);
    kafka::FieldNode out;
    std::string field;
    size_t offset = 0;
    auto ec = (request ? c.describe_request : c.describe_response)(body, version, out, field, offset);
    if (!ec) {
        // What decodes and re-encodes is canonical: encoding it again must
        // give the same bytes.
        kafka::Bytes once, twice;
        auto re = request ? c.reencode_request : c.reencode_response;
        if (!re(body, version, once)) {
            if (re(once, version, twice) || once != twice) __builtin_trap();
        }
    }
    // Whole frames, as kcli decode and the trace see them.
    (void)kafka::decode_request_frame(kafka::ByteView(data, size));
    (void)kafka::decode_response_frame(body, c.key, version);
    return 0;
}
