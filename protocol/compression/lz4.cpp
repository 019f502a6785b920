// LZ4 in the frame format, as Kafka's KafkaLZ4BlockOutputStream writes it:
// independent 64 KiB blocks, no content size, no content checksum.
//
// KAFKA-3160: before message format v1 (Kafka < 0.10), Kafka computed the
// frame descriptor's header checksum over the magic number too. Brokers keep
// such frames in magic 0 message sets, so with `legacy_header_checksum` the
// header byte is recomputed the standard way before liblz4 checks it.
#include <lz4frame.h>

#include <cstring>
#include <memory>

#include "protocol/compression/codecs.hpp"

namespace kafka::detail {

namespace {

constexpr uint32_t kFrameMagic = 0x184D2204;
constexpr size_t kMaxHeaderSize = 4 + 2 + 8 + 4 + 1;  // magic, FLG BD, size, dict id, HC

struct DctxDeleter {
    void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

// One decompression context per thread: it keeps its block buffers between
// calls, so the consumer does not reallocate them for every batch.
LZ4F_dctx* thread_dctx() {
    thread_local std::unique_ptr<LZ4F_dctx, DctxDeleter> ctx = [] {
        LZ4F_dctx* d = nullptr;
        if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) d = nullptr;
        return std::unique_ptr<LZ4F_dctx, DctxDeleter>(d);
    }();
    return ctx.get();
}

uint32_t load_le32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

// Size of the frame header starting at p (magic included), 0 if p does not
// start a standard frame. Needs at least 5 bytes.
size_t frame_header_size(const uint8_t* p) {
    if (load_le32(p) != kFrameMagic) return 0;
    uint8_t flg = p[4];
    return 4 + 2 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1;
}

}  // namespace

uint32_t xxh32(const uint8_t* p, size_t size, uint32_t seed) noexcept {
    constexpr uint32_t p1 = 0x9E3779B1, p2 = 0x85EBCA77, p3 = 0xC2B2AE3D, p4 = 0x27D4EB2F,
                       p5 = 0x165667B1;
    const uint8_t* end = p + size;
    uint32_t h;
    if (size >= 16) {
        uint32_t v1 = seed + p1 + p2, v2 = seed + p2, v3 = seed, v4 = seed - p1;
        auto round = [](uint32_t acc, uint32_t lane) { return rotl(acc + lane * p2, 13) * p1; };
        while (end - p >= 16) {
            v1 = round(v1, load_le32(p));
            v2 = round(v2, load_le32(p + 4));
            v3 = round(v3, load_le32(p + 8));
            v4 = round(v4, load_le32(p + 12));
            p += 16;
        }
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    } else {
        h = seed + p5;
    }
    h += static_cast<uint32_t>(size);
    while (end - p >= 4) {
        h = rotl(h + load_le32(p) * p3, 17) * p4;
        p += 4;
    }
    while (p < end) h = rotl(h + *p++ * p5, 11) * p1;
    h ^= h >> 15;
    h *= p2;
    h ^= h >> 13;
    h *= p3;
    h ^= h >> 16;
    return h;
}

std::error_code lz4_compress(ByteView in, Bytes& out) {
    LZ4F_preferences_t prefs;
    std::memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    prefs.frameInfo.blockMode = LZ4F_blockIndependent;
    prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
    prefs.frameInfo.frameType = LZ4F_frame;
    prefs.compressionLevel = 0;  // fast, as Kafka's default

    static const uint8_t empty = 0;
    size_t bound = LZ4F_compressFrameBound(in.size, &prefs);
    size_t base = out.size();
    out.resize(base + bound);
    size_t n = LZ4F_compressFrame(out.data() + base, bound, in.size ? in.data : &empty, in.size,
                                  &prefs);
    if (LZ4F_isError(n)) {
        out.resize(base);
        return client_errc::compression_failed;
    }
    out.resize(base + n);
    return {};
}

std::error_code lz4_decompress(ByteView in, Bytes& out, size_t limit, bool legacy_header_checksum) {
    if (in.size == 0) return client_errc::decompression_failed;
    LZ4F_dctx* ctx = thread_dctx();
    if (!ctx) return client_errc::decompression_failed;
    LZ4F_resetDecompressionContext(ctx);

    BoundedOutput sink(out, limit, in.size * 4);
    size_t pos = 0;
    bool in_frame = false;
    // Feeds src to liblz4; false on a corrupt stream. Sets `done` at frame end.
    auto step = [&](const uint8_t* src, size_t& src_len, size_t& produced, bool& done) {
        produced = sink.space();
        size_t hint = LZ4F_decompress(ctx, sink.data(), &produced, src, &src_len, nullptr);
        if (LZ4F_isError(hint)) return false;
        done = hint == 0;
        return true;
    };
    std::error_code ec;
    for (;;) {
        size_t consumed = 0, produced = 0;
        bool done = false;
        if (!in_frame) {
            if (pos == in.size) break;
            in_frame = true;
            size_t hsize = in.size - pos >= 5 ? frame_header_size(in.data + pos) : 0;
            if (legacy_header_checksum && hsize != 0) {
                if (in.size - pos < hsize) {
                    ec = client_errc::decompression_failed;
                    break;
                }
                uint8_t header[kMaxHeaderSize];
                std::memcpy(header, in.data + pos, hsize);
                header[hsize - 1] = static_cast<uint8_t>(xxh32(header + 4, hsize - 5, 0) >> 8);
                consumed = hsize;
                if (!step(header, consumed, produced, done) || consumed != hsize || produced != 0) {
                    ec = client_errc::decompression_failed;
                    break;
                }
                pos += hsize;
                if (done) in_frame = false;
                continue;
            }
        }
        consumed = in.size - pos;
        if (!step(in.data + pos, consumed, produced, done)) {
            ec = client_errc::decompression_failed;
            break;
        }
        pos += consumed;
        if (!sink.commit(produced)) {
            ec = client_errc::decompression_limit;
            break;
        }
        if (done) {
            in_frame = false;
        } else if (consumed == 0 && produced == 0) {
            ec = client_errc::decompression_failed;  // input ends inside a frame
            break;
        }
    }
    if (ec) LZ4F_resetDecompressionContext(ctx);
    return ec;
}

}  // namespace kafka::detail
