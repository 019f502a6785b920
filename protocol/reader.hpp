// A bounds-checked cursor over bytes. The first error sticks: after it every
// read returns a zero value and the cursor stops moving, so decoders read
// straight through and check once. finish() reports the error and rejects
// trailing bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include "protocol/errors.hpp"
#include "protocol/types.hpp"

namespace kafka {

class Reader {
public:
    Reader() = default;
    explicit Reader(ByteView in) : data_(in.data), size_(in.size) {}
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    // Fixed-width big-endian integers.
    int8_t i8() { return static_cast<int8_t>(fixed<uint8_t>()); }
    int16_t i16() { return static_cast<int16_t>(fixed<uint16_t>()); }
    int32_t i32() { return static_cast<int32_t>(fixed<uint32_t>()); }
    int64_t i64() { return static_cast<int64_t>(fixed<uint64_t>()); }
    uint8_t u8() { return fixed<uint8_t>(); }
    uint16_t u16() { return fixed<uint16_t>(); }
    uint32_t u32() { return fixed<uint32_t>(); }
    bool boolean() { return u8() != 0; }
    double f64();
    Uuid uuid();

    // Variable-length integers (protobuf style). Signed ones are zig-zag.
    uint32_t uvarint();
    uint64_t uvarlong();
    int32_t varint();
    int64_t varlong();

    // Strings and bytes, classic (int16/int32 length) or compact (uvarint N+1).
    std::string string(bool compact);
    std::optional<std::string> nullable_string(bool compact);
    Bytes bytes(bool compact);
    std::optional<Bytes> nullable_bytes(bool compact);
    // A view into the input, no copy. Null is reported through `is_null`.
    ByteView bytes_view(bool compact, bool* is_null = nullptr);

    // Array element count: int32 or compact uvarint N+1; -1 means null.
    // A count larger than the bytes that remain is an error (every element
    // takes at least one byte), so callers may reserve() the count.
    int32_t array_length(bool compact);

    ByteView take(size_t n);  // n raw bytes
    void skip(size_t n) { take(n); }

    size_t remaining() const { return ec_ ? 0 : size_ - pos_; }
    size_t position() const { return pos_; }
    const uint8_t* current() const { return data_ + pos_; }
    bool ok() const { return !ec_; }
    std::error_code error() const { return ec_; }
    size_t error_offset() const { return error_offset_; }

    // Records the first error at the current position.
    void fail(std::error_code ec) {
        if (!ec_) {
            ec_ = ec;
            error_offset_ = pos_;
        }
    }
    // The error, or trailing_bytes when input is left over.
    std::error_code finish() {
        if (!ec_ && pos_ != size_) fail(client_errc::trailing_bytes);
        return ec_;
    }

private:
    template <class T>
    T fixed() {
        if (ec_ || size_ - pos_ < sizeof(T)) {
            fail(client_errc::truncated);
            return 0;
        }
        T v = 0;
        for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
        pos_ += sizeof(T);
        return v;
    }
    // Length of a string/bytes field: -1 for null, else checked against what remains.
    int64_t length(bool compact, bool wide);

    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t pos_ = 0;
    std::error_code ec_;
    size_t error_offset_ = 0;
};

}  // namespace kafka
