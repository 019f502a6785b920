// Produce (key 0) and Fetch (key 1): round trips at every version, golden
// frames from real clients and brokers, and truncated frames.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "protocol/messages/fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "tests/support/golden.hpp"

using namespace kafka;
using kafka::test::golden_file;
using kafka::test::roundtrip_all_versions;

namespace {

Uuid make_uuid(uint8_t seed) {
    Uuid u;
    for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(seed + i);
    return u;
}

RecordsField make_records(size_t n, uint8_t seed) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
    return RecordsField{std::move(b)};
}

TaggedFields unknown(uint32_t tag) { return {{tag, Bytes{0xde, 0xad}}}; }

// Encodes at `v`, which must succeed, then runs the all-versions round trip.
template <class M>
void check_sample(const M& m, int16_t v) {
    INFO(M::name << " sample for v" << v);
    Writer w;
    m.encode(w, v);
    REQUIRE(w.ok());
    Reader r(w.buffer());
    auto d = M::decode(r, v);
    REQUIRE(d.has_value());
    REQUIRE(r.finish() == std::error_code{});
    Writer w2;
    d->encode(w2, v);
    CHECK(to_hex(w2.buffer()) == to_hex(w.buffer()));
    roundtrip_all_versions(m);
}

template <class M>
void check_default_at_every_version() {
    for (int16_t v = M::versions.min; v <= M::versions.max; ++v) {
        INFO(M::name << " default v" << v);
        M m{};
        Writer w;
        m.encode(w, v);
        REQUIRE(w.ok());
        Reader r(w.buffer());
        auto d = M::decode(r, v);
        REQUIRE(d.has_value());
        CHECK(r.finish() == std::error_code{});
    }
}

template <class M>
bool encodes(const M& m, int16_t v) {
    Writer w;
    m.encode(w, v);
    return w.ok();
}

// ---------------------------------------------------------------------------
// Samples with every field the version carries set away from its default.

ProduceRequest produce_request_sample(int16_t v) {
    const bool flex = v >= ProduceRequest::first_flexible;
    ProduceRequest m;
    if (v >= 3) m.transactional_id = "txn-1";
    m.acks = -1;
    m.timeout_ms = 30000;
    for (int t = 0; t < 2; ++t) {
        ProduceRequest::TopicProduceData td;
        if (v <= 12) td.name = "topic-" + std::to_string(t);
        else td.topic_id = make_uuid(static_cast<uint8_t>(0x10 * (t + 1)));
        for (int p = 0; p < 2; ++p) {
            ProduceRequest::PartitionProduceData pd;
            pd.index = p + 3;
            pd.records = make_records(40 + static_cast<size_t>(p), static_cast<uint8_t>(p));
            if (flex) pd.unknown_tags = unknown(9);
            td.partition_data.push_back(std::move(pd));
        }
        if (flex) td.unknown_tags = unknown(7);
        m.topic_data.push_back(std::move(td));
    }
    ProduceRequest::PartitionProduceData null_records;  // records are nullable
    null_records.index = 9;
    m.topic_data[0].partition_data.push_back(null_records);
    if (flex) m.unknown_tags = unknown(5);
    return m;
}

ProduceResponse produce_response_sample(int16_t v) {
    const bool flex = v >= ProduceResponse::first_flexible;
    ProduceResponse m;
    ProduceResponse::TopicProduceResponse t;
    if (v <= 12) t.name = "topic-0";
    else t.topic_id = make_uuid(0x20);
    for (int p = 0; p < 2; ++p) {
        ProduceResponse::PartitionProduceResponse pr;
        pr.index = p;
        pr.error_code = static_cast<int16_t>(p == 0 ? 0 : 6);
        pr.base_offset = 1000 + p;
        if (v >= 2) pr.log_append_time_ms = 1700000000000 + p;
        if (v >= 5) pr.log_start_offset = 17;
        if (v >= 8) {
            pr.record_errors.push_back({2, std::string("bad record"), {}});
            pr.record_errors.push_back({5, std::nullopt, {}});
            pr.error_message = "batch dropped";
        }
        if (v >= 10) pr.current_leader = {4, 12, {}};
        if (flex) pr.unknown_tags = unknown(3);
        t.partition_responses.push_back(std::move(pr));
    }
    if (flex) t.unknown_tags = unknown(1);
    m.responses.push_back(std::move(t));
    if (v >= 1) m.throttle_time_ms = 250;
    if (v >= 10) {
        m.node_endpoints.push_back({4, "broker-4", 9092, std::string("rack-a"), {}});
        m.node_endpoints.push_back({5, "broker-5", 9093, std::nullopt, {}});
    }
    if (flex) m.unknown_tags = unknown(6);
    return m;
}

FetchRequest fetch_request_sample(int16_t v) {
    const bool flex = v >= FetchRequest::first_flexible;
    FetchRequest m;
    if (v >= 12) m.cluster_id = "cluster-xyz";
    if (v <= 14) m.replica_id = 3;
    if (v >= 15) m.replica_state = {3, 42, {}};
    m.max_wait_ms = 500;
    m.min_bytes = 1;
    if (v >= 3) m.max_bytes = 52428800;
    if (v >= 4) m.isolation_level = 1;
    if (v >= 7) {
        m.session_id = 77;
        m.session_epoch = 4;
    }
    for (int t = 0; t < 2; ++t) {
        FetchRequest::FetchTopic ft;
        if (v <= 12) ft.topic = "topic-" + std::to_string(t);
        else ft.topic_id = make_uuid(static_cast<uint8_t>(0x30 + t));
        for (int p = 0; p < 2; ++p) {
            FetchRequest::FetchPartition fp;
            fp.partition = p;
            if (v >= 9) fp.current_leader_epoch = 8;
            fp.fetch_offset = 12345 + p;
            if (v >= 12) fp.last_fetched_epoch = 7;
            if (v >= 5) fp.log_start_offset = 100;
            fp.partition_max_bytes = 1048576;
            if (v >= 17) fp.replica_directory_id = make_uuid(0x50);
            if (v >= 18) fp.high_watermark = 99999;
            if (flex) fp.unknown_tags = unknown(4);
            ft.partitions.push_back(std::move(fp));
        }
        if (flex) ft.unknown_tags = unknown(2);
        m.topics.push_back(std::move(ft));
    }
    if (v >= 7) {
        FetchRequest::ForgottenTopic f;
        if (v <= 12) f.topic = "gone";
        else f.topic_id = make_uuid(0x60);
        f.partitions = {0, 2, 4};
        if (flex) f.unknown_tags = unknown(3);
        m.forgotten_topics_data.push_back(std::move(f));
    }
    if (v >= 11) m.rack_id = "rack-b";
    if (flex) m.unknown_tags = unknown(9);
    return m;
}

// One partition with an aborted transaction, one with an empty list, one with null.
std::optional<std::vector<FetchResponse::AbortedTransaction>> aborted_transactions_sample(int p) {
    std::optional<std::vector<FetchResponse::AbortedTransaction>> a;
    if (p == 0) a = std::vector<FetchResponse::AbortedTransaction>{{11, 4000, {}}};
    if (p == 1) a = std::vector<FetchResponse::AbortedTransaction>{};
    return a;
}

FetchResponse fetch_response_sample(int16_t v) {
    const bool flex = v >= FetchResponse::first_flexible;
    FetchResponse m;
    if (v >= 1) m.throttle_time_ms = 10;
    if (v >= 7) {
        m.error_code = 0;
        m.session_id = 1234;
    }
    FetchResponse::FetchableTopicResponse t;
    if (v <= 12) t.topic = "topic-0";
    else t.topic_id = make_uuid(0x70);
    for (int p = 0; p < 3; ++p) {
        FetchResponse::PartitionData pd;
        pd.partition_index = p;
        pd.error_code = static_cast<int16_t>(p == 2 ? 1 : 0);
        pd.high_watermark = 5000 + p;
        if (v >= 4) {
            pd.last_stable_offset = 4990;
            pd.aborted_transactions = aborted_transactions_sample(p);
        }
        if (v >= 5) pd.log_start_offset = 3;
        if (v >= 11) pd.preferred_read_replica = 2;
        if (v >= 12) {
            pd.diverging_epoch = {5, 4321, {}};
            pd.current_leader = {1, 9, {}};
            pd.snapshot_id = {4000, 5, {}};
        }
        if (p != 2) pd.records = make_records(300, static_cast<uint8_t>(p));  // p == 2: null records
        if (flex) pd.unknown_tags = unknown(8);
        t.partitions.push_back(std::move(pd));
    }
    if (flex) t.unknown_tags = unknown(1);
    m.responses.push_back(std::move(t));
    if (v >= 16) m.node_endpoints.push_back({1, "broker-1", 9092, std::string("rack-c"), {}});
    if (flex) m.unknown_tags = unknown(4);
    return m;
}

}  // namespace

// ---------------------------------------------------------------------------

TEST_CASE("Produce and Fetch traits") {
    CHECK(ProduceRequest::key == 0);
    CHECK(FetchRequest::key == 1);
    CHECK(ProduceRequest::versions.min == 0);
    CHECK(ProduceRequest::versions.max == 13);
    CHECK(ProduceRequest::first_flexible == 9);
    CHECK(FetchRequest::versions.min == 0);
    CHECK(FetchRequest::versions.max == 18);
    CHECK(FetchRequest::first_flexible == 12);
}

TEST_CASE("Produce round trips at every version") {
    for (int16_t v = ProduceRequest::versions.min; v <= ProduceRequest::versions.max; ++v) {
        check_sample(produce_request_sample(v), v);
        check_sample(produce_response_sample(v), v);
    }
    check_default_at_every_version<ProduceRequest>();
    check_default_at_every_version<ProduceResponse>();
}

TEST_CASE("Fetch round trips at every version") {
    for (int16_t v = FetchRequest::versions.min; v <= FetchRequest::versions.max; ++v) {
        check_sample(fetch_request_sample(v), v);
        check_sample(fetch_response_sample(v), v);
    }
    check_default_at_every_version<FetchRequest>();
    check_default_at_every_version<FetchResponse>();
}

TEST_CASE("Produce and Fetch refuse fields the version lacks") {
    // Each newer sample carries something its predecessor cannot.
    CHECK_FALSE(encodes(produce_request_sample(3), 2));    // transactional_id
    CHECK_FALSE(encodes(produce_request_sample(13), 12));  // topic_id
    CHECK_FALSE(encodes(produce_request_sample(12), 13));  // topic name
    CHECK_FALSE(encodes(produce_response_sample(2), 1));   // log_append_time_ms
    CHECK_FALSE(encodes(produce_response_sample(5), 4));   // log_start_offset
    CHECK_FALSE(encodes(produce_response_sample(8), 7));   // record_errors
    CHECK_FALSE(encodes(produce_response_sample(10), 9));  // current_leader, node_endpoints
    CHECK_FALSE(encodes(fetch_request_sample(3), 2));      // max_bytes
    CHECK_FALSE(encodes(fetch_request_sample(11), 10));    // rack_id
    CHECK_FALSE(encodes(fetch_request_sample(12), 11));    // last_fetched_epoch, cluster_id
    CHECK_FALSE(encodes(fetch_request_sample(15), 14));    // replica_state
    CHECK_FALSE(encodes(fetch_request_sample(14), 15));    // replica_id
    CHECK_FALSE(encodes(fetch_request_sample(17), 16));    // replica_directory_id
    CHECK_FALSE(encodes(fetch_request_sample(18), 17));    // high_watermark
    CHECK_FALSE(encodes(fetch_response_sample(4), 3));     // aborted_transactions
    CHECK_FALSE(encodes(fetch_response_sample(11), 10));   // preferred_read_replica
    CHECK_FALSE(encodes(fetch_response_sample(16), 15));   // node_endpoints

    // An empty (not null) aborted_transactions list cannot go before v4 either.
    FetchResponse r;
    r.responses.emplace_back();
    r.responses[0].partitions.emplace_back();
    r.responses[0].partitions[0].aborted_transactions = std::vector<FetchResponse::AbortedTransaction>{};
    CHECK_FALSE(encodes(r, 3));
    CHECK(encodes(r, 4));
}

TEST_CASE("Fetch and Produce defaults follow the schema") {
    FetchRequest f;
    CHECK(f.replica_id == -1);
    CHECK(f.max_bytes == 0x7fffffff);
    CHECK(f.session_epoch == -1);
    CHECK(f.replica_state.replica_id == -1);
    CHECK(f.replica_state.replica_epoch == -1);
    FetchRequest::FetchPartition fp;
    CHECK(fp.current_leader_epoch == -1);
    CHECK(fp.last_fetched_epoch == -1);
    CHECK(fp.log_start_offset == -1);
    CHECK(fp.high_watermark == std::numeric_limits<int64_t>::max());

    // Tagged fields at their default stay off the wire: a v18 partition with
    // defaults encodes as the same bytes as at v16 (no tags written).
    FetchRequest a;
    a.topics.emplace_back();
    a.topics[0].partitions.emplace_back();
    Writer w16, w18;
    a.topics[0].topic_id = make_uuid(1);
    a.replica_id = -1;
    a.encode(w16, 16);
    a.encode(w18, 18);
    REQUIRE(w16.ok());
    REQUIRE(w18.ok());
    CHECK(to_hex(w16.buffer()) == to_hex(w18.buffer()));

    FetchResponse::PartitionData pd;
    CHECK(pd.last_stable_offset == -1);
    CHECK(pd.log_start_offset == -1);
    CHECK(pd.preferred_read_replica == -1);
    CHECK(pd.diverging_epoch.epoch == -1);
    CHECK(pd.current_leader.leader_id == -1);
    CHECK(pd.snapshot_id.end_offset == -1);
    CHECK_FALSE(pd.aborted_transactions.has_value());

    ProduceResponse::PartitionProduceResponse pr;
    CHECK(pr.log_append_time_ms == -1);
    CHECK(pr.log_start_offset == -1);
    CHECK(pr.current_leader.leader_epoch == -1);
}

TEST_CASE("Produce and Fetch response lookups") {
    auto p = produce_response_sample(9);
    REQUIRE(p.find("topic-0", 1) != nullptr);
    CHECK(p.find("topic-0", 1)->error_code == 6);
    CHECK(p.find("topic-0", 7) == nullptr);
    CHECK(p.find("nope", 0) == nullptr);
    auto p13 = produce_response_sample(13);
    REQUIRE(p13.find(make_uuid(0x20), 0) != nullptr);
    CHECK(p13.find(make_uuid(0x20), 0)->base_offset == 1000);

    auto f = fetch_response_sample(12);
    REQUIRE(f.find("topic-0", 2) != nullptr);
    CHECK(f.find("topic-0", 2)->error_code == 1);
    CHECK_FALSE(f.find("topic-0", 2)->records.data.has_value());
    auto f16 = fetch_response_sample(16);
    REQUIRE(f16.find(make_uuid(0x70), 0) != nullptr);
    CHECK(f16.find(make_uuid(0x70), 0)->records.data->size() == 300);

    ProduceRequest acks0;
    CHECK_FALSE(acks0.expects_response());
    acks0.acks = -1;
    CHECK(acks0.expects_response());
}

TEST_CASE("Large records fields pass through whole") {
    // The hot paths: a Fetch response carrying several MiB of batches, and a
    // Produce request carrying them the other way.
    constexpr size_t kBig = 4u << 20;
    FetchResponse f;
    f.responses.emplace_back();
    f.responses[0].topic = "t";
    for (int p = 0; p < 3; ++p) {
        FetchResponse::PartitionData pd;
        pd.partition_index = p;
        pd.records = make_records(kBig, static_cast<uint8_t>(p));
        f.responses[0].partitions.push_back(std::move(pd));
    }
    for (int16_t v : {int16_t{4}, int16_t{11}, int16_t{12}}) {
        Writer w;
        f.encode(w, v);
        REQUIRE(w.ok());
        CHECK(w.buffer().capacity() < w.size() + 4096);  // sized once, not grown by doubling
        Reader r(w.buffer());
        auto d = FetchResponse::decode(r, v);
        REQUIRE(d.has_value());
        CHECK(r.finish() == std::error_code{});
        CHECK(d->responses[0].partitions[2].records == f.responses[0].partitions[2].records);
    }

    ProduceRequest pr;
    pr.acks = 1;
    pr.topic_data.emplace_back();
    pr.topic_data[0].name = "t";
    for (int p = 0; p < 3; ++p)
        pr.topic_data[0].partition_data.push_back({p, make_records(kBig, static_cast<uint8_t>(p)), {}});
    for (int16_t v : {int16_t{3}, int16_t{7}, int16_t{9}}) {
        Writer w(Bytes(4, 0));  // a frame prefix written before the body
        pr.encode(w, v);
        REQUIRE(w.ok());
        CHECK(w.buffer().capacity() < w.size() + 4096);
        Reader r(ByteView(w.buffer()).subview(4));
        auto d = ProduceRequest::decode(r, v);
        REQUIRE(d.has_value());
        CHECK(r.finish() == std::error_code{});
        CHECK(d->topic_data[0].partition_data[1].records == pr.topic_data[0].partition_data[1].records);
    }
}

// ---------------------------------------------------------------------------
// Golden frames: every capture that holds Produce or Fetch traffic.

namespace {

struct CaptureCount {
    const char* file;
    int produce;  // request and response frames
    int fetch;
};

// Counts from the captures themselves (request + response lines). acks = 0
// produce requests get no response, so some files hold requests only.
const CaptureCount kCaptures[] = {
    {"kfake/admin-confluentkafka.kcap", 6, 4},
    {"kfake/admin-kafkapython.kcap", 4, 16},
    {"kfake/consume-group-kcat20.kcap", 12, 38},
    {"kfake/consume-group-kcat215.kcap", 12, 40},
    {"kfake/consume-group-kip848-kcat215.kcap", 6, 34},
    {"kfake/error-offset-out-of-range-kcat20.kcap", 2, 6},
    {"kfake/error-offset-out-of-range-kcat215.kcap", 2, 8},
    {"kfake/produce-acks0-kcat215.kcap", 3, 0},
    {"kfake/produce-consume-3brokers-kcat215.kcap", 6, 102},
    {"kfake/produce-consume-none-kafkapython.kcap", 2, 20},
    {"kfake/produce-gzip-kcat20.kcap", 6, 0},
    {"kfake/produce-gzip-kcat215.kcap", 6, 0},
    {"kfake/produce-idempotent-kcat20.kcap", 6, 0},
    {"kfake/produce-idempotent-kcat215.kcap", 6, 0},
    {"kfake/produce-lz4-kcat20.kcap", 6, 0},
    {"kfake/produce-lz4-kcat215.kcap", 6, 0},
    {"kfake/produce-none-kcat20.kcap", 6, 0},
    {"kfake/produce-none-kcat215.kcap", 6, 0},
    {"kfake/produce-snappy-kcat20.kcap", 6, 0},
    {"kfake/produce-snappy-kcat215.kcap", 6, 0},
    {"kfake/produce-zstd-kcat20.kcap", 6, 0},
    {"kfake/produce-zstd-kcat215.kcap", 6, 0},
    {"kfake/sasl-plain-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.0/consume-group-kcat20.kcap", 12, 26},
    {"rdkafka-mock-2.0/consume-group-kcat215.kcap", 12, 28},
    {"rdkafka-mock-2.0/error-offset-out-of-range-kcat20.kcap", 2, 6},
    {"rdkafka-mock-2.0/error-offset-out-of-range-kcat215.kcap", 2, 6},
    {"rdkafka-mock-2.0/produce-acks0-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap", 2, 20},
    {"rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap", 2, 20},
    {"rdkafka-mock-2.0/produce-gzip-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-gzip-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-idempotent-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-idempotent-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-lz4-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-lz4-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-none-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.0/produce-none-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/consume-group-kcat20.kcap", 12, 28},
    {"rdkafka-mock-2.15/consume-group-kcat215.kcap", 12, 28},
    {"rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap", 6, 32},
    {"rdkafka-mock-2.15/error-offset-out-of-range-kcat20.kcap", 2, 6},
    {"rdkafka-mock-2.15/error-offset-out-of-range-kcat215.kcap", 2, 6},
    {"rdkafka-mock-2.15/produce-acks0-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap", 2, 20},
    {"rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap", 2, 20},
    {"rdkafka-mock-2.15/produce-gzip-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-gzip-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-idempotent-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-idempotent-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-lz4-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-lz4-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-none-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-none-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-snappy-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-snappy-kcat215.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-zstd-kcat20.kcap", 6, 0},
    {"rdkafka-mock-2.15/produce-zstd-kcat215.kcap", 6, 0},
};

// Every frame body of M's API in a capture, truncated at every byte, must
// fail to decode (and never crash).
template <class Req>
int truncate_every_frame(const std::string& rel) {
    using Resp = typename Req::response_type;
    auto file = kafka::test::load_kcap(rel);
    int n = 0;
    for (const auto& f : file.frames) {
        if (f.api_key != Req::key) continue;
        size_t off = f.request ? kafka::test::request_body_offset(f, Req::first_flexible)
                               : kafka::test::response_body_offset(f, Resp::first_flexible);
        ByteView body = ByteView(f.bytes).subview(off);
        for (size_t len = 0; len < body.size; ++len) {
            Reader r(body.subview(0, len));
            bool failed = f.request ? !Req::decode(r, f.version).has_value() || r.finish()
                                    : !Resp::decode(r, f.version).has_value() || r.finish();
            if (!failed) FAIL_CHECK(rel << ":" << f.line << " decodes when cut at " << len);
        }
        ++n;
    }
    return n;
}

}  // namespace

TEST_CASE("Produce and Fetch golden frames decode and re-encode byte for byte") {
    int produce = 0, fetch = 0;
    for (const auto& c : kCaptures) {
        CAPTURE(c.file);
        int p = golden_file<ProduceRequest>(std::string("captures/") + c.file);
        int f = golden_file<FetchRequest>(std::string("captures/") + c.file);
        CHECK(p == c.produce);
        CHECK(f == c.fetch);
        produce += p;
        fetch += f;
    }
    CHECK(produce > 0);
    CHECK(fetch > 0);
}

TEST_CASE("Produce and Fetch golden frames cut short fail to decode") {
    for (const auto& c : kCaptures) {
        CAPTURE(c.file);
        CHECK(truncate_every_frame<ProduceRequest>(std::string("captures/") + c.file) == c.produce);
        CHECK(truncate_every_frame<FetchRequest>(std::string("captures/") + c.file) == c.fetch);
    }
}

TEST_CASE("Golden Fetch frames carry what the clients asked for") {
    // kafka-python speaks Fetch v4: no sessions, a replica_id of -1.
    auto file = kafka::test::load_kcap("captures/kfake/produce-consume-none-kafkapython.kcap");
    int seen = 0;
    for (const auto& f : file.frames) {
        if (f.api_key != FetchRequest::key || !f.request) continue;
        Reader r(ByteView(f.bytes).subview(kafka::test::request_body_offset(f, FetchRequest::first_flexible)));
        auto m = FetchRequest::decode(r, f.version);
        REQUIRE(m.has_value());
        CHECK(f.version == 4);
        CHECK(m->replica_id == -1);
        CHECK_FALSE(m->topics.empty());
        ++seen;
    }
    CHECK(seen > 0);
}

TEST_CASE("Golden Fetch frames report OFFSET_OUT_OF_RANGE") {
    for (const char* rel : {"captures/kfake/error-offset-out-of-range-kcat20.kcap",
                            "captures/kfake/error-offset-out-of-range-kcat215.kcap",
                            "captures/rdkafka-mock-2.0/error-offset-out-of-range-kcat20.kcap",
                            "captures/rdkafka-mock-2.15/error-offset-out-of-range-kcat215.kcap"}) {
        CAPTURE(rel);
        auto file = kafka::test::load_kcap(rel);
        int out_of_range = 0;
        for (const auto& f : file.frames) {
            if (f.api_key != FetchRequest::key || f.request) continue;
            Reader r(ByteView(f.bytes).subview(kafka::test::response_body_offset(f, FetchResponse::first_flexible)));
            auto m = FetchResponse::decode(r, f.version);
            REQUIRE(m.has_value());
            for (const auto& t : m->responses)
                for (const auto& p : t.partitions) out_of_range += p.error_code == 1;
        }
        CHECK(out_of_range > 0);
    }
}

TEST_CASE("Fetch responses with lying lengths fail to decode") {
    FetchResponse m;
    m.responses.emplace_back();
    m.responses[0].topic = "t";
    m.responses[0].partitions.emplace_back();
    m.responses[0].partitions[0].aborted_transactions = std::vector<FetchResponse::AbortedTransaction>{};
    m.responses[0].partitions[0].records = make_records(8, 1);
    const Bytes& payload = *m.responses[0].partitions[0].records.data;
    for (int16_t v : {int16_t{11}, int16_t{12}}) {
        CAPTURE(v);
        const bool flex = v >= FetchResponse::first_flexible;
        Writer w;
        m.encode(w, v);
        REQUIRE(w.ok());
        Bytes b = w.take();
        // ... aborted_transactions length, preferred_read_replica, records length, records ...
        const size_t records_at = static_cast<size_t>(
            std::search(b.begin(), b.end(), payload.begin(), payload.end()) - b.begin());
        const size_t records_len_at = records_at - (flex ? 1 : 4);
        const size_t aborted_len_at = records_len_at - 4 - (flex ? 1 : 4);
        REQUIRE(b[aborted_len_at + (flex ? 0 : 3)] == (flex ? 1 : 0));  // empty, not null
        {
            Bytes bad = b;  // records longer than what remains
            bad[records_len_at + (flex ? 0 : 3)] = 0x7f;
            Reader r(bad);
            CHECK_FALSE(FetchResponse::decode(r, v).has_value());
        }
        {
            Bytes bad = b;  // aborted_transactions of -2 elements (classic), a runaway varint (compact)
            if (flex) {
                for (size_t i = aborted_len_at; i < bad.size(); ++i) bad[i] = 0xff;
            } else {
                bad[aborted_len_at] = bad[aborted_len_at + 1] = bad[aborted_len_at + 2] = 0xff;
                bad[aborted_len_at + 3] = 0xfe;
            }
            Reader r(bad);
            CHECK_FALSE(FetchResponse::decode(r, v).has_value());
        }
    }
}
