#include "protocol/reader.hpp"

namespace kafka {

double Reader::f64() {
    uint64_t bits = fixed<uint64_t>();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

Uuid Reader::uuid() {
    Uuid u;
    ByteView v = take(16);
    if (ok()) std::memcpy(u.bytes.data(), v.data, 16);
    return u;
}

uint64_t Reader::uvarlong() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (ec_ || pos_ >= size_) {
            fail(client_errc::truncated);
            return 0;
        }
        uint8_t b = data_[pos_++];
        // The tenth byte may carry only the top bit of a 64-bit value.
        if (shift == 63 && b > 1) {
            --pos_;
            fail(client_errc::malformed);
            return 0;
        }
        value |= static_cast<uint64_t>(b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
    }
    fail(client_errc::malformed);
    return 0;
}

uint32_t Reader::uvarint() {
    size_t start = pos_;
    uint64_t v = uvarlong();
    if (ok() && v > 0xffffffffu) {
        pos_ = start;
        fail(client_errc::malformed);
        return 0;
    }
    return static_cast<uint32_t>(v);
}

int32_t Reader::varint() {
    uint32_t u = uvarint();
    return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t Reader::varlong() {
    uint64_t u = uvarlong();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

ByteView Reader::take(size_t n) {
    if (ec_ || size_ - pos_ < n) {
        fail(client_errc::truncated);
        return {};
    }
    ByteView v{data_ + pos_, n};
    pos_ += n;
    return v;
}

int64_t Reader::length(bool compact, bool wide) {
    size_t start = pos_;
    int64_t n;
    if (compact) {
        n = static_cast<int64_t>(uvarint()) - 1;
    } else {
        n = wide ? i32() : i16();
    }
    if (ec_) return -1;
    if (n < -1) {
        pos_ = start;
        fail(client_errc::malformed);
        return -1;
    }
    if (n > static_cast<int64_t>(size_ - pos_)) {
        pos_ = start;
        fail(client_errc::length_too_large);
        return -1;
    }
    return n;
}

ByteView Reader::bytes_view(bool compact, bool* is_null) {
    int64_t n = length(compact, /*wide=*/true);
    if (is_null) *is_null = ok() && n == -1;
    if (n <= 0) return {};
    return take(static_cast<size_t>(n));
}

std::optional<std::string> Reader::nullable_string(bool compact) {
    int64_t n = length(compact, /*wide=*/false);
    if (n < 0) return std::nullopt;
    ByteView v = take(static_cast<size_t>(n));
    return std::string(reinterpret_cast<const char*>(v.data), v.size);
}

std::string Reader::string(bool compact) {
    size_t start = pos_;
    auto s = nullable_string(compact);
    if (ok() && !s) {
        pos_ = start;
        fail(client_errc::malformed);  // null where the schema forbids it
    }
    return s ? std::move(*s) : std::string();
}

std::optional<Bytes> Reader::nullable_bytes(bool compact) {
    bool is_null = false;
    ByteView v = bytes_view(compact, &is_null);
    if (!ok() || is_null) return std::nullopt;
    return Bytes(v.begin(), v.end());
}

Bytes Reader::bytes(bool compact) {
    size_t start = pos_;
    bool is_null = false;
    ByteView v = bytes_view(compact, &is_null);
    if (ok() && is_null) {
        pos_ = start;
        fail(client_errc::malformed);
    }
    return Bytes(v.begin(), v.end());
}

int32_t Reader::array_length(bool compact) {
    size_t start = pos_;
    int64_t n = compact ? static_cast<int64_t>(uvarint()) - 1 : i32();
    if (ec_) return -1;
    if (n < -1) {
        pos_ = start;
        fail(client_errc::malformed);
        return -1;
    }
    if (n > static_cast<int64_t>(size_ - pos_)) {
        pos_ = start;
        fail(client_errc::length_too_large);
        return -1;
    }
    return static_cast<int32_t>(n);
}

}  // namespace kafka
