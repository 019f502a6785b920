// Internal: one partition's records from one Fetch response (a "chunk"), and
// the two passes over its bytes.
//
//  - scan_batches() runs on the io thread as soon as the response arrives: it
//    reads only the batch headers, to learn where the next fetch starts, so
//    that the next Fetch goes out before the records are decoded.
//  - decode_chunk() runs on the thread that polls: CRC check, decompression,
//    control batches and aborted transactions (read_committed) dropped,
//    records below the fetch offset skipped (a fetch may start inside a
//    batch, and a compressed batch is returned whole), a partial batch at the
//    end ignored. The records it produces view the chunk's memory: the
//    Fetch response's bytes, moved in, and the decompressed buffers. Nothing
//    is copied or allocated per record.
//
// Legacy message sets (magic 0 and 1) go through protocol/records'
// decode_records(), and the records then view the decoded RecordSet.
//
// This file reads record batch bytes itself, for speed (an inlined varint
// cursor rather than the general Reader): the one place in client/ that does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "client/consumer_types.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/records.hpp"

namespace kafka::detail {

struct ScanResult {
    int64_t next_offset = -1;   // after the last complete batch; -1 when there is none
    size_t complete_bytes = 0;  // bytes of the complete batches
    size_t batches = 0;
    bool partial_tail = false;
    bool corrupt = false;       // a batch length no encoder writes
};
ScanResult scan_batches(ByteView records);

struct FetchedChunk {
    FetchedChunk() = default;
    FetchedChunk(FetchedChunk&&) = default;  // records keep viewing the moved buffers
    FetchedChunk& operator=(FetchedChunk&&) = default;
    ~FetchedChunk();  // gives the decompressed buffers back for reuse

    std::shared_ptr<const std::string> topic;
    int32_t partition = 0;
    uint64_t partition_epoch = 0;  // the partition's epoch when fetched; stale chunks are dropped
    int64_t fetch_offset = 0;      // the first offset asked for: records below it are skipped
    int64_t next_offset = 0;       // the position after this chunk
    int64_t high_watermark = -1;
    Bytes raw;                     // the records field, moved out of the response
    size_t accounted_bytes = 0;    // what the prefetch bound counts for this chunk
    bool read_committed = false;
    bool check_crcs = true;
    std::vector<FetchResponse::AbortedTransaction> aborted;

    // Filled by decode_chunk().
    bool decoded = false;
    std::error_code error;  // corrupt data: records before it are kept
    int64_t error_offset = -1;
    std::vector<ConsumerRecord> records;
    std::vector<RecordHeaderView> headers;
    std::vector<Bytes> decompressed;  // taken from, and given back to, a pool of buffers
    std::vector<RecordSet> legacy;
    size_t consumed = 0;  // records already handed to the application
};

// Decodes `chunk.raw` into `chunk.records` (once).
void decode_chunk(FetchedChunk& chunk);

// Fills a ConsumerRecord (the only writer of its private fields).
struct RecordFiller {
    static void set(ConsumerRecord& r, const std::string* topic, int32_t partition, int64_t offset,
                    int64_t timestamp, TimestampType type, int32_t leader_epoch, const char* key, int32_t key_len,
                    const char* value, int32_t value_len) {
        r.topic_ = topic;
        r.partition_ = partition;
        r.offset_ = offset;
        r.timestamp_ = timestamp;
        r.timestamp_type_ = static_cast<uint8_t>(type);
        r.leader_epoch_ = leader_epoch;
        r.key_ = key;
        r.key_len_ = key_len;
        r.value_ = value;
        r.value_len_ = value_len;
    }
    // Headers are stored as an index first (the vector may still grow), then
    // turned into pointers once the chunk is complete.
    static void set_header_index(ConsumerRecord& r, size_t first, uint32_t count) {
        r.headers_ = reinterpret_cast<const RecordHeaderView*>(static_cast<uintptr_t>(first));
        r.header_count_ = count;
    }
    static void resolve_headers(ConsumerRecord& r, const RecordHeaderView* base) {
        r.headers_ = r.header_count_ ? base + reinterpret_cast<uintptr_t>(r.headers_) : nullptr;
    }
};

}  // namespace kafka::detail
