// The consumer's record decoding, without a broker: batches built with
// protocol/records, cut and mixed the way Fetch responses cut and mix them.
#include <doctest/doctest.h>

#include <cstring>

#include "client/consumer_records.hpp"

using namespace kafka;
using namespace kafka::detail;

namespace {

Bytes batch(int64_t base_offset, int n, Compression codec = Compression::none, int64_t producer_id = -1,
            bool transactional = false, const std::string& prefix = "v") {
    RecordBatchBuilder b;
    b.set_base_offset(base_offset);
    if (producer_id >= 0) b.set_producer(producer_id, 0, 0);
    b.set_transactional(transactional);
    for (int i = 0; i < n; ++i) {
        std::string k = "k" + std::to_string(base_offset + i), v = prefix + std::to_string(base_offset + i);
        std::vector<RecordHeader> h;
        if (i % 2) h.push_back({"h", Bytes{'x', static_cast<uint8_t>('0' + i % 10)}});
        b.append(1000 + i, ByteView(k), ByteView(v), h);
    }
    auto out = b.finish(codec);
    REQUIRE(out.has_value());
    return std::move(*out);
}

Bytes control(int64_t offset, int64_t producer_id, ControlType type) {
    RecordBatchBuilder b;
    b.set_base_offset(offset);
    b.set_producer(producer_id, 0, 0);
    b.set_transactional(true);
    b.set_control(true);
    Bytes key = encode_control_key({0, static_cast<int16_t>(type)});
    Bytes value = encode_end_txn_marker(0);
    b.append(2000, ByteView(key), ByteView(value));
    auto out = b.finish();
    REQUIRE(out.has_value());
    return std::move(*out);
}

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

FetchedChunk chunk_of(Bytes raw, int64_t fetch_offset = 0) {
    FetchedChunk c;
    c.topic = std::make_shared<const std::string>("t");
    c.partition = 3;
    c.fetch_offset = fetch_offset;
    c.raw = std::move(raw);
    return c;
}

std::vector<int64_t> offsets(const FetchedChunk& c) {
    std::vector<int64_t> out;
    for (const auto& r : c.records) out.push_back(r.offset());
    return out;
}

}  // namespace

TEST_CASE("consumer records: a plain batch becomes views of its bytes, headers and all") {
    auto c = chunk_of(batch(10, 4));
    decode_chunk(c);
    REQUIRE(!c.error);
    REQUIRE(c.records.size() == 4);
    const ConsumerRecord& r = c.records[1];
    CHECK(r.topic() == "t");
    CHECK(r.partition() == 3);
    CHECK(r.offset() == 11);
    CHECK(r.key() == "k11");
    CHECK(r.value() == "v11");
    CHECK(r.timestamp() == 1001);
    CHECK(r.timestamp_type() == TimestampType::create_time);
    REQUIRE(r.headers().size() == 1);
    CHECK(r.headers().begin()->key == "h");
    CHECK(r.headers().begin()->value == "x1");
    CHECK(c.records[0].headers().empty());
    // The value points into the fetched bytes: nothing was copied.
    const char* v = r.value().data();
    CHECK(v >= reinterpret_cast<const char*>(c.raw.data()));
    CHECK(v < reinterpret_cast<const char*>(c.raw.data() + c.raw.size()));
}

TEST_CASE("consumer records: a fetch that starts inside a compressed batch skips what lies before") {
    for (auto codec : {Compression::gzip, Compression::snappy, Compression::lz4}) {
        auto c = chunk_of(cat({batch(0, 5, codec), batch(5, 5, codec)}), 3);
        decode_chunk(c);
        REQUIRE(!c.error);
        CHECK(offsets(c) == std::vector<int64_t>{3, 4, 5, 6, 7, 8, 9});
        CHECK(c.records[0].value() == "v3");
        CHECK(c.decompressed.size() == 2);
    }
}

TEST_CASE("consumer records: a partial batch at the end is left for the next fetch") {
    Bytes second = batch(5, 5);
    Bytes raw = cat({batch(0, 5), Bytes(second.begin(), second.begin() + static_cast<long>(second.size() / 2))});
    ScanResult s = scan_batches(raw);
    CHECK(s.batches == 1);
    CHECK(s.next_offset == 5);
    CHECK(s.partial_tail);
    CHECK(!s.corrupt);
    auto c = chunk_of(raw);
    decode_chunk(c);
    CHECK(!c.error);
    CHECK(offsets(c) == std::vector<int64_t>{0, 1, 2, 3, 4});
    // Only a partial batch: no progress.
    ScanResult only = scan_batches(ByteView(second.data(), 30));
    CHECK(only.batches == 0);
    CHECK(only.next_offset == -1);
}

TEST_CASE("consumer records: control batches are skipped, read_committed drops aborted transactions") {
    // pid 7 aborts offsets 0-2 (marker at 3); pid 8 commits 4-5 (marker at 6); 7-8 are plain.
    Bytes raw = cat({batch(0, 3, Compression::none, 7, true, "aborted"), control(3, 7, ControlType::abort),
                     batch(4, 2, Compression::none, 8, true, "committed"), control(6, 8, ControlType::commit),
                     batch(7, 2)});
    ScanResult s = scan_batches(raw);
    CHECK(s.next_offset == 9);
    CHECK(s.batches == 5);

    auto uncommitted = chunk_of(raw);
    decode_chunk(uncommitted);
    CHECK(offsets(uncommitted) == std::vector<int64_t>{0, 1, 2, 4, 5, 7, 8});

    auto committed = chunk_of(raw);
    committed.read_committed = true;
    committed.aborted.push_back({7, 0, {}});
    decode_chunk(committed);
    CHECK(offsets(committed) == std::vector<int64_t>{4, 5, 7, 8});
    CHECK(committed.records[0].value() == "committed4");
}

TEST_CASE("consumer records: an aborted transaction ends at its marker, the producer's next one is kept") {
    Bytes raw = cat({batch(0, 2, Compression::none, 7, true, "a"), control(2, 7, ControlType::abort),
                     batch(3, 2, Compression::none, 7, true, "b"), control(5, 7, ControlType::commit)});
    auto c = chunk_of(raw);
    c.read_committed = true;
    c.aborted.push_back({7, 0, {}});
    decode_chunk(c);
    CHECK(offsets(c) == std::vector<int64_t>{3, 4});
}

TEST_CASE("consumer records: a batch with a bad CRC is reported and skipped, the others kept") {
    Bytes bad = batch(3, 3);
    bad[30] ^= 0x55;  // the base timestamp: covered by the CRC, the structure intact
    auto c = chunk_of(cat({batch(0, 3), bad, batch(6, 3)}));
    decode_chunk(c);
    CHECK(c.error == client_errc::bad_crc);
    CHECK(c.error_offset == 3);
    CHECK(offsets(c) == std::vector<int64_t>{0, 1, 2, 6, 7, 8});
    // check.crcs=false takes it as it is.
    auto lax = chunk_of(cat({batch(0, 3), bad}));
    lax.check_crcs = false;
    decode_chunk(lax);
    CHECK(offsets(lax).size() == 6);
}

TEST_CASE("consumer records: null keys and values, LogAppendTime, legacy message sets") {
    RecordBatchBuilder b;
    b.set_base_offset(0);
    b.set_log_append_time(true);
    b.append(5, std::nullopt, std::nullopt);
    b.append(6, ByteView(std::string("")), ByteView(std::string("")));
    auto raw = b.finish();
    REQUIRE(raw.has_value());
    auto c = chunk_of(*raw);
    decode_chunk(c);
    REQUIRE(c.records.size() == 2);
    CHECK(c.records[0].key_is_null());
    CHECK(c.records[0].value_is_null());
    CHECK(!c.records[1].key_is_null());
    CHECK(c.records[1].value().empty());
    CHECK(c.records[0].timestamp_type() == TimestampType::log_append_time);
    CHECK(c.records[0].timestamp() == 6);  // the batch's max timestamp

    std::vector<Record> legacy(3);
    for (int i = 0; i < 3; ++i) {
        legacy[i].offset = 20 + i;
        legacy[i].timestamp = 100 + i;
        legacy[i].value = Bytes{static_cast<uint8_t>('a' + i)};
    }
    for (auto codec : {Compression::none, Compression::gzip}) {
        auto set = encode_message_set(1, legacy, codec);
        REQUIRE(set.has_value());
        ScanResult s = scan_batches(*set);
        CHECK(s.next_offset == 23);
        auto lc = chunk_of(*set, 21);
        decode_chunk(lc);
        REQUIRE(!lc.error);
        CHECK(offsets(lc) == std::vector<int64_t>{21, 22});
        CHECK(lc.records[1].value() == "c");
        CHECK(lc.records[0].key_is_null());
        CHECK(lc.records[0].timestamp() == 101);
    }
}

TEST_CASE("consumer records: hostile framing is reported, never read past") {
    Bytes raw = batch(0, 2);
    // A batch length below any valid entry.
    Bytes broken = raw;
    broken[8] = broken[9] = broken[10] = 0;
    broken[11] = 3;
    CHECK(scan_batches(broken).corrupt);
    auto c = chunk_of(broken);
    decode_chunk(c);
    CHECK(c.error == client_errc::malformed);
    CHECK(c.records.empty());
    // A record count larger than the records (the CRC is recomputed so that only the count lies).
    Bytes lying = raw;
    lying[60] = 50;
    REQUIRE(!set_batch_producer_state(lying.data(), lying.size(), -1, -1, -1));
    auto l = chunk_of(lying);
    decode_chunk(l);
    CHECK(l.error == client_errc::malformed);
    // Every truncation: no crash, no record beyond the input.
    for (size_t n = 0; n < raw.size(); ++n) {
        auto t = chunk_of(Bytes(raw.begin(), raw.begin() + static_cast<long>(n)));
        decode_chunk(t);
        CHECK(t.records.empty());
    }
}
