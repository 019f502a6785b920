#include "protocol/compression.hpp"

#include "protocol/compression/codecs.hpp"
#include "protocol/errors.hpp"

namespace kafka {

std::string_view compression_name(Compression c) noexcept {
    switch (c) {
        case Compression::none: return "none";
        case Compression::gzip: return "gzip";
        case Compression::snappy: return "snappy";
        case Compression::lz4: return "lz4";
        case Compression::zstd: return "zstd";
    }
    return "unknown";
}

std::optional<Compression> parse_compression(std::string_view name) noexcept {
    for (auto c : {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                   Compression::zstd}) {
        if (name == compression_name(c)) return c;
    }
    return std::nullopt;
}

bool compression_available(Compression c) noexcept {
    switch (c) {
        case Compression::none:
        case Compression::gzip:
        case Compression::snappy:
        case Compression::lz4: return true;
        case Compression::zstd:
#if KAFKA_WITH_ZSTD
            return true;
#else
            return false;
#endif
    }
    return false;
}

namespace {

std::error_code compress_into(Compression c, ByteView in, Bytes& out) {
    switch (c) {
        case Compression::none: out.insert(out.end(), in.begin(), in.end()); return {};
        case Compression::gzip: return detail::gzip_compress(in, out);
        case Compression::snappy: return detail::snappy_compress(in, out);
        case Compression::lz4: return detail::lz4_compress(in, out);
        case Compression::zstd: return detail::zstd_compress(in, out);
    }
    return client_errc::unsupported_compression;
}

std::error_code decompress_into(Compression c, ByteView in, Bytes& out, size_t limit,
                                bool legacy_lz4) {
    switch (c) {
        case Compression::none:
            if (in.size > limit) return client_errc::decompression_limit;
            out.insert(out.end(), in.begin(), in.end());
            return {};
        case Compression::gzip: return detail::gzip_decompress(in, out, limit);
        case Compression::snappy: return detail::snappy_decompress(in, out, limit);
        case Compression::lz4: return detail::lz4_decompress(in, out, limit, legacy_lz4);
        case Compression::zstd: return detail::zstd_decompress(in, out, limit);
    }
    return client_errc::unsupported_compression;
}

}  // namespace

// On failure `out` is left as it was.
std::error_code compress(Compression c, ByteView in, Bytes& out) {
    size_t before = out.size();
    std::error_code ec = compress_into(c, in, out);
    if (ec) out.resize(before);
    return ec;
}

std::error_code decompress(Compression c, ByteView in, Bytes& out, size_t limit, bool legacy_lz4) {
    size_t before = out.size();
    std::error_code ec = decompress_into(c, in, out, limit, legacy_lz4);
    if (ec) out.resize(before);
    return ec;
}

}  // namespace kafka
