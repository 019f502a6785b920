// gzip through zlib. Kafka's Java client writes one gzip member
// (GZIPOutputStream); readers accept several concatenated members, as
// GZIPInputStream does, and like it ignore trailing bytes that do not start
// another member.
#include <zlib.h>

#include <climits>

#include "protocol/compression/codecs.hpp"

namespace kafka::detail {

namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr uInt kMaxChunk = UINT_MAX;      // zlib counts in uInt

uInt chunk(size_t n) { return n > kMaxChunk ? kMaxChunk : static_cast<uInt>(n); }

struct Deflater {
    z_stream z{};
    bool ok = false;
    Deflater() {
        ok = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                          Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~Deflater() {
        if (ok) deflateEnd(&z);
    }
};

struct Inflater {
    z_stream z{};
    bool ok = false;
    Inflater() { ok = inflateInit2(&z, kGzipWindowBits) == Z_OK; }
    ~Inflater() {
        if (ok) inflateEnd(&z);
    }
};

}  // namespace

std::error_code gzip_compress(ByteView in, Bytes& out) {
    Deflater d;
    if (!d.ok) return client_errc::compression_failed;
    z_stream& z = d.z;
    size_t base = out.size();
    // deflateBound covers the whole input in one go when it fits in uLong.
    size_t bound = deflateBound(&z, static_cast<uLong>(in.size)) + 16;
    out.resize(base + bound);
    size_t used = base;
    const uint8_t* src = in.data;
    size_t left = in.size;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (used == out.size()) out.resize(out.size() + out.size() / 2 + 4096);
        z.next_in = const_cast<Bytef*>(src);
        z.avail_in = chunk(left);
        z.next_out = out.data() + used;
        z.avail_out = chunk(out.size() - used);
        uInt in_before = z.avail_in, out_before = z.avail_out;
        rc = deflate(&z, z.avail_in == left ? Z_FINISH : Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            out.resize(base);
            return client_errc::compression_failed;
        }
        src += in_before - z.avail_in;
        left -= in_before - z.avail_in;
        used += out_before - z.avail_out;
    }
    out.resize(used);
    return {};
}

std::error_code gzip_decompress(ByteView in, Bytes& out, size_t limit) {
    if (in.size < 2) return client_errc::decompression_failed;
    Inflater f;
    if (!f.ok) return client_errc::decompression_failed;
    z_stream& z = f.z;
    BoundedOutput sink(out, limit, in.size * 4);
    const uint8_t* src = in.data;
    size_t left = in.size;
    for (;;) {
        z.next_in = const_cast<Bytef*>(src);
        z.avail_in = chunk(left);
        z.next_out = sink.data();
        z.avail_out = chunk(sink.space());
        uInt in_before = z.avail_in, out_before = z.avail_out;
        int rc = inflate(&z, Z_NO_FLUSH);
        size_t consumed = in_before - z.avail_in;
        size_t produced = out_before - z.avail_out;
        src += consumed;
        left -= consumed;
        if (!sink.commit(produced)) return client_errc::decompression_limit;
        if (rc == Z_STREAM_END) {
            // Another member follows only if it starts with the gzip magic.
            if (left < 2 || src[0] != 0x1f || src[1] != 0x8b) return {};
            if (inflateReset(&z) != Z_OK) return client_errc::decompression_failed;
            continue;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR) {
            // No progress with room on both sides: the input ends inside the stream.
            if (consumed == 0 && produced == 0) return client_errc::decompression_failed;
            continue;
        }
        return client_errc::decompression_failed;  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR
    }
}

}  // namespace kafka::detail
