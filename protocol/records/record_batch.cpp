// Record batches, message format v2 (KIP-98): decoding, the builder, and the
// decode_records() entry point that also hands legacy entries to
// message_set.cpp.
#include <algorithm>
#include <climits>

#include "protocol/crc32c.hpp"
#include "protocol/errors.hpp"
#include "protocol/reader.hpp"
#include "protocol/records.hpp"
#include "protocol/records/legacy.hpp"

namespace kafka {

namespace {

// Header field positions in a v2 batch.
constexpr size_t kLengthAt = 8;
constexpr size_t kMagicAt = 16;
constexpr size_t kCrcAt = 17;
constexpr size_t kAttributesAt = 21;  // the CRC covers from here to the end
constexpr size_t kProducerIdAt = 43;
// Smallest record: length, attributes, timestamp delta, offset delta, key
// length, value length, header count, one byte each.
constexpr size_t kMinRecordSize = 7;

// Two's-complement wrap instead of signed overflow: hostile deltas must not be UB.
int64_t wrapping_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

size_t uvarint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
size_t varint_size(int32_t v) {
    return uvarint_size((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}
size_t varlong_size(int64_t v) {
    return uvarint_size((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
// A varint-length-prefixed byte string, -1 for null.
size_t varbytes_size(const std::optional<ByteView>& b) {
    return b ? varint_size(static_cast<int32_t>(b->size)) + b->size : 1;
}

void put_be(uint8_t* p, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
}

void write_varbytes(Writer& w, const std::optional<ByteView>& b) {
    if (!b) {
        w.varint(-1);
        return;
    }
    w.varint(static_cast<int32_t>(b->size));
    w.raw(*b);
}

// A varint-length-prefixed byte string, -1 for null.
std::optional<Bytes> read_varbytes(Reader& r) {
    int32_t n = r.varint();
    if (!r.ok() || n == -1) return std::nullopt;
    if (n < -1) {
        r.fail(client_errc::malformed);
        return std::nullopt;
    }
    ByteView v = r.take(static_cast<size_t>(n));
    if (!r.ok()) return std::nullopt;
    return Bytes(v.begin(), v.end());
}

std::error_code decode_record(Reader& r, const RecordBatch& batch, Record& rec) {
    int32_t length = r.varint();
    if (r.ok() && length < 0) r.fail(client_errc::malformed);
    ByteView body = r.take(static_cast<size_t>(length));
    if (!r.ok()) return r.error();

    Reader in(body);
    rec.attributes = in.i8();
    int64_t timestamp_delta = in.varlong();
    int32_t offset_delta = in.varint();
    rec.key = read_varbytes(in);
    rec.value = read_varbytes(in);
    int32_t header_count = in.varint();
    if (in.ok() && header_count < 0) in.fail(client_errc::malformed);
    // Each header takes at least two bytes, so this bounds the reserve.
    if (in.ok() && static_cast<size_t>(header_count) > in.remaining() / 2) in.fail(client_errc::length_too_large);
    if (in.ok() && header_count > 0) {
        rec.headers.reserve(static_cast<size_t>(header_count));
        for (int32_t i = 0; i < header_count && in.ok(); ++i) {
            int32_t key_length = in.varint();
            if (in.ok() && key_length < 0) in.fail(client_errc::malformed);  // header keys are never null
            ByteView key = in.take(static_cast<size_t>(key_length));
            std::optional<Bytes> value = read_varbytes(in);
            if (!in.ok()) break;
            rec.headers.push_back({std::string(reinterpret_cast<const char*>(key.data), key.size), std::move(value)});
        }
    }
    if (std::error_code ec = in.finish()) return ec;

    rec.offset = wrapping_add(batch.base_offset, offset_delta);
    // With LogAppendTime every record takes the broker's time, kept in maxTimestamp.
    rec.timestamp = batch.log_append_time() ? batch.max_timestamp : wrapping_add(batch.base_timestamp, timestamp_delta);
    return {};
}

// Decodes one v2 batch; `entry` is exactly the batch (kLogOverhead + batchLength bytes).
std::error_code decode_batch_v2(ByteView entry, const DecodeOptions& options, RecordBatch& b, Bytes& scratch) {
    Reader r(entry);
    b.base_offset = r.i64();
    b.batch_length = r.i32();
    b.partition_leader_epoch = r.i32();
    b.magic = r.i8();
    b.crc = r.u32();
    b.attributes = r.i16();
    b.last_offset_delta = r.i32();
    b.base_timestamp = r.i64();
    b.max_timestamp = r.i64();
    b.producer_id = r.i64();
    b.producer_epoch = r.i16();
    b.base_sequence = r.i32();
    b.record_count = r.i32();
    if (!r.ok()) return r.error();

    b.crc_ok = crc32c(0, entry.data + kAttributesAt, entry.size - kAttributesAt) == b.crc;
    if (!b.crc_ok && options.verify_crc) return client_errc::bad_crc;
    if (b.record_count < 0) return client_errc::malformed;
    if (options.headers_only) return {};

    Compression codec = b.compression();
    if (static_cast<int>(codec) > static_cast<int>(Compression::zstd)) return client_errc::unsupported_compression;
    ByteView records = entry.subview(kRecordBatchOverhead);
    if (codec != Compression::none) {
        scratch.clear();
        if (std::error_code ec = decompress(codec, records, scratch, options.decompress_limit)) return ec;
        records = ByteView(scratch);
    }

    Reader in(records);
    b.records.reserve(std::min<size_t>(static_cast<size_t>(b.record_count), in.remaining() / kMinRecordSize));
    for (int32_t i = 0; i < b.record_count; ++i) {
        b.records.emplace_back();
        if (std::error_code ec = decode_record(in, b, b.records.back())) return ec;
    }
    return in.finish();  // bytes after the last record are corrupt
}

}  // namespace

Result<RecordSet> decode_records(ByteView in, const DecodeOptions& options) {
    RecordSet set;
    Bytes scratch;
    size_t pos = 0;
    while (pos < in.size) {
        size_t left = in.size - pos;
        if (left < kLogOverhead) {
            set.partial_tail = true;
            break;
        }
        Reader head(in.subview(pos, kLogOverhead));
        head.i64();
        int32_t length = head.i32();
        // Even a v0 message needs more than this; a smaller size is no cut, it is corrupt.
        if (length < detail::kMessageOverheadV0) return client_errc::malformed;
        size_t size = kLogOverhead + static_cast<size_t>(length);
        if (size > left) {
            set.partial_tail = true;
            break;
        }
        ByteView entry = in.subview(pos, size);
        int8_t magic = static_cast<int8_t>(entry[kMagicAt]);
        set.batches.emplace_back();
        RecordBatch& batch = set.batches.back();
        std::error_code ec;
        if (magic == 2) {
            if (size < kRecordBatchOverhead) return client_errc::malformed;
            ec = decode_batch_v2(entry, options, batch, scratch);
        } else if (magic == 0 || magic == 1) {
            ec = detail::decode_legacy_message(entry, options, batch, scratch);
        } else {
            ec = client_errc::malformed;  // unknown message format
        }
        if (ec) return ec;
        pos += size;
        set.bytes_used = pos;
    }
    return set;
}

Result<ControlRecord> decode_control_key(ByteView key) {
    Reader r(key);
    ControlRecord c;
    c.version = r.i16();
    c.type = r.i16();
    if (!r.ok()) return r.error();
    // Later versions may append fields; a negative version is corrupt.
    if (c.version < 0) return client_errc::malformed;
    return c;
}

Bytes encode_control_key(const ControlRecord& control) {
    Writer w;
    w.i16(control.version);
    w.i16(control.type);
    return w.take();
}

Bytes encode_end_txn_marker(int32_t coordinator_epoch) {
    Writer w;
    w.i16(0);  // version
    w.i32(coordinator_epoch);
    return w.take();
}

// --- RecordBatchBuilder ----------------------------------------------------------

void RecordBatchBuilder::reset() {
    Bytes b = buf_.take();
    b.assign(kRecordBatchOverhead, 0);  // keeps the capacity
    buf_ = Writer(std::move(b));
    base_offset_ = 0;
    partition_leader_epoch_ = kNoPartitionLeaderEpoch;
    attributes_ = 0;
    base_timestamp_ = kNoTimestamp;
    max_timestamp_ = kNoTimestamp;
    producer_id_ = kNoProducerId;
    producer_epoch_ = kNoProducerEpoch;
    base_sequence_ = kNoSequence;
    count_ = 0;
}

size_t RecordBatchBuilder::max_record_size(size_t key_size, size_t value_size, const RecordHeader* headers,
                                           size_t header_count) {
    // Worst-case varints: 5 bytes for an int32, 10 for an int64.
    size_t size = 5 + 1 + 10 + 5 + 5 + key_size + 5 + value_size + 5;
    for (size_t i = 0; i < header_count; ++i) {
        size += 5 + headers[i].key.size() + 5 + (headers[i].value ? headers[i].value->size() : 0);
    }
    return size;
}

void RecordBatchBuilder::append(int64_t timestamp, std::optional<ByteView> key, std::optional<ByteView> value,
                                const RecordHeader* headers, size_t header_count) {
    constexpr size_t kMax = INT32_MAX;
    if (count_ == 0) {
        base_timestamp_ = timestamp;
        max_timestamp_ = timestamp;
    } else {
        max_timestamp_ = std::max(max_timestamp_, timestamp);
    }
    int64_t timestamp_delta = static_cast<int64_t>(static_cast<uint64_t>(timestamp) - static_cast<uint64_t>(base_timestamp_));
    int32_t offset_delta = count_;

    // The record's length prefix comes first, so size the body before writing it.
    size_t body = 1 + varlong_size(timestamp_delta) + varint_size(offset_delta);
    bool too_large = (key && key->size > kMax) || (value && value->size > kMax) || header_count > kMax;
    body += varbytes_size(key) + varbytes_size(value) + varint_size(static_cast<int32_t>(header_count));
    for (size_t i = 0; i < header_count; ++i) {
        const RecordHeader& h = headers[i];
        too_large |= h.key.size() > kMax || (h.value && h.value->size() > kMax);
        body += varint_size(static_cast<int32_t>(h.key.size())) + h.key.size();
        body += h.value ? varint_size(static_cast<int32_t>(h.value->size())) + h.value->size() : 1;
    }
    if (too_large || body > kMax || count_ == INT32_MAX) {
        buf_.fail(client_errc::record_too_large);
        return;
    }

    Writer& w = buf_;
    w.varint(static_cast<int32_t>(body));
    w.i8(0);  // record attributes: unused
    w.varlong(timestamp_delta);
    w.varint(offset_delta);
    write_varbytes(w, key);
    write_varbytes(w, value);
    w.varint(static_cast<int32_t>(header_count));
    for (size_t i = 0; i < header_count; ++i) {
        const RecordHeader& h = headers[i];
        w.varint(static_cast<int32_t>(h.key.size()));
        w.raw(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size());
        write_varbytes(w, h.value ? std::optional<ByteView>(*h.value) : std::nullopt);
    }
    ++count_;
}

void RecordBatchBuilder::write_header(uint8_t* at, const uint8_t* end, Compression compression) const {
    auto attributes = static_cast<int16_t>((attributes_ & ~RecordBatch::kCompressionMask) | static_cast<int16_t>(compression));
    put_be(at, static_cast<uint64_t>(base_offset_), 8);
    put_be(at + kLengthAt, static_cast<uint64_t>(end - at - kLogOverhead), 4);
    put_be(at + 12, static_cast<uint32_t>(partition_leader_epoch_), 4);
    at[kMagicAt] = 2;
    put_be(at + kAttributesAt, static_cast<uint16_t>(attributes), 2);
    put_be(at + 23, static_cast<uint32_t>(count_ - 1), 4);  // lastOffsetDelta
    put_be(at + 27, static_cast<uint64_t>(base_timestamp_), 8);
    put_be(at + 35, static_cast<uint64_t>(max_timestamp_), 8);
    put_be(at + kProducerIdAt, static_cast<uint64_t>(producer_id_), 8);
    put_be(at + 51, static_cast<uint16_t>(producer_epoch_), 2);
    put_be(at + 53, static_cast<uint32_t>(base_sequence_), 4);
    put_be(at + 57, static_cast<uint32_t>(count_), 4);
    put_be(at + kCrcAt, crc32c(0, at + kAttributesAt, static_cast<size_t>(end - at) - kAttributesAt), 4);
}

Result<Bytes> RecordBatchBuilder::finish(Compression compression) {
    if (compression == Compression::none) {
        std::error_code ec = buf_.error();
        if (!ec && count_ == 0) ec = client_errc::invalid_argument;
        if (!ec && buf_.size() - kLogOverhead > static_cast<size_t>(INT32_MAX)) ec = client_errc::record_too_large;
        if (ec) {
            reset();
            return ec;
        }
        Bytes& b = buf_.buffer();
        write_header(b.data(), b.data() + b.size(), compression);
        Bytes out = buf_.take();
        reset();
        return out;
    }
    Writer w;
    w.buffer().reserve(kRecordBatchOverhead + (buf_.size() - kRecordBatchOverhead) / 2 + 64);
    if (std::error_code ec = finish_into(w, compression)) return ec;
    return w.take();
}

std::error_code RecordBatchBuilder::finish_into(Writer& w, Compression compression) {
    std::error_code ec = buf_.error();
    if (!ec && count_ == 0) ec = client_errc::invalid_argument;
    if (!ec && !compression_available(compression)) ec = client_errc::unsupported_compression;
    if (ec) {
        reset();
        return ec;
    }
    size_t start = w.size();
    ByteView records(buf_.buffer().data() + kRecordBatchOverhead, buf_.size() - kRecordBatchOverhead);
    w.buffer().resize(start + kRecordBatchOverhead);
    if (compression == Compression::none) {
        w.raw(records);
    } else if ((ec = compress(compression, records, w.buffer()))) {
        w.buffer().resize(start);
        reset();
        return ec;
    }
    if (w.size() - start - kLogOverhead > static_cast<size_t>(INT32_MAX)) {
        w.buffer().resize(start);
        reset();
        return client_errc::record_too_large;
    }
    uint8_t* at = w.buffer().data() + start;
    write_header(at, at + (w.size() - start), compression);
    reset();
    return {};
}

std::error_code set_batch_producer_state(uint8_t* batch, size_t size, int64_t producer_id, int16_t producer_epoch,
                                         int32_t base_sequence) {
    if (size < kRecordBatchOverhead || batch[kMagicAt] != 2) return client_errc::invalid_argument;
    Reader r(batch + kLengthAt, 4);
    if (static_cast<size_t>(r.i32()) + kLogOverhead != size) return client_errc::invalid_argument;
    put_be(batch + kProducerIdAt, static_cast<uint64_t>(producer_id), 8);
    put_be(batch + 51, static_cast<uint16_t>(producer_epoch), 2);
    put_be(batch + 53, static_cast<uint32_t>(base_sequence), 4);
    put_be(batch + kCrcAt, crc32c(0, batch + kAttributesAt, size - kAttributesAt), 4);
    return {};
}

}  // namespace kafka
