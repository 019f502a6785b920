#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "protocol/crc32c.hpp"
#include "protocol/records.hpp"

using namespace kafka;

namespace {

const Compression kAllCodecs[] = {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4,
                                  Compression::zstd};

Bytes from_hex(const std::string& hex) {
    Bytes b;
    std::string digits;
    for (char c : hex) {
        if (std::isxdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    }
    for (size_t i = 0; i + 1 < digits.size(); i += 2) {
        b.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
    }
    return b;
}

Bytes load_hex(const std::string& name) {
    std::ifstream f(std::string(KAFKA_TESTDATA_DIR) + "/records/" + name);
    REQUIRE_MESSAGE(f.good(), "missing testdata/records/" << name);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return from_hex(text);
}

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string str(const std::optional<Bytes>& b) { return b ? std::string(b->begin(), b->end()) : "<null>"; }

void put_be32(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}

// Fixes batch_length and the CRC of a v2 batch after a test edited it.
void reseal(Bytes& batch) {
    put_be32(batch.data() + 8, static_cast<uint32_t>(batch.size() - 12));
    put_be32(batch.data() + 17, crc32c(0, batch.data() + 21, batch.size() - 21));
}

void check_same_records(const std::vector<Record>& a, const std::vector<Record>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        CAPTURE(i);
        CHECK(a[i].offset == b[i].offset);
        CHECK(a[i].timestamp == b[i].timestamp);
        CHECK(a[i].key == b[i].key);
        CHECK(a[i].value == b[i].value);
        CHECK(a[i].headers == b[i].headers);
        CHECK(a[i].attributes == b[i].attributes);
    }
}

void check_same_header(const RecordBatch& a, const RecordBatch& b) {
    CHECK(a.base_offset == b.base_offset);
    CHECK(a.partition_leader_epoch == b.partition_leader_epoch);
    CHECK(a.magic == b.magic);
    CHECK(a.attributes == b.attributes);
    CHECK(a.last_offset_delta == b.last_offset_delta);
    CHECK(a.base_timestamp == b.base_timestamp);
    CHECK(a.max_timestamp == b.max_timestamp);
    CHECK(a.producer_id == b.producer_id);
    CHECK(a.producer_epoch == b.producer_epoch);
    CHECK(a.base_sequence == b.base_sequence);
    CHECK(a.record_count == b.record_count);
}

// Feeds a decoded batch back through the builder with the same header fields.
Bytes rebuild(const RecordBatch& b) {
    RecordBatchBuilder builder;
    builder.set_base_offset(b.base_offset);
    builder.set_partition_leader_epoch(b.partition_leader_epoch);
    builder.set_producer(b.producer_id, b.producer_epoch, b.base_sequence);
    builder.set_transactional(b.is_transactional());
    builder.set_control(b.is_control());
    for (const Record& r : b.records) {
        std::optional<ByteView> key, value;
        if (r.key) key = ByteView(*r.key);
        if (r.value) value = ByteView(*r.value);
        builder.append(r.timestamp, key, value, r.headers);
    }
    auto out = builder.finish(b.compression());
    REQUIRE(out);
    return std::move(out).value();
}

// The lines of the recorded producer input (key:value; a line without ':' has a null key).
const std::map<std::string, std::string> kRecordedMessages = {
    {"key-01", "alpha value one, the quick brown fox jumps over the lazy dog"},
    {"key-02", "bravo value two, the quick brown fox jumps over the lazy dog"},
    {"key-03", "charlie value three, the quick brown fox jumps over the lazy dog"},
    {"key-04", "delta value four, the quick brown fox jumps over the lazy dog"},
    {"key-05", "echo value five, the quick brown fox jumps over the lazy dog"},
    {"key-06", "foxtrot value six, the quick brown fox jumps over the lazy dog"},
    {"key-07", "golf value seven, the quick brown fox jumps over the lazy dog"},
    {"key-08", "hotel value eight, the quick brown fox jumps over the lazy dog"},
    {"key-09", "india value nine, the quick brown fox jumps over the lazy dog"},
    {"key-10", "juliett value ten, the quick brown fox jumps over the lazy dog"},
    {"key-11", ""},
    {"<null>", "no delimiter on this line so the key is null"},
};

struct Golden {
    const char* file;
    Compression codec;
    std::vector<std::string> keys;  // in order
    const char* trace_id;           // the trace-id header, nullptr for kafka-python
};

const std::vector<std::string> kPartition1 = {"key-02", "key-03", "key-05", "key-06", "key-08", "key-11"};

const Golden kGolden[] = {
    {"kcat215-none.hex", Compression::none, kPartition1, "0001"},
    {"kcat215-gzip.hex", Compression::gzip, kPartition1, "0001"},
    {"kcat215-snappy.hex", Compression::snappy, kPartition1, "0001"},
    {"kcat215-lz4.hex", Compression::lz4, kPartition1, "0001"},
    {"kcat215-zstd.hex", Compression::zstd,
     {"key-02", "key-03", "key-05", "key-06", "key-08", "key-11", "<null>"}, "0001"},
    {"kcat215-idempotent-lz4.hex", Compression::lz4, kPartition1, "0002"},
    {"kcat20-none.hex", Compression::none, kPartition1, "0001"},
    {"kcat20-gzip.hex", Compression::gzip, kPartition1, "0001"},
    {"kcat20-snappy.hex", Compression::snappy, kPartition1, "0001"},
    {"kcat20-lz4.hex", Compression::lz4, kPartition1, "0001"},
    {"kcat20-zstd.hex", Compression::zstd, kPartition1, "0001"},
};

}  // namespace

TEST_CASE("records golden: batches written by librdkafka decode as produced") {
    for (const Golden& g : kGolden) {
        CAPTURE(g.file);
        if (!compression_available(g.codec)) continue;
        Bytes wire = load_hex(g.file);
        auto set = decode_records(wire);
        REQUIRE(set);
        CHECK(set->bytes_used == wire.size());
        CHECK(!set->partial_tail);
        REQUIRE(set->batches.size() == 1);
        const RecordBatch& b = set->batches[0];
        CHECK(b.magic == 2);
        CHECK(b.crc_ok);
        CHECK(b.compression() == g.codec);
        CHECK(b.size_in_bytes() == wire.size());
        CHECK(b.record_count == static_cast<int32_t>(g.keys.size()));
        CHECK(b.last_offset_delta == b.record_count - 1);
        REQUIRE(b.records.size() == g.keys.size());
        for (size_t i = 0; i < g.keys.size(); ++i) {
            const Record& r = b.records[i];
            CHECK(r.offset == static_cast<int64_t>(i));
            CHECK(r.timestamp == b.base_timestamp);
            CHECK(str(r.key) == g.keys[i]);
            CHECK(str(r.value) == kRecordedMessages.at(g.keys[i]));
            REQUIRE(r.headers.size() == 2);
            CHECK(r.headers[0].key == "app");
            CHECK(str(r.headers[0].value) == "kcap");
            CHECK(r.headers[1].key == "trace-id");
            CHECK(str(r.headers[1].value) == g.trace_id);
        }
        if (std::string(g.file).find("idempotent") != std::string::npos) {
            CHECK(b.producer_id == 43030503574528967);
            CHECK(b.producer_epoch == 0);
            CHECK(b.base_sequence == 0);
        } else {
            CHECK(b.producer_id == -1);
            CHECK(b.base_sequence == -1);
        }
    }
}

TEST_CASE("records golden: our encoder reproduces librdkafka's and kafka-python's batches") {
    for (const char* file : {"kcat215-none.hex", "kcat215-gzip.hex", "kcat215-snappy.hex", "kcat215-lz4.hex",
                             "kcat215-zstd.hex", "kcat215-idempotent-lz4.hex", "kcat20-none.hex", "kcat20-gzip.hex",
                             "kcat20-snappy.hex", "kcat20-lz4.hex", "kcat20-zstd.hex", "kafkapython-none.hex",
                             "kafkapython-gzip.hex", "kafka011-broker-v2.hex", "fetch-mock20-kcat20.hex"}) {
        CAPTURE(file);
        if (std::string(file).find("zstd") != std::string::npos && !compression_available(Compression::zstd)) continue;
        Bytes wire = load_hex(file);
        auto set = decode_records(wire);
        REQUIRE(set);
        Bytes again;
        for (const RecordBatch& b : set->batches) {
            if (!compression_available(b.compression())) continue;
            Bytes mine = rebuild(b);
            auto back = decode_records(mine);
            REQUIRE(back);
            REQUIRE(back->batches.size() == 1);
            check_same_header(back->batches[0], b);
            check_same_records(back->batches[0].records, b.records);
            again.insert(again.end(), mine.begin(), mine.end());
        }
        // Uncompressed batches come out byte for byte.
        bool compressed = false;
        for (const RecordBatch& b : set->batches) compressed |= b.compression() != Compression::none;
        if (!compressed) CHECK(again == wire);
    }
}

TEST_CASE("records golden: kafka-python batches with headers, null keys and empty values") {
    Bytes wire = load_hex("kafkapython-gzip.hex");
    auto set = decode_records(wire);
    REQUIRE(set);
    const RecordBatch& b = set->batches.at(0);
    CHECK(b.compression() == Compression::gzip);
    REQUIRE(b.records.size() == 7);
    CHECK(str(b.records[0].key) == "kp-key-00");
    CHECK(str(b.records[0].value) == "kafka-python value 00, sphinx of black quartz judge my vow");
    REQUIRE(b.records[0].headers.size() == 2);
    CHECK(b.records[0].headers[0] == RecordHeader{"idx", bytes_of("0")});
    CHECK(b.records[0].headers[1] == RecordHeader{"src", bytes_of("kafka-python")});
    CHECK(b.records[1].headers.empty());
    CHECK(!b.records[6].key);  // the last message of the script has no key
    CHECK(b.records[1].timestamp == b.base_timestamp + 1);
    CHECK(b.max_timestamp == b.records[6].timestamp);

    Bytes plain = load_hex("kafkapython-none.hex");
    auto plain_set = decode_records(plain);
    REQUIRE(plain_set);
    CHECK(plain_set->batches.at(0).records.size() == 6);
}

TEST_CASE("records golden: v0, v1 and v2 data written by Kafka brokers") {
    // Kafka 0.10 v0 messages, with 4 bytes of a cut-off next message.
    Bytes v0 = load_hex("kafka010-broker-v0.hex");
    v0.insert(v0.end(), 4, 0);
    auto s0 = decode_records(v0);
    REQUIRE(s0);
    CHECK(s0->bytes_used == 110);
    CHECK(s0->partial_tail);
    REQUIRE(s0->batches.size() == 4);
    CHECK(s0->batches[0].magic == 0);
    CHECK(s0->batches[0].crc == 0xfeb01dbfu);
    const char* values[] = {"123", "", "", "123"};
    for (int i = 0; i < 4; ++i) {
        const RecordBatch& b = s0->batches[i];
        REQUIRE(b.records.size() == 1);
        CHECK(b.records[0].offset == i);
        CHECK(b.records[0].timestamp == kNoTimestamp);
        CHECK(!b.records[0].key);
        CHECK(str(b.records[0].value) == values[i]);
    }

    Bytes v1 = load_hex("kafka010-broker-v1.hex");
    auto s1 = decode_records(v1);
    REQUIRE(s1);
    REQUIRE(s1->batches.size() == 4);
    CHECK(s1->batches[0].magic == 1);
    CHECK(s1->batches[0].crc == 1199974594u);
    CHECK(s1->batches[0].records.at(0).timestamp == 1503648000942);
    CHECK(str(s1->batches[3].records.at(0).value) == "123");

    Bytes v2 = load_hex("kafka011-broker-v2.hex");
    auto s2 = decode_records(v2);
    REQUIRE(s2);
    REQUIRE(s2->batches.size() == 4);
    CHECK(s2->batches[0].records.at(0).timestamp == 1503229838908);
    CHECK(str(s2->batches[0].records.at(0).value) == "123");
    CHECK(s2->batches[1].records.size() == 2);
    CHECK(s2->batches[1].records[1].offset == 2);
    const Record& hdr = s2->batches[3].records.at(0);
    CHECK(str(hdr.value) == "hdr");
    REQUIRE(hdr.headers.size() == 1);
    CHECK(hdr.headers[0] == RecordHeader{"hkey", bytes_of("hval")});

    // Our legacy encoder writes those v0/v1 messages byte for byte.
    for (const auto* s : {&*s0, &*s1}) {
        Bytes again;
        for (const RecordBatch& b : s->batches) {
            auto enc = encode_message_set(b.magic, b.records);
            REQUIRE(enc);
            again.insert(again.end(), enc->begin(), enc->end());
        }
        CHECK(again == (s == &*s0 ? Bytes(v0.begin(), v0.end() - 4) : v1));
    }
}

TEST_CASE("records: control batches") {
    // A hand-made abort marker whose CRC field is not the real CRC.
    Bytes wire = load_hex("control-abort-v2.hex");
    CHECK(decode_records(wire).error() == client_errc::bad_crc);
    DecodeOptions lax;
    lax.verify_crc = false;
    auto set = decode_records(wire, lax);
    REQUIRE(set);
    const RecordBatch& b = set->batches.at(0);
    CHECK(!b.crc_ok);
    CHECK(b.is_control());
    auto control = decode_control_key(*b.records.at(0).key);
    REQUIRE(control);
    CHECK(control->version == 0);
    CHECK(control->type == static_cast<int16_t>(ControlType::abort));

    // A commit marker as a transaction coordinator writes it.
    RecordBatchBuilder builder;
    builder.set_base_offset(42);
    builder.set_producer(7, 3, -1);
    builder.set_transactional(true);
    builder.set_control(true);
    builder.append(1700000000000, ByteView(encode_control_key({0, 1})), ByteView(encode_end_txn_marker(9)));
    auto commit = builder.finish();
    REQUIRE(commit);
    auto decoded = decode_records(*commit);
    REQUIRE(decoded);
    const RecordBatch& c = decoded->batches.at(0);
    CHECK(c.is_control());
    CHECK(c.is_transactional());
    CHECK(c.base_offset == 42);
    CHECK(c.producer_id == 7);
    CHECK(c.producer_epoch == 3);
    CHECK(decode_control_key(*c.records.at(0).key)->type == static_cast<int16_t>(ControlType::commit));
    CHECK(*c.records[0].value == Bytes{0, 0, 0, 0, 0, 9});

    CHECK(decode_control_key(Bytes{0, 0, 0}).error() == client_errc::truncated);
    CHECK(decode_control_key(Bytes{0xff, 0xff, 0, 0}).error() == client_errc::malformed);
    CHECK(decode_control_key(Bytes{0, 1, 0, 1, 0xaa})->version == 1);  // newer versions may append
}

TEST_CASE("records: builder round trip with every codec") {
    for (Compression codec : kAllCodecs) {
        if (!compression_available(codec)) continue;
        CAPTURE(compression_name(codec));
        RecordBatchBuilder builder;
        builder.set_base_offset(1000);
        builder.set_partition_leader_epoch(5);
        builder.set_producer(123456789, 2, 77);
        std::vector<Record> want;
        const int64_t t0 = 1700000000000;
        for (int i = 0; i < 300; ++i) {
            Record r;
            r.offset = 1000 + i;
            r.timestamp = t0 + (i % 7) * 13 - 20;  // not monotonic: negative deltas too
            if (i % 5 != 0) r.key = bytes_of("key-" + std::to_string(i));
            if (i % 11 != 3) r.value = bytes_of(std::string(static_cast<size_t>(i % 50) * 7, static_cast<char>('a' + i % 26)));
            if (i % 3 == 0) r.headers.push_back({"h" + std::to_string(i), bytes_of("v")});
            if (i % 9 == 0) r.headers.push_back({"", std::nullopt});
            std::optional<ByteView> key, value;
            if (r.key) key = ByteView(*r.key);
            if (r.value) value = ByteView(*r.value);
            builder.append(r.timestamp, key, value, r.headers);
            want.push_back(std::move(r));
        }
        CHECK(builder.record_count() == 300);
        size_t estimate = builder.estimated_size();
        auto batch = builder.finish(codec);
        REQUIRE(batch);
        CHECK(builder.empty());
        if (codec == Compression::none) CHECK(batch->size() == estimate);
        else CHECK(batch->size() < estimate);

        auto set = decode_records(*batch);
        REQUIRE(set);
        REQUIRE(set->batches.size() == 1);
        const RecordBatch& b = set->batches[0];
        CHECK(b.compression() == codec);
        CHECK(b.base_offset == 1000);
        CHECK(b.partition_leader_epoch == 5);
        CHECK(b.producer_id == 123456789);
        CHECK(b.producer_epoch == 2);
        CHECK(b.base_sequence == 77);
        CHECK(b.record_count == 300);
        CHECK(b.last_offset_delta == 299);
        CHECK(b.next_offset() == 1300);
        CHECK(b.base_timestamp == t0 - 20);
        CHECK(b.max_timestamp == t0 + 6 * 13 - 20);
        CHECK(!b.is_transactional());
        CHECK(!b.is_control());
        check_same_records(b.records, want);
    }
}

TEST_CASE("records: builder details") {
    RecordBatchBuilder builder;
    CHECK(builder.finish().error() == client_errc::invalid_argument);

    // finish_into appends after what the writer holds, and the builder is reusable.
    Writer w(Bytes{1, 2, 3, 4});
    builder.append(5, std::nullopt, ByteView(bytes_of("one")));
    REQUIRE(!builder.finish_into(w, Compression::gzip));
    builder.append(6, ByteView(bytes_of("k")), std::nullopt);
    REQUIRE(!builder.finish_into(w));
    auto set = decode_records(ByteView(w.buffer().data() + 4, w.size() - 4));
    REQUIRE(set);
    REQUIRE(set->batches.size() == 2);
    CHECK(str(set->batches[0].records.at(0).value) == "one");
    CHECK(!set->batches[0].records[0].key);
    CHECK(str(set->batches[1].records.at(0).key) == "k");
    CHECK(!set->batches[1].records[0].value);
    CHECK(set->batches[1].producer_id == -1);  // reset() after finish

    // max_record_size bounds what append adds.
    RecordHeader h{"hk", bytes_of("hv")};
    builder.append(1, ByteView(bytes_of("key")), ByteView(bytes_of("value")), &h, 1);
    size_t before = builder.estimated_size();
    builder.append(1LL << 40, ByteView(bytes_of("key")), ByteView(bytes_of("value")), &h, 1);
    CHECK(builder.estimated_size() - before <= RecordBatchBuilder::max_record_size(3, 5, &h, 1));

    // LogAppendTime: every record reads the batch's max timestamp.
    builder.set_log_append_time(true);
    auto lat = builder.finish();
    REQUIRE(lat);
    auto lat_set = decode_records(*lat);
    REQUIRE(lat_set);
    CHECK(lat_set->batches[0].log_append_time());
    CHECK(lat_set->batches[0].records.at(0).timestamp == 1LL << 40);
}

TEST_CASE("records: set_batch_producer_state rewrites the fields and the CRC") {
    RecordBatchBuilder builder;
    builder.append(10, ByteView(bytes_of("k")), ByteView(bytes_of("v")));
    builder.append(11, ByteView(bytes_of("k")), ByteView(bytes_of("v")));
    Bytes batch = *builder.finish(Compression::lz4);
    REQUIRE(!set_batch_producer_state(batch.data(), batch.size(), 99, 4, 1234));
    auto set = decode_records(batch);
    REQUIRE(set);
    CHECK(set->batches[0].producer_id == 99);
    CHECK(set->batches[0].producer_epoch == 4);
    CHECK(set->batches[0].base_sequence == 1234);
    CHECK(set->batches[0].records.size() == 2);
    CHECK(set_batch_producer_state(batch.data(), batch.size() - 1, 1, 1, 1) == client_errc::invalid_argument);
}

TEST_CASE("records: CRC mismatch") {
    RecordBatchBuilder builder;
    builder.append(1, ByteView(bytes_of("key")), ByteView(bytes_of("value")));
    Bytes batch = *builder.finish();
    batch[batch.size() - 3] ^= 0x20;  // inside the value
    CHECK(decode_records(batch).error() == client_errc::bad_crc);
    DecodeOptions lax;
    lax.verify_crc = false;
    auto set = decode_records(batch, lax);
    REQUIRE(set);
    CHECK(!set->batches[0].crc_ok);
    CHECK(str(set->batches[0].records[0].value) == "valUe");

    // Legacy messages use CRC-32 (IEEE): checked too.
    Record r;
    r.offset = 0;
    r.value = bytes_of("value");
    Bytes legacy = *encode_message_set(1, {r});
    legacy.back() ^= 1;
    CHECK(decode_records(legacy).error() == client_errc::bad_crc);
    CHECK(!decode_records(legacy, lax)->batches[0].crc_ok);
}

TEST_CASE("records: partial tail at every cut of the last batch") {
    RecordBatchBuilder builder;
    builder.append(1, ByteView(bytes_of("a")), ByteView(bytes_of("first")));
    Bytes first = *builder.finish();
    builder.append(2, ByteView(bytes_of("b")), ByteView(bytes_of("second")));
    builder.append(3, ByteView(bytes_of("c")), ByteView(bytes_of("third")));
    Bytes second = *builder.finish(Compression::snappy);
    Bytes both = first;
    both.insert(both.end(), second.begin(), second.end());
    for (size_t cut = first.size(); cut < both.size(); ++cut) {
        auto set = decode_records(ByteView(both.data(), cut));
        REQUIRE(set);
        CHECK(set->batches.size() == 1);
        CHECK(set->bytes_used == first.size());
        CHECK(set->partial_tail == (cut > first.size()));
    }
    auto all = decode_records(both);
    REQUIRE(all);
    CHECK(all->batches.size() == 2);
    CHECK(!all->partial_tail);
    auto empty = decode_records(ByteView());
    REQUIRE(empty);
    CHECK(empty->batches.empty());
}

TEST_CASE("records: headers_only skips decompression") {
    RecordBatchBuilder builder;
    builder.append(1, std::nullopt, ByteView(bytes_of("x")));
    Bytes batch = *builder.finish(Compression::gzip);
    DecodeOptions opts;
    opts.headers_only = true;
    auto set = decode_records(batch, opts);
    REQUIRE(set);
    CHECK(set->batches[0].record_count == 1);
    CHECK(set->batches[0].records.empty());
}

TEST_CASE("records: legacy message sets, plain and wrapped") {
    std::vector<Record> recs;
    for (int i = 0; i < 5; ++i) {
        Record r;
        r.offset = 100 + i;
        r.timestamp = 1500000000000 + i;
        if (i != 2) r.key = bytes_of("k" + std::to_string(i));
        if (i != 3) r.value = bytes_of("value number " + std::to_string(i));
        recs.push_back(std::move(r));
    }
    for (int8_t magic : {0, 1}) {
        for (Compression codec : {Compression::none, Compression::gzip, Compression::snappy, Compression::lz4}) {
            CAPTURE(int(magic));
            CAPTURE(compression_name(codec));
            auto wire = encode_message_set(magic, recs, codec);
            REQUIRE(wire);
            auto set = decode_records(*wire);
            REQUIRE(set);
            CHECK(set->bytes_used == wire->size());
            std::vector<Record> got;
            for (const RecordBatch& b : set->batches) {
                CHECK(b.magic == magic);
                CHECK(b.crc_ok);
                CHECK(b.compression() == codec);
                for (const Record& r : b.records) got.push_back(r);
            }
            CHECK(set->batches.size() == (codec == Compression::none ? 5u : 1u));
            if (codec != Compression::none) {
                const RecordBatch& w = set->batches[0];
                CHECK(w.base_offset == 100);
                CHECK(w.last_offset() == 104);
                CHECK(w.record_count == 5);
            }
            REQUIRE(got.size() == 5);
            for (int i = 0; i < 5; ++i) {
                CAPTURE(i);
                CHECK(got[i].offset == 100 + i);  // v1 relative offsets made absolute
                CHECK(got[i].timestamp == (magic == 0 ? kNoTimestamp : 1500000000000 + i));
                CHECK(got[i].key == recs[i].key);
                CHECK(got[i].value == recs[i].value);
            }
        }
    }
    // v1 LogAppendTime wrapper: inner messages take the wrapper's timestamp.
    auto lat = encode_message_set(1, recs, Compression::gzip, /*log_append_time=*/true);
    REQUIRE(lat);
    auto set = decode_records(*lat);
    REQUIRE(set);
    CHECK(set->batches[0].log_append_time());
    for (const Record& r : set->batches[0].records) CHECK(r.timestamp == 1500000000004);

    // v0 lz4 carries the pre-0.10 header checksum (KAFKA-3160): only the legacy reader takes it.
    auto v0lz4 = encode_message_set(0, recs, Compression::lz4);
    REQUIRE(v0lz4);
    const size_t value_at = 12 + 4 + 1 + 1 + 4 + 4;  // offset, size, crc, magic, attributes, null key, value length
    ByteView frame(v0lz4->data() + value_at, v0lz4->size() - value_at);
    Bytes out;
    CHECK(decompress(Compression::lz4, frame, out) == client_errc::decompression_failed);
    CHECK(!decompress(Compression::lz4, frame, out, kDefaultDecompressLimit, /*legacy_lz4=*/true));
    auto v1lz4 = encode_message_set(1, recs, Compression::lz4);
    REQUIRE(v1lz4);
    ByteView v1frame(v1lz4->data() + value_at + 8, v1lz4->size() - value_at - 8);  // v1 adds a timestamp
    out.clear();
    CHECK(!decompress(Compression::lz4, v1frame, out));

    CHECK(encode_message_set(2, recs).error() == client_errc::invalid_argument);
    CHECK(encode_message_set(1, recs, Compression::zstd).error() == client_errc::unsupported_compression);
}

TEST_CASE("records: hostile batches") {
    RecordBatchBuilder builder;
    builder.append(1, ByteView(bytes_of("key")), ByteView(bytes_of("value")), {{"h", bytes_of("v")}});
    const Bytes good = *builder.finish();

    SUBCASE("batch length below any header") {
        Bytes b = good;
        put_be32(b.data() + 8, 3);
        CHECK(decode_records(b).error() == client_errc::malformed);
        put_be32(b.data() + 8, 0xffffff00u);  // negative
        CHECK(decode_records(b).error() == client_errc::malformed);
    }
    SUBCASE("huge batch length is a partial tail, not an allocation") {
        Bytes b = good;
        put_be32(b.data() + 8, 0x7fffffff);
        auto set = decode_records(b);
        REQUIRE(set);
        CHECK(set->partial_tail);
        CHECK(set->batches.empty());
    }
    SUBCASE("unknown magic") {
        Bytes b = good;
        b[16] = 3;
        CHECK(decode_records(b).error() == client_errc::malformed);
    }
    SUBCASE("v2 batch shorter than its header") {
        Bytes b(good.begin(), good.begin() + 40);
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::malformed);
    }
    SUBCASE("record count far above the records present") {
        Bytes b = good;
        put_be32(b.data() + 57, 0x7fffffff);
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::truncated);
        put_be32(b.data() + 57, 0x80000000u);
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::malformed);
    }
    SUBCASE("record count below the records present") {
        Bytes b = good;
        put_be32(b.data() + 57, 0);
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::trailing_bytes);
    }
    SUBCASE("unknown codec") {
        Bytes b = good;
        b[22] = 6;
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::unsupported_compression);
    }
    SUBCASE("corrupt compressed records") {
        Bytes b = good;
        b[22] = static_cast<uint8_t>(Compression::gzip);
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::decompression_failed);
    }
    SUBCASE("decompression bomb inside a batch") {
        RecordBatchBuilder big;
        Bytes zeros(4 << 20, 0);
        big.append(1, std::nullopt, ByteView(zeros));
        Bytes b = *big.finish(Compression::gzip);
        CHECK(b.size() < 8000);
        DecodeOptions small;
        small.decompress_limit = 1 << 20;
        CHECK(decode_records(b, small).error() == client_errc::decompression_limit);
        CHECK(decode_records(b));
    }
    SUBCASE("record lengths: negative and past the end") {
        // The only record starts at 61: its length varint.
        Bytes b = good;
        b[61] = 0x01;  // zig-zag -1
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::malformed);
        b[61] = 0x7e;  // 63, past the end
        reseal(b);
        CHECK(decode_records(b).error() == client_errc::truncated);
    }
}

TEST_CASE("records: every truncation of the records section and random mutations never crash") {
    for (Compression codec : kAllCodecs) {
        if (!compression_available(codec)) continue;
        CAPTURE(compression_name(codec));
        RecordBatchBuilder builder;
        for (int i = 0; i < 6; ++i) {
            builder.append(100 + i, ByteView(bytes_of("key" + std::to_string(i))),
                           ByteView(bytes_of("some value " + std::to_string(i))),
                           {{"hdr", bytes_of("x")}, {"nul", std::nullopt}});
        }
        const Bytes good = *builder.finish(codec);
        // Cut the batch at every byte, as a Fetch may: always a partial tail.
        for (size_t n = 0; n < good.size(); ++n) {
            auto set = decode_records(ByteView(good.data(), n));
            REQUIRE(set);
            CHECK(set->partial_tail == (n > 0));
            CHECK(set->batches.empty());
        }
        // Cut the records section and reseal, so the record parser sees the cut.
        for (size_t n = 61; n < good.size(); ++n) {
            Bytes b(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
            reseal(b);
            CHECK(!decode_records(b));
        }
        std::mt19937 rng(static_cast<uint32_t>(codec) + 17);
        for (int round = 0; round < 2000; ++round) {
            Bytes b = good;
            int flips = 1 + static_cast<int>(rng() % 3);
            for (int k = 0; k < flips; ++k) {
                size_t at = 21 + rng() % (b.size() - 21);
                b[at] = static_cast<uint8_t>(rng());
            }
            reseal(b);
            DecodeOptions opts;
            opts.decompress_limit = 1 << 16;
            auto set = decode_records(b, opts);
            if (set) CHECK(set->batches.size() == 1);
        }
    }
    // Legacy wrappers too.
    std::vector<Record> recs(4);
    for (int i = 0; i < 4; ++i) {
        recs[i].offset = i;
        recs[i].value = bytes_of("legacy value " + std::to_string(i));
    }
    for (int8_t magic : {0, 1}) {
        const Bytes good = *encode_message_set(magic, recs, Compression::gzip);
        std::mt19937 rng(magic + 5);
        DecodeOptions lax;
        lax.verify_crc = false;
        for (int round = 0; round < 2000; ++round) {
            Bytes b = good;
            b[rng() % b.size()] = static_cast<uint8_t>(rng());
            (void)decode_records(b, lax);
        }
        for (size_t n = 0; n < good.size(); ++n) {
            auto set = decode_records(ByteView(good.data(), n), lax);
            if (set) CHECK(set->batches.empty());
        }
    }
}
