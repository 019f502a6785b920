// Vocabulary types shared by every message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kafka {

using Bytes = std::vector<uint8_t>;

// A non-owning view of bytes (std::span is C++20).
struct ByteView {
    const uint8_t* data = nullptr;
    size_t size = 0;

    ByteView() = default;
    ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
    ByteView(const Bytes& b) : data(b.data()), size(b.size()) {}  // NOLINT: implicit by design
    ByteView(const std::string& s)                                 // NOLINT
        : data(reinterpret_cast<const uint8_t*>(s.data())), size(s.size()) {}

    const uint8_t* begin() const { return data; }
    const uint8_t* end() const { return data + size; }
    bool empty() const { return size == 0; }
    uint8_t operator[](size_t i) const { return data[i]; }
    ByteView subview(size_t off, size_t n) const { return {data + off, n}; }
    ByteView subview(size_t off) const { return {data + off, size - off}; }
};

struct ApiKey {
    int16_t value;
    constexpr explicit ApiKey(int16_t v) : value(v) {}
    constexpr operator int16_t() const { return value; }  // NOLINT
};

struct VersionRange {
    int16_t min;
    int16_t max;
    constexpr bool contains(int16_t v) const { return v >= min && v <= max; }
};

struct Uuid {
    std::array<uint8_t, 16> bytes{};
    bool operator==(const Uuid& o) const { return bytes == o.bytes; }
    bool operator!=(const Uuid& o) const { return bytes != o.bytes; }
    bool is_zero() const { return *this == Uuid{}; }
    // Kafka prints UUIDs as URL-safe base64 without padding (22 chars).
    std::string to_string() const;
};

// One tagged field we do not know, kept verbatim so it can be written back.
struct TaggedField {
    uint32_t tag = 0;
    Bytes data;
    bool operator==(const TaggedField& o) const { return tag == o.tag && data == o.data; }
};
using TaggedFields = std::vector<TaggedField>;

// The raw `records` field of Produce and Fetch: record batches or message sets
// laid end to end, decoded by protocol/records. Null and empty differ on the wire.
struct RecordsField {
    std::optional<Bytes> data;
    bool operator==(const RecordsField& o) const { return data == o.data; }
};

}  // namespace kafka
