#include <doctest/doctest.h>

#include <cstring>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "protocol/compression.hpp"
#include "protocol/compression/codecs.hpp"
#include "protocol/errors.hpp"

using namespace kafka;

namespace {

const Compression kCodecs[] = {Compression::none, Compression::gzip, Compression::snappy,
                               Compression::lz4, Compression::zstd};
const Compression kCompressed[] = {Compression::gzip, Compression::snappy, Compression::lz4,
                                   Compression::zstd};

// Text-like data that compresses, with some noise so matches vary.
Bytes text_data(size_t n, uint32_t seed = 1) {
    static const char* words[] = {"kafka ", "record ", "batch ", "offset ", "partition ",
                                  "the quick brown fox ", "jumps ", "over ", "lazy ", "dog "};
    std::mt19937 rng(seed);
    Bytes b;
    b.reserve(n + 32);
    while (b.size() < n) {
        const char* w = words[rng() % 10];
        b.insert(b.end(), w, w + std::strlen(w));
        if (rng() % 7 == 0) b.push_back(static_cast<uint8_t>(rng()));
    }
    b.resize(n);
    return b;
}

Bytes noise_data(size_t n, uint32_t seed = 2) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
}

Bytes from_hex(const std::string& hex) {
    Bytes b;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        b.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return b;
}

Bytes must_compress(Compression c, const Bytes& in) {
    Bytes out;
    REQUIRE(!compress(c, in, out));
    return out;
}

}  // namespace

TEST_CASE("compression: names") {
    for (auto c : kCodecs) CHECK(parse_compression(compression_name(c)) == c);
    CHECK(!parse_compression("brotli"));
    CHECK(compression_available(Compression::gzip));
#if KAFKA_WITH_ZSTD
    CHECK(compression_available(Compression::zstd));
#else
    CHECK(!compression_available(Compression::zstd));
#endif
}

TEST_CASE("compression: round trip every codec and size") {
    const size_t sizes[] = {0, 1, 3, 15, 16, 100, 4096, 32 * 1024, 32 * 1024 + 1, 65536 + 7, 1 << 20};
    for (auto c : kCodecs) {
        if (!compression_available(c)) continue;
        for (size_t n : sizes) {
            for (int kind = 0; kind < 2; ++kind) {
                CAPTURE(compression_name(c));
                CAPTURE(n);
                CAPTURE(kind);
                Bytes in = kind == 0 ? text_data(n) : noise_data(n);
                Bytes packed = must_compress(c, in);
                if (kind == 0 && n >= 4096 && c != Compression::none) CHECK(packed.size() < in.size() / 2);
                Bytes prefix = {9, 9};  // decompress appends
                Bytes out = prefix;
                REQUIRE(!decompress(c, packed, out));
                REQUIRE(out.size() == n + 2);
                if (n) CHECK(std::memcmp(out.data() + 2, in.data(), n) == 0);
                // Exactly at the limit is fine; one byte under is not.
                Bytes exact;
                CHECK(!decompress(c, packed, exact, n));
                if (n > 0) {
                    Bytes under = prefix;
                    CHECK(decompress(c, packed, under, n - 1) == client_errc::decompression_limit);
                    CHECK(under == prefix);  // left as it was
                }
            }
        }
    }
}

TEST_CASE("compression: long runs and overlapping copies") {
    Bytes in(200000, 'a');
    for (size_t i = 0; i < in.size(); i += 1000) in[i] = 'b';
    for (auto c : kCompressed) {
        if (!compression_available(c)) continue;
        Bytes out;
        REQUIRE(!decompress(c, must_compress(c, in), out));
        CHECK(out == in);
    }
}

TEST_CASE("snappy: hand-made raw blocks") {
    struct Case {
        std::string hex;
        std::string want;
    };
    const Case cases[] = {
        {"00", ""},
        {"0510" "68656c6c6f", "hello"},
        {"0c0c" "61626364" "1104", "abcdabcdabcd"},              // copy, 1-byte offset
        {"100c" "61626364" "2e0400", "abcdabcdabcdabcd"},        // copy, 2-byte offset
        {"080c" "61626364" "0f04000000", "abcdabcd"},            // copy, 4-byte offset
        {"0a00" "61" "1501", "aaaaaaaaaa"},                      // overlap: offset 1, length 9
        {"0b04" "6162" "1502", "ababababab" "a"},                // overlap: offset 2, length 9
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        Bytes out;
        REQUIRE(!decompress(Compression::snappy, from_hex(c.hex), out));
        CHECK(std::string(out.begin(), out.end()) == c.want);
    }
    // A literal of 61 bytes: length-1 = 60 needs the one-byte extension.
    Bytes lit = {61, 60 << 2, 60};
    for (int i = 0; i < 61; ++i) lit.push_back(static_cast<uint8_t>('0' + i % 10));
    Bytes out;
    REQUIRE(!decompress(Compression::snappy, lit, out));
    CHECK(out.size() == 61);
    CHECK(out[60] == '0');
}

TEST_CASE("snappy: corrupt raw blocks") {
    const char* bad[] = {
        "",                    // no length
        "ffffffffff",          // length varint too long
        "05" "10" "6865",      // literal runs past the input
        "04" "10" "68656c6c6f",  // literal longer than the stated length
        "0a" "0461" "0500",    // copy with offset 0 (tag 0x05: len 5, offset 0)
        "0a" "0061" "0502",    // offset past what was written
        "06" "0061",           // output shorter than stated
        "0a" "0061" "09",      // copy element cut short
        "02" "f0",             // long literal without its length byte
    };
    for (const char* hex : bad) {
        CAPTURE(hex);
        Bytes out = {1};
        CHECK(decompress(Compression::snappy, from_hex(hex), out) == client_errc::decompression_failed);
        CHECK(out == Bytes{1});
    }
    // A tiny block that claims a huge length is stopped before allocating.
    Bytes claim = from_hex("ffffff7f00");
    Bytes out;
    CHECK(decompress(Compression::snappy, claim, out, 1 << 20) == client_errc::decompression_limit);
    CHECK(decompress(Compression::snappy, claim, out) == client_errc::decompression_failed);
}

TEST_CASE("snappy: xerial framing") {
    Bytes in = text_data(100000);
    Bytes framed = must_compress(Compression::snappy, in);
    const uint8_t header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
    REQUIRE(framed.size() > 16);
    CHECK(std::memcmp(framed.data(), header, 16) == 0);
    // Blocks of at most 32 KiB of input: 100000 bytes make four.
    size_t pos = 16, blocks = 0;
    while (pos < framed.size()) {
        uint32_t n = uint32_t(framed[pos]) << 24 | uint32_t(framed[pos + 1]) << 16 |
                     uint32_t(framed[pos + 2]) << 8 | framed[pos + 3];
        Bytes block;
        REQUIRE(!detail::snappy_decompress_raw(ByteView(framed.data() + pos + 4, n), block, 1 << 20));
        CHECK(block.size() <= 32 * 1024);
        pos += 4 + n;
        ++blocks;
    }
    CHECK(pos == framed.size());
    CHECK(blocks == 4);

    // Raw blocks (no framing) are read too.
    Bytes raw;
    detail::snappy_compress_raw(in, raw);
    Bytes out;
    REQUIRE(!decompress(Compression::snappy, raw, out));
    CHECK(out == in);

    // Header only is an empty stream; a block length past the end is corrupt.
    out.clear();
    CHECK(!decompress(Compression::snappy, ByteView(header, 16), out));
    CHECK(out.empty());
    Bytes bad(header, header + 16);
    for (uint8_t b : {0, 0, 1, 0, 5, 0x10}) bad.push_back(b);
    CHECK(decompress(Compression::snappy, bad, out) == client_errc::decompression_failed);
}

TEST_CASE("lz4: frame as Kafka writes it") {
    Bytes in = text_data(200000);
    Bytes f = must_compress(Compression::lz4, in);
    REQUIRE(f.size() > 7);
    CHECK(f[0] == 0x04);
    CHECK(f[1] == 0x22);
    CHECK(f[2] == 0x4d);
    CHECK(f[3] == 0x18);
    CHECK(f[4] == 0x60);  // version 01, independent blocks, no checksums, no content size
    CHECK(f[5] == 0x40);  // 64 KiB blocks
    CHECK(f[6] == static_cast<uint8_t>(detail::xxh32(f.data() + 4, 2, 0) >> 8));
}

TEST_CASE("lz4: xxh32 reference values") {
    CHECK(detail::xxh32(nullptr, 0, 0) == 0x02CC5D05u);
    CHECK(detail::xxh32(reinterpret_cast<const uint8_t*>("abc"), 3, 0) == 0x32D153FFu);
}

TEST_CASE("lz4: legacy header checksum (KAFKA-3160)") {
    Bytes in = text_data(5000);
    Bytes f = must_compress(Compression::lz4, in);
    // Kafka < 0.10 hashed the magic number too.
    Bytes legacy = f;
    legacy[6] = static_cast<uint8_t>(detail::xxh32(legacy.data(), 6, 0) >> 8);
    REQUIRE(legacy[6] != f[6]);
    Bytes out;
    CHECK(decompress(Compression::lz4, legacy, out) == client_errc::decompression_failed);
    REQUIRE(!decompress(Compression::lz4, legacy, out, kDefaultDecompressLimit, true));
    CHECK(out == in);
    out.clear();
    // The legacy reader takes correct frames too.
    REQUIRE(!decompress(Compression::lz4, f, out, kDefaultDecompressLimit, true));
    CHECK(out == in);
    // Two frames back to back, both legacy.
    Bytes two = legacy;
    two.insert(two.end(), legacy.begin(), legacy.end());
    out.clear();
    REQUIRE(!decompress(Compression::lz4, two, out, kDefaultDecompressLimit, true));
    CHECK(out.size() == 2 * in.size());
    out.clear();
    CHECK(decompress(Compression::lz4, Bytes(legacy.begin(), legacy.begin() + 5), out, 1000, true) ==
          client_errc::decompression_failed);
}

TEST_CASE("gzip: several members and trailing padding") {
    Bytes a = text_data(3000, 7), b = text_data(5000, 8);
    Bytes stream = must_compress(Compression::gzip, a);
    Bytes second = must_compress(Compression::gzip, b);
    stream.insert(stream.end(), second.begin(), second.end());
    Bytes out;
    REQUIRE(!decompress(Compression::gzip, stream, out));
    Bytes want = a;
    want.insert(want.end(), b.begin(), b.end());
    CHECK(out == want);
    stream.insert(stream.end(), 8, 0);  // as GZIPInputStream, trailing non-gzip bytes are ignored
    out.clear();
    REQUIRE(!decompress(Compression::gzip, stream, out));
    CHECK(out == want);
}

TEST_CASE("compression: bombs stop at the limit") {
    for (auto c : kCompressed) {
        if (!compression_available(c)) continue;
        CAPTURE(compression_name(c));
        // Each input is a few KiB at most and expands past the limit.
        size_t limit = c == Compression::snappy ? 16 * 1024 : 256 * 1024;
        size_t plain = c == Compression::snappy ? 40 * 1024 : c == Compression::lz4 ? 480 * 1024 : 2 * 1024 * 1024;
        Bytes bomb = must_compress(c, Bytes(plain, 0));
        CHECK(bomb.size() <= 2100);
        Bytes out;
        CHECK(decompress(c, bomb, out, limit) == client_errc::decompression_limit);
        CHECK(out.empty());
        CHECK(out.capacity() <= limit + 4096);
    }
}

TEST_CASE("compression: garbage is decompression_failed") {
    Bytes junk = noise_data(1000, 99);
    junk[0] = 0x55;  // no codec magic
    for (auto c : kCompressed) {
        if (!compression_available(c)) continue;
        CAPTURE(compression_name(c));
        Bytes out;
        CHECK(decompress(c, junk, out) == client_errc::decompression_failed);
        CHECK(decompress(c, Bytes{}, out) == client_errc::decompression_failed);
    }
    // A valid gzip header over a corrupt body.
    Bytes gz = must_compress(Compression::gzip, text_data(2000));
    for (size_t i = 12; i < gz.size() - 8; ++i) gz[i] ^= 0xA5;
    Bytes out;
    CHECK(decompress(Compression::gzip, gz, out) == client_errc::decompression_failed);
}

TEST_CASE("compression: every truncation and many bit flips are handled") {
    Bytes in = text_data(3000, 5);
    for (auto c : kCompressed) {
        if (!compression_available(c)) continue;
        CAPTURE(compression_name(c));
        Bytes packed = must_compress(c, in);
        for (size_t n = 0; n < packed.size(); ++n) {
            Bytes out;
            std::error_code ec = decompress(c, ByteView(packed.data(), n), out, 1 << 20);
            // Snappy's xerial framing can end at a block boundary; the others
            // cannot end early.
            if (c != Compression::snappy || n < 16) CHECK(ec);
            if (ec) CHECK(out.empty());
        }
        std::mt19937 rng(3);
        for (int round = 0; round < 300; ++round) {
            Bytes bad = packed;
            int flips = 1 + static_cast<int>(rng() % 4);
            for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
            Bytes out;
            std::error_code ec = decompress(c, bad, out, 1 << 16);
            if (!ec) CHECK(out.size() <= (1 << 16));
        }
    }
}
