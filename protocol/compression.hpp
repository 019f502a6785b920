// Record batch compression codecs, as numbered in the batch attributes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "protocol/types.hpp"

namespace kafka {

enum class Compression : int8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

std::string_view compression_name(Compression c) noexcept;
// "none", "gzip", "snappy", "lz4", "zstd" (as Kafka's compression.type).
std::optional<Compression> parse_compression(std::string_view name) noexcept;
// False for zstd when built without libzstd.
bool compression_available(Compression c) noexcept;

// Default cap on what one decompression may produce (bomb guard).
inline constexpr size_t kDefaultDecompressLimit = 256u * 1024 * 1024;

// Appends the compressed form of `in` to `out`, in the framing Kafka's Java
// client writes (gzip member, LZ4 frame with independent blocks, xerial
// snappy, zstd frame).
std::error_code compress(Compression c, ByteView in, Bytes& out);
// Appends the decompressed form of `in` to `out`. Output beyond `limit` bytes
// is client_errc::decompression_limit. `legacy_lz4` reads the frame header
// checksum as Kafka < 0.10 computed it (message format v0/v1).
std::error_code decompress(Compression c, ByteView in, Bytes& out,
                           size_t limit = kDefaultDecompressLimit, bool legacy_lz4 = false);

}  // namespace kafka
