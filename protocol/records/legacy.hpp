// Private to protocol/records: the legacy message set (v0, v1) decoder that
// decode_records() hands magic 0 and 1 entries to.
#pragma once

#include <system_error>

#include "protocol/records.hpp"

namespace kafka::detail {

// Decodes one outer message: `entry` holds offset, message size and the
// message, exactly (kLogOverhead + size bytes). `scratch` is reused for
// decompression.
std::error_code decode_legacy_message(ByteView entry, const DecodeOptions& options, RecordBatch& out,
                                      Bytes& scratch);

// Minimum message sizes (after the size field) per magic.
inline constexpr int32_t kMessageOverheadV0 = 4 + 1 + 1 + 4 + 4;  // crc magic attributes key value
inline constexpr int32_t kMessageOverheadV1 = kMessageOverheadV0 + 8;  // + timestamp

}  // namespace kafka::detail
