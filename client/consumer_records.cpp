#include "client/consumer_records.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <unordered_set>

#include "protocol/crc32c.hpp"

namespace kafka::detail {

namespace {

// Positions in a v2 batch header (see protocol/records.hpp).
constexpr size_t kLengthAt = 8;
constexpr size_t kLeaderEpochAt = 12;
constexpr size_t kMagicAt = 16;
constexpr size_t kCrcAt = 17;
constexpr size_t kAttributesAt = 21;
constexpr size_t kLastOffsetDeltaAt = 23;
constexpr size_t kBaseTimestampAt = 27;
constexpr size_t kMaxTimestampAt = 35;
constexpr size_t kProducerIdAt = 43;
constexpr size_t kRecordCountAt = 57;
// The smallest legacy message after its size field (v0: crc magic attributes key value).
constexpr int32_t kMinEntryLength = 14;

inline uint64_t be(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}
inline int64_t be64(const uint8_t* p) { return static_cast<int64_t>(be(p, 8)); }
inline int32_t be32(const uint8_t* p) { return static_cast<int32_t>(be(p, 4)); }
inline int16_t be16(const uint8_t* p) { return static_cast<int16_t>(be(p, 2)); }

// Decompressed batches are written into buffers that are reused once their
// chunk is gone. A fresh buffer per batch (up to a megabyte or more) costs
// the kernel's page faults and a zero fill every time, which was most of the
// consumer's CPU on compressed topics. Bounded: at most kMaxBuffers are kept,
// none larger than kMaxKept.
class BufferPool {
public:
    static BufferPool& instance() {
        static BufferPool pool;
        return pool;
    }
    Bytes take() {
        std::lock_guard<std::mutex> lock(mu_);
        if (free_.empty()) return {};
        Bytes b = std::move(free_.back());
        free_.pop_back();
        return b;
    }
    void give(std::vector<Bytes>& buffers) {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& b : buffers) {
            if (free_.size() >= kMaxBuffers || b.capacity() > kMaxKept) continue;
            b.clear();
            free_.push_back(std::move(b));
        }
        buffers.clear();
    }

private:
    static constexpr size_t kMaxBuffers = 32;
    static constexpr size_t kMaxKept = size_t{16} << 20;
    std::mutex mu_;
    std::vector<Bytes> free_;
};

inline int64_t wrapping_add(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// A bounds-checked cursor with inlined varints; `ok` goes false on the first
// overrun or malformed varint and reads then return 0.
struct Cursor {
    const uint8_t* p;
    const uint8_t* end;
    bool ok = true;

    uint64_t uvarlong() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p >= end) return fail();
            uint8_t b = *p++;
            v |= static_cast<uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        return fail();
    }
    int64_t varlong() {
        uint64_t u = uvarlong();
        return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
    int32_t varint() {
        // Fast path: one byte.
        if (p < end && !(*p & 0x80)) {
            uint32_t u = *p++;
            return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
        }
        uint64_t u = uvarlong();
        if (u > 0xffffffffu) return static_cast<int32_t>(fail());
        auto u32 = static_cast<uint32_t>(u);
        return static_cast<int32_t>((u32 >> 1) ^ (~(u32 & 1) + 1));
    }
    // A length-prefixed field: -1 is null.
    const char* bytes(int32_t& len) {
        len = varint();
        if (len < 0) {
            if (len != -1) fail();
            return nullptr;
        }
        if (static_cast<size_t>(end - p) < static_cast<size_t>(len)) {
            fail();
            return nullptr;
        }
        auto* out = reinterpret_cast<const char*>(p);
        p += len;
        return out;
    }
    uint64_t fail() {
        ok = false;
        p = end;
        return 0;
    }
};

class Decoder {
public:
    explicit Decoder(FetchedChunk& c) : c_(c) {
        if (c_.read_committed) {
            aborted_ = c_.aborted;
            std::sort(aborted_.begin(), aborted_.end(),
                      [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
        }
    }

    void run() {
        const uint8_t* data = c_.raw.data();
        size_t size = c_.raw.size(), pos = 0;
        while (size - pos >= kLogOverhead) {
            const uint8_t* entry = data + pos;
            int32_t length = be32(entry + kLengthAt);
            if (length < kMinEntryLength) return error(be64(entry), client_errc::malformed);
            size_t entry_size = kLogOverhead + static_cast<size_t>(length);
            if (entry_size > size - pos) return;  // a partial batch at the end: the next fetch gets it
            pos += entry_size;
            int8_t magic = static_cast<int8_t>(entry[kMagicAt]);
            if (magic == 2) {
                batch_v2(entry, entry_size);
            } else if (magic == 0 || magic == 1) {
                legacy(entry, entry_size);
            } else {
                return error(be64(entry), client_errc::malformed);
            }
        }
    }

    void finish() {
        const RecordHeaderView* base = c_.headers.data();
        if (!c_.headers.empty())
            for (auto& r : c_.records) RecordFiller::resolve_headers(r, base);
    }

private:
    void error(int64_t offset, std::error_code ec) {
        if (!c_.error) {
            c_.error = ec;
            c_.error_offset = offset;
        }
    }

    // read_committed: is this batch part of an aborted transaction? Control
    // batches end a transaction and are never returned.
    bool skip_transactional(int64_t last_offset, int64_t producer_id, bool transactional, bool control,
                            const uint8_t* records, size_t records_size) {
        if (!c_.read_committed) return control;
        while (next_aborted_ < aborted_.size() && aborted_[next_aborted_].first_offset <= last_offset)
            active_aborts_.insert(aborted_[next_aborted_++].producer_id);
        if (control) {
            // The marker's key: version int16, type int16 (0 abort, 1 commit).
            Cursor cur{records, records + records_size};
            cur.varint();  // record length
            if (cur.p + 1 <= cur.end) ++cur.p;  // attributes
            cur.varlong();
            cur.varint();
            int32_t klen = 0;
            const char* key = cur.bytes(klen);
            if (cur.ok && key && klen >= 4 && be16(reinterpret_cast<const uint8_t*>(key) + 2) == 0)
                active_aborts_.erase(producer_id);
            return true;
        }
        return transactional && active_aborts_.count(producer_id) != 0;
    }

    void batch_v2(const uint8_t* b, size_t size) {
        int64_t base_offset = be64(b);
        if (size < kRecordBatchOverhead) return error(base_offset, client_errc::malformed);
        int16_t attributes = be16(b + kAttributesAt);
        int64_t last_offset = wrapping_add(base_offset, be32(b + kLastOffsetDeltaAt));
        if (last_offset < c_.fetch_offset) return;  // wholly before the fetch position
        if (c_.check_crcs &&
            crc32c(0, b + kAttributesAt, size - kAttributesAt) != static_cast<uint32_t>(be(b + kCrcAt, 4)))
            return error(base_offset, client_errc::bad_crc);
        int32_t leader_epoch = be32(b + kLeaderEpochAt);
        int64_t base_ts = be64(b + kBaseTimestampAt);
        int64_t max_ts = be64(b + kMaxTimestampAt);
        int64_t producer_id = be64(b + kProducerIdAt);
        int32_t count = be32(b + kRecordCountAt);
        bool control = (attributes & RecordBatch::kControlBit) != 0;
        bool transactional = (attributes & RecordBatch::kTransactionalBit) != 0;
        bool log_append = (attributes & RecordBatch::kTimestampTypeBit) != 0;
        auto codec = static_cast<Compression>(attributes & RecordBatch::kCompressionMask);
        if (count < 0) return error(base_offset, client_errc::malformed);

        const uint8_t* rec = b + kRecordBatchOverhead;
        size_t rec_size = size - kRecordBatchOverhead;
        if (codec != Compression::none) {
            Bytes out = BufferPool::instance().take();
            out.reserve(rec_size * 4);
            if (auto ec = decompress(codec, ByteView(rec, rec_size), out)) return error(base_offset, ec);
            c_.decompressed.push_back(std::move(out));
            rec = c_.decompressed.back().data();
            rec_size = c_.decompressed.back().size();
        }
        if (skip_transactional(last_offset, producer_id, transactional, control, rec, rec_size)) return;

        TimestampType tstype = log_append ? TimestampType::log_append_time : TimestampType::create_time;
        const std::string* topic = c_.topic.get();
        c_.records.reserve(c_.records.size() + std::min<size_t>(static_cast<size_t>(count), rec_size / 7 + 1));
        Cursor cur{rec, rec + rec_size};
        for (int32_t i = 0; i < count; ++i) {
            int32_t len = cur.varint();
            if (!cur.ok || len < 0 || static_cast<size_t>(cur.end - cur.p) < static_cast<size_t>(len))
                return error(base_offset, client_errc::malformed);
            Cursor body{cur.p, cur.p + len};
            cur.p += len;
            ++body.p;  // record attributes: unused
            int64_t ts_delta = body.varlong();
            int32_t off_delta = body.varint();
            int32_t klen = 0, vlen = 0;
            const char* key = body.bytes(klen);
            const char* value = body.bytes(vlen);
            int32_t hcount = body.varint();
            if (!body.ok || hcount < 0) return error(base_offset, client_errc::malformed);
            int64_t offset = wrapping_add(base_offset, off_delta);
            size_t first_header = c_.headers.size();
            for (int32_t h = 0; h < hcount && body.ok; ++h) {
                int32_t hk = 0, hv = 0;
                const char* hkey = body.bytes(hk);
                const char* hval = body.bytes(hv);
                if (!body.ok || !hkey) return error(base_offset, client_errc::malformed);
                c_.headers.push_back({std::string_view(hkey, static_cast<size_t>(hk)),
                                      std::string_view(hval ? hval : "", hv < 0 ? 0 : static_cast<size_t>(hv)),
                                      hv < 0});
            }
            if (!body.ok || body.p != body.end) return error(base_offset, client_errc::malformed);
            if (offset < c_.fetch_offset) {
                c_.headers.resize(first_header);
                continue;
            }
            c_.records.emplace_back();
            ConsumerRecord& r = c_.records.back();
            RecordFiller::set(r, topic, c_.partition, offset, log_append ? max_ts : wrapping_add(base_ts, ts_delta),
                              tstype, leader_epoch, key, klen, value, vlen);
            if (hcount) RecordFiller::set_header_index(r, first_header, static_cast<uint32_t>(hcount));
        }
    }

    void legacy(const uint8_t* entry, size_t size) {
        DecodeOptions opts;
        opts.verify_crc = c_.check_crcs;
        auto set = decode_records(ByteView(entry, size), opts);
        if (!set) return error(be64(entry), set.error());
        c_.legacy.push_back(std::move(*set));
        const std::string* topic = c_.topic.get();
        for (const RecordBatch& batch : c_.legacy.back().batches) {
            TimestampType tstype = batch.magic == 0 ? TimestampType::none
                                   : batch.log_append_time() ? TimestampType::log_append_time
                                                             : TimestampType::create_time;
            for (const Record& rec : batch.records) {
                if (rec.offset < c_.fetch_offset) continue;
                auto view = [](const std::optional<Bytes>& b, int32_t& len) -> const char* {
                    len = b ? static_cast<int32_t>(b->size()) : -1;
                    return b ? reinterpret_cast<const char*>(b->data()) : nullptr;
                };
                int32_t klen = 0, vlen = 0;
                const char* key = view(rec.key, klen);
                const char* value = view(rec.value, vlen);
                c_.records.emplace_back();
                RecordFiller::set(c_.records.back(), topic, c_.partition, rec.offset, rec.timestamp, tstype, -1, key,
                                  klen, value, vlen);
            }
        }
    }

    FetchedChunk& c_;
    std::vector<FetchResponse::AbortedTransaction> aborted_;
    size_t next_aborted_ = 0;
    std::unordered_set<int64_t> active_aborts_;
};

}  // namespace

ScanResult scan_batches(ByteView records) {
    ScanResult out;
    size_t pos = 0;
    while (records.size - pos >= kLogOverhead) {
        const uint8_t* entry = records.data + pos;
        int32_t length = be32(entry + kLengthAt);
        if (length < kMinEntryLength) {
            out.corrupt = true;
            return out;
        }
        size_t size = kLogOverhead + static_cast<size_t>(length);
        if (size > records.size - pos) {
            out.partial_tail = true;
            return out;
        }
        int64_t first = be64(entry);
        int8_t magic = static_cast<int8_t>(entry[kMagicAt]);
        if (magic == 2) {
            if (size < kRecordBatchOverhead) {
                out.corrupt = true;
                return out;
            }
            out.next_offset = wrapping_add(first, be32(entry + kLastOffsetDeltaAt)) + 1;
        } else {
            // A legacy entry's offset is its last (a compressed wrapper carries its last inner offset).
            out.next_offset = first + 1;
        }
        pos += size;
        out.complete_bytes = pos;
        ++out.batches;
    }
    if (pos < records.size) out.partial_tail = true;
    return out;
}

FetchedChunk::~FetchedChunk() {
    if (!decompressed.empty()) BufferPool::instance().give(decompressed);
}

void decode_chunk(FetchedChunk& chunk) {
    if (chunk.decoded) return;
    chunk.decoded = true;
    Decoder d(chunk);
    d.run();
    d.finish();
}

}  // namespace kafka::detail
