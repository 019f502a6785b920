// An appending byte buffer. Size and CRC fields are reserved first and patched
// once what they cover has been written.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "protocol/errors.hpp"
#include "protocol/types.hpp"

namespace kafka {

class Writer {
public:
    Writer() = default;
    explicit Writer(Bytes buffer) : buf_(std::move(buffer)) {}

    void i8(int8_t v) { fixed(static_cast<uint8_t>(v)); }
    void i16(int16_t v) { fixed(static_cast<uint16_t>(v)); }
    void i32(int32_t v) { fixed(static_cast<uint32_t>(v)); }
    void i64(int64_t v) { fixed(static_cast<uint64_t>(v)); }
    void u8(uint8_t v) { buf_.push_back(v); }
    void u16(uint16_t v) { fixed(v); }
    void u32(uint32_t v) { fixed(v); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void f64(double v) {
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        fixed(bits);
    }
    void uuid(const Uuid& u) { raw(u.bytes.data(), u.bytes.size()); }

    void uvarlong(uint64_t v) {
        while (v >= 0x80) {
            buf_.push_back(static_cast<uint8_t>(v | 0x80));
            v >>= 7;
        }
        buf_.push_back(static_cast<uint8_t>(v));
    }
    void uvarint(uint32_t v) { uvarlong(v); }
    void varint(int32_t v) { uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31)); }
    void varlong(int64_t v) { uvarlong((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }

    void string(std::string_view s, bool compact);
    void nullable_string(const std::optional<std::string>& s, bool compact);
    void bytes(ByteView b, bool compact);
    void nullable_bytes(const std::optional<Bytes>& b, bool compact);
    void null_bytes(bool compact);
    // Array element count, int32 or compact N+1; -1 for null.
    void array_length(int32_t n, bool compact);

    void raw(const uint8_t* p, size_t n) {
        if (n) buf_.insert(buf_.end(), p, p + n);
    }
    void raw(ByteView v) { raw(v.data, v.size); }

    // Reserves an int32 to patch later; returns its position.
    size_t reserve_i32() {
        size_t at = buf_.size();
        buf_.resize(at + 4);
        return at;
    }
    void patch_i32(size_t at, int32_t v);
    // Writes at `at` the CRC-32C of everything from `from` to the end.
    void patch_crc32c(size_t at, size_t from);

    size_t size() const { return buf_.size(); }
    const Bytes& buffer() const { return buf_; }
    Bytes& buffer() { return buf_; }
    Bytes take() { return std::move(buf_); }

    // Encoders report a value the chosen version cannot carry here.
    void fail(std::error_code ec) {
        if (!ec_) ec_ = ec;
    }
    bool ok() const { return !ec_; }
    std::error_code error() const { return ec_; }

private:
    template <class T>
    void fixed(T v) {
        uint8_t b[sizeof(T)];
        for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<uint8_t>(v >> (8 * (sizeof(T) - 1 - i)));
        buf_.insert(buf_.end(), b, b + sizeof(T));
    }

    Bytes buf_;
    std::error_code ec_;
};

}  // namespace kafka
