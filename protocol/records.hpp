// Record batches (message format v2, KIP-98) and the legacy message sets
// (v0, v1) that came before them: the bytes inside the `records` field of
// Produce and Fetch, and of a .log segment.
//
// v2 batch, 61 bytes of header then the records:
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8
//   crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32
//   baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16
//   baseSequence int32 | recordCount int32 | records (compressed as one stream if the batch is)
// Record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
//   keyLength varint (-1 null) | key | valueLength varint | value
//   headerCount varint | [keyLength varint | key | valueLength varint | value]...
//
// Legacy message (v0, v1): offset int64 | messageSize int32 | crc uint32 (CRC-32
// of the rest) | magic int8 | attributes int8 | timestamp int64 (v1) | key bytes
// | value bytes. A compressed message ("wrapper") holds a message set in its value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/compression.hpp"
#include "protocol/result.hpp"
#include "protocol/types.hpp"
#include "protocol/writer.hpp"

namespace kafka {

inline constexpr int64_t kNoTimestamp = -1;
inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;
// Bytes before a batch's (or legacy message's) own size field counts: offset + length.
inline constexpr size_t kLogOverhead = 12;
// A v2 batch header, up to and including the record count.
inline constexpr size_t kRecordBatchOverhead = 61;

struct RecordHeader {
    std::string key;
    std::optional<Bytes> value;
    bool operator==(const RecordHeader& o) const { return key == o.key && value == o.value; }
};

// One decoded record, with absolute offset and timestamp.
struct Record {
    int64_t offset = 0;
    int64_t timestamp = kNoTimestamp;  // v0: always kNoTimestamp
    std::optional<Bytes> key;
    std::optional<Bytes> value;
    std::vector<RecordHeader> headers;  // v2 only
    int8_t attributes = 0;              // v2: unused (0); v0/v1: the message's attributes
};

// A v2 batch header as on the wire, and its records. A legacy message set
// decodes as one RecordBatch per outer message: a plain message gives a batch
// of one record, a compressed wrapper a batch of its inner messages (then
// base_offset is the first inner offset and last_offset() the wrapper's).
struct RecordBatch {
    // Attribute bits.
    static constexpr int16_t kCompressionMask = 0x07;
    static constexpr int16_t kTimestampTypeBit = 0x08;  // v1+: LogAppendTime
    static constexpr int16_t kTransactionalBit = 0x10;  // v2, KIP-98
    static constexpr int16_t kControlBit = 0x20;        // v2, KIP-98
    static constexpr int16_t kDeleteHorizonBit = 0x40;  // v2, KIP-534

    int64_t base_offset = 0;
    int32_t batch_length = 0;  // bytes after this field; legacy: the message size
    int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
    int8_t magic = 2;
    uint32_t crc = 0;
    int16_t attributes = 0;
    int32_t last_offset_delta = 0;
    int64_t base_timestamp = kNoTimestamp;
    int64_t max_timestamp = kNoTimestamp;
    int64_t producer_id = kNoProducerId;
    int16_t producer_epoch = kNoProducerEpoch;
    int32_t base_sequence = kNoSequence;
    int32_t record_count = 0;

    bool crc_ok = true;  // false only when decoded with verify_crc off
    std::vector<Record> records;

    Compression compression() const { return static_cast<Compression>(attributes & kCompressionMask); }
    bool log_append_time() const { return magic > 0 && (attributes & kTimestampTypeBit) != 0; }
    bool is_transactional() const { return magic >= 2 && (attributes & kTransactionalBit) != 0; }
    bool is_control() const { return magic >= 2 && (attributes & kControlBit) != 0; }
    int64_t last_offset() const { return base_offset + last_offset_delta; }
    int64_t next_offset() const { return last_offset() + 1; }
    // Bytes the batch takes on the wire.
    size_t size_in_bytes() const { return kLogOverhead + static_cast<size_t>(batch_length); }
};

struct DecodeOptions {
    // Cap on one batch's decompressed records (bomb guard). Decoded Records
    // take more memory than their wire form (about 100 bytes each plus the
    // key, value and headers they copy).
    size_t decompress_limit = kDefaultDecompressLimit;
    bool verify_crc = true;
    // Batch headers only: no decompression, no records. A legacy wrapper then
    // reports its own offset as base_offset and a record_count of 0.
    bool headers_only = false;
};

struct RecordSet {
    std::vector<RecordBatch> batches;
    size_t bytes_used = 0;      // bytes taken by the complete batches
    bool partial_tail = false;  // the input ends inside a batch
};

// Decodes batches and message sets laid end to end (a Fetch's records field,
// a Produce's, or a .log segment). A trailing partial batch (a Fetch may cut
// the last one) is no error: partial_tail is set and bytes_used stops before
// it. A CRC mismatch is client_errc::bad_crc when verify_crc, else reported
// in crc_ok. Decompression errors and limits are those of decompress().
Result<RecordSet> decode_records(ByteView in, const DecodeOptions& options = {});

// Control records (is_control() batches, KIP-98): key = version int16, type int16.
enum class ControlType : int16_t { abort = 0, commit = 1 };
struct ControlRecord {
    int16_t version = 0;
    int16_t type = 0;  // ControlType
};
Result<ControlRecord> decode_control_key(ByteView key);
Bytes encode_control_key(const ControlRecord& control);
// The value of a transaction marker: version int16 (0), coordinator epoch int32.
Bytes encode_end_txn_marker(int32_t coordinator_epoch);

// Builds one v2 batch. Records are encoded as they are appended, into one
// buffer that already holds room for the header; finish() fills the header in
// (and compresses the records when asked). Header fields may be set at any
// time before finish(). Offsets are consecutive from base_offset; the base
// timestamp is the first record's.
class RecordBatchBuilder {
public:
    RecordBatchBuilder() { reset(); }

    void set_base_offset(int64_t v) { base_offset_ = v; }
    void set_partition_leader_epoch(int32_t v) { partition_leader_epoch_ = v; }
    void set_producer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
        producer_id_ = producer_id;
        producer_epoch_ = producer_epoch;
        base_sequence_ = base_sequence;
    }
    void set_transactional(bool v) { set_bit(RecordBatch::kTransactionalBit, v); }
    void set_control(bool v) { set_bit(RecordBatch::kControlBit, v); }
    // Brokers stamp LogAppendTime batches; producers leave this off.
    void set_log_append_time(bool v) { set_bit(RecordBatch::kTimestampTypeBit, v); }

    // Appends a record. Null key or value: std::nullopt. A key, value or
    // header over 2 GiB fails the batch (reported by finish()).
    void append(int64_t timestamp, std::optional<ByteView> key, std::optional<ByteView> value,
                const RecordHeader* headers = nullptr, size_t header_count = 0);
    void append(int64_t timestamp, std::optional<ByteView> key, std::optional<ByteView> value,
                const std::vector<RecordHeader>& headers) {
        append(timestamp, key, value, headers.data(), headers.size());
    }

    // An upper bound on what append() adds for a record of this shape, for
    // checking batch.size / max.message.bytes before appending.
    static size_t max_record_size(size_t key_size, size_t value_size, const RecordHeader* headers = nullptr,
                                  size_t header_count = 0);

    int32_t record_count() const { return count_; }
    bool empty() const { return count_ == 0; }
    // The batch size so far, uncompressed.
    size_t estimated_size() const { return buf_.size(); }

    // The finished batch. Uncompressed, it hands over the builder's buffer
    // without a copy; either way the builder is empty afterwards (reset()).
    // An empty builder is client_errc::invalid_argument.
    Result<Bytes> finish(Compression compression = Compression::none);
    // Appends the finished batch to `w`, then reset()s.
    std::error_code finish_into(Writer& w, Compression compression = Compression::none);

    // Drops records and header settings, keeping the buffer's capacity.
    void reset();

private:
    void set_bit(int16_t bit, bool on) {
        attributes_ = static_cast<int16_t>(on ? (attributes_ | bit) : (attributes_ & ~bit));
    }
    // Writes the 61-byte header at `at` (batch_length and CRC included) for
    // records ending at `end`.
    void write_header(uint8_t* at, const uint8_t* end, Compression compression) const;

    Writer buf_;  // kRecordBatchOverhead placeholder bytes, then the records
    int64_t base_offset_ = 0;
    int32_t partition_leader_epoch_ = kNoPartitionLeaderEpoch;
    int16_t attributes_ = 0;
    int64_t base_timestamp_ = kNoTimestamp;
    int64_t max_timestamp_ = kNoTimestamp;
    int64_t producer_id_ = kNoProducerId;
    int16_t producer_epoch_ = kNoProducerEpoch;
    int32_t base_sequence_ = kNoSequence;
    int32_t count_ = 0;
};

// Rewrites the producer fields of an encoded v2 batch and its CRC in place
// (a producer assigns sequence numbers when a batch is first sent).
std::error_code set_batch_producer_state(uint8_t* batch, size_t size, int64_t producer_id,
                                         int16_t producer_epoch, int32_t base_sequence);

// Encodes a legacy message set, magic 0 or 1, the way Kafka < 0.11 did.
// Uncompressed: one message per record, at the record's offset. Compressed
// (gzip, snappy, lz4): one wrapper at the last record's offset whose value
// holds the records as inner messages; v1 inner offsets are relative
// (0, 1, ...) and v0 ones absolute. Magic 0 lz4 carries the pre-0.10 frame
// header checksum (KAFKA-3160). Record headers cannot be carried.
Result<Bytes> encode_message_set(int8_t magic, const std::vector<Record>& records,
                                 Compression compression = Compression::none, bool log_append_time = false);

}  // namespace kafka
