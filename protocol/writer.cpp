#include "protocol/writer.hpp"

#include "protocol/crc32c.hpp"

namespace kafka {

void Writer::string(std::string_view s, bool compact) {
    if (compact) {
        uvarint(static_cast<uint32_t>(s.size() + 1));
    } else {
        if (s.size() > 0x7fff) fail(client_errc::invalid_argument);
        i16(static_cast<int16_t>(s.size()));
    }
    raw(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

void Writer::nullable_string(const std::optional<std::string>& s, bool compact) {
    if (!s) {
        if (compact) uvarint(0);
        else i16(-1);
        return;
    }
    string(*s, compact);
}

void Writer::bytes(ByteView b, bool compact) {
    if (compact) uvarint(static_cast<uint32_t>(b.size + 1));
    else i32(static_cast<int32_t>(b.size));
    raw(b);
}

void Writer::null_bytes(bool compact) {
    if (compact) uvarint(0);
    else i32(-1);
}

void Writer::nullable_bytes(const std::optional<Bytes>& b, bool compact) {
    if (!b) null_bytes(compact);
    else bytes(*b, compact);
}

void Writer::array_length(int32_t n, bool compact) {
    if (compact) uvarint(static_cast<uint32_t>(n + 1));
    else i32(n);
}

void Writer::patch_i32(size_t at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    buf_[at] = static_cast<uint8_t>(u >> 24);
    buf_[at + 1] = static_cast<uint8_t>(u >> 16);
    buf_[at + 2] = static_cast<uint8_t>(u >> 8);
    buf_[at + 3] = static_cast<uint8_t>(u);
}

void Writer::patch_crc32c(size_t at, size_t from) {
    uint32_t crc = crc32c(0, buf_.data() + from, buf_.size() - from);
    patch_i32(at, static_cast<int32_t>(crc));
}

}  // namespace kafka
