// Snappy, written here without a library.
//
// The raw block format: a uvarint uncompressed length, then elements, each
// a tag byte whose low two bits say what follows:
//   00 literal: length-1 in the upper six bits, or 60..63 there meaning
//      1..4 little-endian bytes of length-1 follow; then the bytes;
//   01 copy, length 4..11 in bits 2..4, offset 11 bits (bits 5..7 + 1 byte);
//   10 copy, length 1..64 in bits 2..7, offset 2 bytes little-endian;
//   11 copy, length 1..64 in bits 2..7, offset 4 bytes little-endian.
//
// Kafka's Java client (through snappy-java) and librdkafka write the xerial
// framing: an 8-byte magic, int32 version and compatible version, then
// blocks of [int32 big-endian compressed length][raw snappy block]. Some old
// producers wrote raw blocks, so reads accept both, told apart by the magic.
#include <cstring>

#include "protocol/compression/codecs.hpp"

namespace kafka::detail {

namespace {

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;  // magic, int32 version, int32 compatible
constexpr size_t kXerialBlockSize = 32 * 1024;

// The compressor works on blocks of 64 KiB so that every offset fits in the
// two-byte copy form and positions fit in uint16_t hash slots.
constexpr size_t kBlockSize = 1 << 16;
constexpr int kHashBits = 14;

uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// How many bytes a and b share from the start, looking at most at `max`.
size_t match_length(const uint8_t* a, const uint8_t* b, size_t max) {
    size_t len = 0;
    while (len + 8 <= max) {
        uint64_t diff = load64(a + len) ^ load64(b + len);
        if (diff) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return len + (static_cast<size_t>(__builtin_ctzll(diff)) >> 3);
#else
            break;
#endif
        }
        len += 8;
    }
    while (len < max && a[len] == b[len]) ++len;
    return len;
}

uint32_t hash32(uint32_t v, int bits) { return (v * 0x1e35a7bdu) >> (32 - bits); }

size_t max_raw_size(size_t n) { return 5 + 32 + n + n / 6; }

uint8_t* put_uvarint(uint8_t* op, uint32_t v) {
    while (v >= 0x80) {
        *op++ = static_cast<uint8_t>(v | 0x80);
        v >>= 7;
    }
    *op++ = static_cast<uint8_t>(v);
    return op;
}

uint8_t* emit_literal(uint8_t* op, const uint8_t* src, size_t len) {
    size_t n = len - 1;
    if (n < 60) {
        *op++ = static_cast<uint8_t>(n << 2);
    } else {
        int count = n < (1u << 8) ? 1 : n < (1u << 16) ? 2 : n < (1u << 24) ? 3 : 4;
        *op++ = static_cast<uint8_t>((59 + count) << 2);
        for (int i = 0; i < count; ++i) *op++ = static_cast<uint8_t>(n >> (8 * i));
    }
    std::memcpy(op, src, len);
    return op + len;
}

// One copy element of 1..64 bytes, 4..11 with a short offset when possible.
uint8_t* emit_copy_upto64(uint8_t* op, size_t offset, size_t len) {
    if (len <= 11 && len >= 4 && offset < 2048) {
        *op++ = static_cast<uint8_t>(1 | ((len - 4) << 2) | ((offset >> 8) << 5));
        *op++ = static_cast<uint8_t>(offset);
    } else {
        *op++ = static_cast<uint8_t>(2 | ((len - 1) << 2));
        *op++ = static_cast<uint8_t>(offset);
        *op++ = static_cast<uint8_t>(offset >> 8);
    }
    return op;
}

uint8_t* emit_copy(uint8_t* op, size_t offset, size_t len) {
    // Long matches go out in 64-byte pieces, keeping the last piece >= 4.
    while (len >= 68) {
        op = emit_copy_upto64(op, offset, 64);
        len -= 64;
    }
    if (len > 64) {
        op = emit_copy_upto64(op, offset, 60);
        len -= 60;
    }
    return emit_copy_upto64(op, offset, len);
}

// Compresses one block of at most kBlockSize bytes; greedy matching of 4-byte
// sequences found through a hash table of recent positions. After a run of
// misses the scan skips ahead faster, so incompressible data costs little.
uint8_t* compress_block(const uint8_t* src, size_t n, uint8_t* op, uint16_t* table) {
    // A table no larger than the block: clearing it is then cheap for small blocks.
    int bits = 8;
    while (bits < kHashBits && (size_t{1} << bits) < n) ++bits;
    std::memset(table, 0, sizeof(uint16_t) << bits);
    size_t literal_start = 0;
    size_t i = 1;
    uint32_t misses = 32;
    while (n >= 8 && i + 4 <= n) {
        uint32_t v = load32(src + i);
        uint32_t h = hash32(v, bits);
        size_t candidate = table[h];
        table[h] = static_cast<uint16_t>(i);
        if (candidate >= i || load32(src + candidate) != v) {
            i += misses++ >> 5;
            continue;
        }
        size_t len = 4 + match_length(src + candidate + 4, src + i + 4, n - i - 4);
        if (i > literal_start) op = emit_literal(op, src + literal_start, i - literal_start);
        op = emit_copy(op, i - candidate, len);
        i += len;
        literal_start = i;
        misses = 32;
        if (i - 1 + 4 <= n) table[hash32(load32(src + i - 1), bits)] = static_cast<uint16_t>(i - 1);
    }
    if (literal_start < n) op = emit_literal(op, src + literal_start, n - literal_start);
    return op;
}

// Reads a uvarint32 at [p, end); nullptr when truncated or too long.
const uint8_t* get_uvarint(const uint8_t* p, const uint8_t* end, uint32_t& v) {
    v = 0;
    for (int shift = 0; shift < 35 && p < end; shift += 7) {
        uint8_t b = *p++;
        if (shift == 28 && b > 0x0f) return nullptr;
        v |= static_cast<uint32_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) return p;
    }
    return nullptr;
}

uint32_t load_be32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
}

bool is_xerial(ByteView in) {
    return in.size >= sizeof kXerialMagic && std::memcmp(in.data, kXerialMagic, sizeof kXerialMagic) == 0;
}

}  // namespace

void snappy_compress_raw(ByteView in, Bytes& out) {
    size_t base = out.size();
    out.resize(base + max_raw_size(in.size));
    uint8_t* op = put_uvarint(out.data() + base, static_cast<uint32_t>(in.size));
    uint16_t table[1 << kHashBits];
    for (size_t pos = 0; pos < in.size; pos += kBlockSize) {
        size_t n = std::min(kBlockSize, in.size - pos);
        op = compress_block(in.data + pos, n, op, table);
    }
    out.resize(static_cast<size_t>(op - out.data()));
}

std::error_code snappy_decompress_raw(ByteView in, Bytes& out, size_t limit) {
    const uint8_t* ip = in.data;
    const uint8_t* const end = in.data + in.size;
    uint32_t length = 0;
    ip = get_uvarint(ip, end, length);
    if (!ip) return client_errc::decompression_failed;
    if (length > limit) return client_errc::decompression_limit;
    // A copy element expands at most 64/3 times, so a length the input cannot
    // reach is corrupt; checked before allocating it.
    if (length / 22 > static_cast<size_t>(end - ip)) return client_errc::decompression_failed;

    size_t base = out.size();
    out.resize(base + length);
    uint8_t* const ostart = out.data() + base;
    uint8_t* op = ostart;
    uint8_t* const oend = ostart + length;
    while (ip < end) {
        uint8_t tag = *ip++;
        size_t len, offset;
        switch (tag & 3) {
            case 0: {
                len = tag >> 2;
                if (len >= 60) {
                    size_t count = len - 59;
                    if (static_cast<size_t>(end - ip) < count) return client_errc::decompression_failed;
                    len = 0;
                    for (size_t i = 0; i < count; ++i) len |= static_cast<size_t>(ip[i]) << (8 * i);
                    ip += count;
                }
                len += 1;
                if (len <= 16 && end - ip >= 16 && oend - op >= 16) {
                    // Short literal with room on both sides: one fixed-size copy.
                    std::memcpy(op, ip, 16);
                    ip += len;
                    op += len;
                    continue;
                }
                if (static_cast<size_t>(end - ip) < len || static_cast<size_t>(oend - op) < len) {
                    return client_errc::decompression_failed;
                }
                std::memcpy(op, ip, len);
                ip += len;
                op += len;
                continue;
            }
            case 1:
                if (end - ip < 1) return client_errc::decompression_failed;
                len = 4 + ((tag >> 2) & 7);
                offset = static_cast<size_t>(tag >> 5) << 8 | ip[0];
                ip += 1;
                break;
            case 2:
                if (end - ip < 2) return client_errc::decompression_failed;
                len = 1 + (tag >> 2);
                offset = static_cast<size_t>(ip[0]) | static_cast<size_t>(ip[1]) << 8;
                ip += 2;
                break;
            default:
                if (end - ip < 4) return client_errc::decompression_failed;
                len = 1 + (tag >> 2);
                offset = static_cast<size_t>(ip[0]) | static_cast<size_t>(ip[1]) << 8 |
                         static_cast<size_t>(ip[2]) << 16 | static_cast<size_t>(ip[3]) << 24;
                ip += 4;
                break;
        }
        if (offset == 0 || offset > static_cast<size_t>(op - ostart) ||
            len > static_cast<size_t>(oend - op)) {
            return client_errc::decompression_failed;
        }
        if (offset >= 8 && len <= 16 && oend - op >= 16) {
            // Short copy: two 8-byte moves; the second may read what the first
            // wrote, which is what an overlapping copy means.
            std::memcpy(op, op - offset, 8);
            std::memcpy(op + 8, op - offset + 8, 8);
            op += len;
            continue;
        }
        // Overlapping copies repeat a pattern of period `offset`; copying from a
        // fixed start in chunks that double keeps every memcpy disjoint.
        const uint8_t* from = op - offset;
        while (len) {
            size_t n = std::min(len, static_cast<size_t>(op - from));
            std::memcpy(op, from, n);
            op += n;
            len -= n;
        }
    }
    if (op != oend) return client_errc::decompression_failed;
    return {};
}

std::error_code snappy_compress(ByteView in, Bytes& out) {
    out.insert(out.end(), kXerialMagic, kXerialMagic + sizeof kXerialMagic);
    const uint8_t version[8] = {0, 0, 0, 1, 0, 0, 0, 1};  // version 1, compatible 1
    out.insert(out.end(), version, version + sizeof version);
    for (size_t pos = 0; pos < in.size; pos += kXerialBlockSize) {
        size_t n = std::min(kXerialBlockSize, in.size - pos);
        size_t at = out.size();
        out.resize(at + 4);
        snappy_compress_raw(ByteView(in.data + pos, n), out);
        auto len = static_cast<uint32_t>(out.size() - at - 4);
        out[at] = static_cast<uint8_t>(len >> 24);
        out[at + 1] = static_cast<uint8_t>(len >> 16);
        out[at + 2] = static_cast<uint8_t>(len >> 8);
        out[at + 3] = static_cast<uint8_t>(len);
    }
    return {};
}

std::error_code snappy_decompress(ByteView in, Bytes& out, size_t limit) {
    if (!is_xerial(in)) return snappy_decompress_raw(in, out, limit);
    if (in.size < kXerialHeaderSize) return client_errc::decompression_failed;
    size_t base = out.size();
    size_t pos = kXerialHeaderSize;
    while (pos < in.size) {
        if (in.size - pos < 4) return client_errc::decompression_failed;
        uint32_t n = load_be32(in.data + pos);
        pos += 4;
        if (n > in.size - pos) return client_errc::decompression_failed;
        std::error_code ec =
            snappy_decompress_raw(ByteView(in.data + pos, n), out, limit - (out.size() - base));
        if (ec) return ec;
        pos += n;
    }
    return {};
}

}  // namespace kafka::detail
