// Legacy message sets, magic 0 and 1 (Kafka < 0.11): decoding for
// decode_records(), and an encoder for tests and replay.
//
// A compressed message ("wrapper") carries a whole message set, compressed,
// as its value. In v1 the inner offsets are relative (KIP-31): the last inner
// message takes the wrapper's offset. In v0 they are absolute. With
// LogAppendTime (v1), every inner message takes the wrapper's timestamp.
#include <zlib.h>

#include "protocol/compression/codecs.hpp"
#include "protocol/errors.hpp"
#include "protocol/reader.hpp"
#include "protocol/records.hpp"
#include "protocol/records/legacy.hpp"

namespace kafka {

namespace {

constexpr int8_t kAttributesCodecMask = 0x07;

// CRC-32 (IEEE) as legacy messages use, from the magic byte to the end.
uint32_t crc32_ieee(ByteView v) {
    return static_cast<uint32_t>(::crc32(0L, v.data, static_cast<uInt>(v.size)));
}

struct LegacyMessage {
    uint32_t crc = 0;
    bool crc_ok = false;
    int8_t magic = 0;
    int8_t attributes = 0;
    int64_t timestamp = kNoTimestamp;
    std::optional<ByteView> key;
    std::optional<ByteView> value;
};

// Parses a message from its CRC field to its end (`body` is exactly it).
std::error_code parse_message(ByteView body, LegacyMessage& m) {
    Reader r(body);
    m.crc = r.u32();
    m.magic = r.i8();
    m.attributes = r.i8();
    if (r.ok() && m.magic != 0 && m.magic != 1) return client_errc::malformed;
    if (m.magic == 1) m.timestamp = r.i64();
    bool is_null = false;
    ByteView key = r.bytes_view(false, &is_null);
    if (r.ok() && !is_null) m.key = key;
    ByteView value = r.bytes_view(false, &is_null);
    if (r.ok() && !is_null) m.value = value;
    if (std::error_code ec = r.finish()) return ec;
    m.crc_ok = crc32_ieee(body.subview(4)) == m.crc;
    return {};
}

Record to_record(int64_t offset, const LegacyMessage& m) {
    Record rec;
    rec.offset = offset;
    rec.timestamp = m.timestamp;
    if (m.key) rec.key.emplace(m.key->begin(), m.key->end());
    if (m.value) rec.value.emplace(m.value->begin(), m.value->end());
    rec.attributes = m.attributes;
    return rec;
}

// Decodes the inner message set of a wrapper into `out.records`.
std::error_code decode_inner(ByteView set, const LegacyMessage& wrapper, int64_t wrapper_offset,
                             const DecodeOptions& options, RecordBatch& out) {
    Reader r(set);
    out.records.reserve(set.size / (kLogOverhead + detail::kMessageOverheadV0));
    while (r.ok() && r.remaining() > 0) {
        int64_t offset = r.i64();
        int32_t size = r.i32();
        if (r.ok() && size < detail::kMessageOverheadV0) return client_errc::malformed;
        ByteView body = r.take(static_cast<size_t>(size));
        if (!r.ok()) break;
        LegacyMessage m;
        if (std::error_code ec = parse_message(body, m)) return ec;
        // Compressed messages never nest.
        if ((m.attributes & kAttributesCodecMask) != 0) return client_errc::malformed;
        if (!m.crc_ok) {
            if (options.verify_crc) return client_errc::bad_crc;
            out.crc_ok = false;
        }
        if (m.magic == 0) {
            m.timestamp = kNoTimestamp;
        } else if (out.log_append_time()) {
            m.timestamp = wrapper.timestamp;
        }
        out.records.push_back(to_record(offset, m));
    }
    if (!r.ok()) return r.error();
    if (wrapper.magic > 0 && !out.records.empty()) {
        // Relative offsets: the last inner message sits at the wrapper's offset.
        auto shift = static_cast<uint64_t>(wrapper_offset) - static_cast<uint64_t>(out.records.back().offset);
        for (Record& rec : out.records) rec.offset = static_cast<int64_t>(static_cast<uint64_t>(rec.offset) + shift);
    }
    return {};
}

void write_message(Writer& w, int64_t offset, int8_t magic, int8_t attributes, int64_t timestamp,
                   const std::optional<ByteView>& key, const std::optional<ByteView>& value) {
    w.i64(offset);
    size_t size_at = w.reserve_i32();
    size_t crc_at = w.reserve_i32();
    size_t from = w.size();
    w.i8(magic);
    w.i8(attributes);
    if (magic >= 1) w.i64(timestamp);
    if (key) w.bytes(*key, false);
    else w.null_bytes(false);
    if (value) w.bytes(*value, false);
    else w.null_bytes(false);
    w.patch_i32(size_at, static_cast<int32_t>(w.size() - size_at - 4));
    uint32_t crc = crc32_ieee(ByteView(w.buffer().data() + from, w.size() - from));
    w.patch_i32(crc_at, static_cast<int32_t>(crc));
}

std::optional<ByteView> view_of(const std::optional<Bytes>& b) {
    if (!b) return std::nullopt;
    return ByteView(*b);
}

}  // namespace

namespace detail {

std::error_code decode_legacy_message(ByteView entry, const DecodeOptions& options, RecordBatch& out,
                                      Bytes& scratch) {
    Reader head(entry.subview(0, kLogOverhead));
    int64_t offset = head.i64();
    int32_t size = head.i32();
    LegacyMessage m;
    if (std::error_code ec = parse_message(entry.subview(kLogOverhead), m)) return ec;

    out.base_offset = offset;
    out.batch_length = size;
    out.magic = m.magic;
    out.crc = m.crc;
    out.crc_ok = m.crc_ok;
    out.attributes = static_cast<int16_t>(static_cast<uint8_t>(m.attributes));
    out.last_offset_delta = 0;
    out.base_timestamp = m.timestamp;
    out.max_timestamp = m.timestamp;
    if (!m.crc_ok && options.verify_crc) return client_errc::bad_crc;

    int codec = m.attributes & kAttributesCodecMask;
    if (codec == 0) {
        out.record_count = 1;
        if (!options.headers_only) out.records.push_back(to_record(offset, m));
        return {};
    }
    if (options.headers_only) return {};
    // zstd arrived with message format v2 only.
    if (codec > static_cast<int>(Compression::lz4)) return client_errc::unsupported_compression;
    if (!m.value) return client_errc::malformed;

    scratch.clear();
    // KAFKA-3160: magic 0 lz4 frames carry the pre-0.10 header checksum.
    if (std::error_code ec = decompress(static_cast<Compression>(codec), *m.value, scratch, options.decompress_limit,
                                        /*legacy_lz4=*/m.magic == 0)) {
        return ec;
    }
    if (std::error_code ec = decode_inner(scratch, m, offset, options, out)) return ec;
    out.record_count = static_cast<int32_t>(out.records.size());
    if (!out.records.empty()) {
        out.base_offset = out.records.front().offset;
        out.last_offset_delta = static_cast<int32_t>(static_cast<uint64_t>(offset) - static_cast<uint64_t>(out.base_offset));
    }
    return {};
}

}  // namespace detail

Result<Bytes> encode_message_set(int8_t magic, const std::vector<Record>& records, Compression compression,
                                 bool log_append_time) {
    if ((magic != 0 && magic != 1) || records.empty()) return client_errc::invalid_argument;
    if (compression == Compression::zstd) return client_errc::unsupported_compression;
    for (const Record& rec : records) {
        if (!rec.headers.empty()) return client_errc::invalid_argument;  // not representable before v2
    }
    auto time_bit = static_cast<int8_t>(magic >= 1 && log_append_time ? RecordBatch::kTimestampTypeBit : 0);

    Writer w;
    if (compression == Compression::none) {
        for (const Record& rec : records) {
            write_message(w, rec.offset, magic, time_bit, rec.timestamp, view_of(rec.key), view_of(rec.value));
        }
        return w.take();
    }

    Writer inner;
    int64_t max_timestamp = kNoTimestamp;
    for (size_t i = 0; i < records.size(); ++i) {
        const Record& rec = records[i];
        int64_t offset = magic >= 1 ? static_cast<int64_t>(i) : rec.offset;
        write_message(inner, offset, magic, 0, rec.timestamp, view_of(rec.key), view_of(rec.value));
        max_timestamp = std::max(max_timestamp, rec.timestamp);
    }
    Bytes value;
    if (std::error_code ec = compress(compression, inner.buffer(), value)) return ec;
    if (compression == Compression::lz4 && magic == 0 && value.size() >= 7) {
        // Reproduce the pre-0.10 header checksum, computed over the magic too.
        size_t header = 4 + 2 + ((value[4] & 0x08) ? 8 : 0) + ((value[4] & 0x01) ? 4 : 0);
        value[header] = static_cast<uint8_t>(detail::xxh32(value.data(), header, 0) >> 8);
    }
    auto attributes = static_cast<int8_t>(static_cast<int8_t>(compression) | time_bit);
    write_message(w, records.back().offset, magic, attributes, max_timestamp, std::nullopt, ByteView(value));
    return w.take();
}

}  // namespace kafka
