// Metadata, ListOffsets, FindCoordinator, InitProducerId and the SASL APIs:
// round trips at every version, golden captures, truncation.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/sasl.hpp"
#include "tests/support/golden.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

Uuid uuid_of(uint8_t seed) {
    Uuid u;
    for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(seed + i);
    return u;
}

TaggedFields extra_tags(int16_t v, int16_t first_flexible) {
    if (v < first_flexible) return {};
    return {TaggedField{90, {0x01, 0x02}}};
}

// Round-trips one sample per version (built by `make(v)`), checks that each
// sample encodes at the version it was built for, and that a
// default-constructed message encodes at every version.
template <class M, class Make>
void check_every_version(Make make) {
    for (int16_t v = M::versions.min; v <= M::versions.max; ++v) {
        INFO(M::name << " sample v" << v);
        M sample = make(v);
        Writer w;
        sample.encode(w, v);
        CHECK_MESSAGE(w.ok(), "the v" << v << " sample does not encode at v" << v);
        roundtrip_all_versions(sample);

        Writer d;
        M{}.encode(d, v);
        CHECK_MESSAGE(d.ok(), "a default message does not encode at v" << v);
    }
    roundtrip_all_versions(M{});
}

// Every capture file under testdata/captures, relative to testdata.
std::vector<std::string> all_captures() {
    std::vector<std::string> out;
    const std::filesystem::path root = std::filesystem::path(KAFKA_TESTDATA_DIR);
    for (const auto& e : std::filesystem::recursive_directory_iterator(root / "captures"))
        if (e.is_regular_file() && e.path().extension() == ".kcap")
            out.push_back(std::filesystem::relative(e.path(), root).generic_string());
    return out;
}

// golden_file, but through Req::decode / Resp::decode (the entry points the
// registry and the client use) instead of the bare field walk, so that the
// librdkafka quirks those functions handle are part of what is checked.
template <class M>
void golden_decode_roundtrip(ByteView body, int16_t version, const std::string& where) {
    INFO(where << " v" << version);
    Reader r(body);
    auto m = M::decode(r, version);
    if (!m) {
        Reader again(body);
        std::string field;
        (void)decode_fields<M>(again, version, &field);
        FAIL(M::name << " does not decode: " << m.error().message() << " at " << field);
    }
    REQUIRE(r.finish() == std::error_code{});
    Writer w;
    m->encode(w, version);
    REQUIRE(w.ok());
    CHECK(to_hex(w.buffer()) == to_hex(body));
}

template <class Req>
int golden(const std::string& rel) {
    using Resp = typename Req::response_type;
    auto file = load_kcap(rel);
    int n = 0;
    for (const auto& f : file.frames) {
        if (f.api_key != Req::key) continue;
        const std::string where = rel + ":" + std::to_string(f.line);
        if (f.request)
            golden_decode_roundtrip<Req>(ByteView(f.bytes).subview(request_body_offset(f, Req::first_flexible)),
                                         f.version, where);
        else
            golden_decode_roundtrip<Resp>(ByteView(f.bytes).subview(response_body_offset(f, Resp::first_flexible)),
                                          f.version, where);
        ++n;
    }
    return n;
}

// Runs golden<Req> over every capture; returns the frames checked.
template <class Req>
int golden_everywhere() {
    int total = 0;
    for (const auto& f : all_captures()) total += golden<Req>(f);
    return total;
}

// Decodes a cut-short body: it must fail, or (when the cut falls where a
// shorter message ends, e.g. after a zero tagged-field count) be a complete
// message that re-encodes to exactly the bytes it was given.
template <class M>
bool cut_fails_or_is_whole(ByteView cut, int16_t version) {
    Reader r(cut);
    auto m = M::decode(r, version);
    if (!m || r.finish()) return true;
    Writer w;
    m->encode(w, version);
    return w.ok() && to_hex(w.buffer()) == to_hex(cut);
}

// Every frame of Req's API in `rel`, cut short at every byte of its body.
template <class Req>
int truncate_every_frame(const std::string& rel) {
    using Resp = typename Req::response_type;
    auto file = load_kcap(rel);
    int n = 0;
    for (const auto& f : file.frames) {
        if (f.api_key != Req::key) continue;
        INFO(rel << ":" << f.line);
        size_t off = f.request ? request_body_offset(f, Req::first_flexible)
                               : response_body_offset(f, Resp::first_flexible);
        ByteView body = ByteView(f.bytes).subview(off);
        for (size_t len = 0; len < body.size; ++len) {
            bool ok = f.request ? cut_fails_or_is_whole<Req>(body.subview(0, len), f.version)
                                : cut_fails_or_is_whole<Resp>(body.subview(0, len), f.version);
            CHECK_MESSAGE(ok, "cut at " << len << " of " << body.size << " bytes");
        }
        ++n;
    }
    return n;
}

// An encoded sample cut short at every byte.
template <class M>
void truncate_encoded(const M& m, int16_t v) {
    Writer w;
    m.encode(w, v);
    REQUIRE(w.ok());
    const Bytes& b = w.buffer();
    for (size_t len = 0; len < b.size(); ++len)
        CHECK_MESSAGE(cut_fails_or_is_whole<M>(ByteView(b).subview(0, len), v), M::name << " v" << v << " cut at " << len);
}

// ---------------------------------------------------------------------------
MetadataRequest metadata_request(int16_t v) {
    MetadataRequest m;
    MetadataRequest::Topic a;
    a.name = "orders";
    if (v >= 10) a.topic_id = uuid_of(1);
    m.topics = std::vector<MetadataRequest::Topic>{a};
    if (v >= 10) {
        MetadataRequest::Topic by_id;
        by_id.name = std::nullopt;
        by_id.topic_id = uuid_of(40);
        m.topics->push_back(by_id);
    }
    if (v >= 4) m.allow_auto_topic_creation = false;
    if (v >= 8 && v <= 10) m.include_cluster_authorized_operations = true;
    if (v >= 8) m.include_topic_authorized_operations = true;
    m.unknown_tags = extra_tags(v, MetadataRequest::first_flexible);
    return m;
}

MetadataResponse metadata_response(int16_t v) {
    MetadataResponse m;
    if (v >= 3) m.throttle_time_ms = 7;
    MetadataResponse::Broker b;
    b.node_id = 3;
    b.host = "broker-3";
    b.port = 9092;
    if (v >= 1) b.rack = "rack-a";
    b.unknown_tags = extra_tags(v, MetadataResponse::first_flexible);
    m.brokers = {b, b};
    m.brokers[1].node_id = 4;
    if (v >= 1) m.brokers[1].rack = std::nullopt;
    if (v >= 2) m.cluster_id = "cluster-x";
    if (v >= 1) m.controller_id = 3;

    MetadataResponse::Partition p;
    p.error_code = 9;
    p.partition_index = 2;
    p.leader_id = 3;
    if (v >= 7) p.leader_epoch = 11;
    p.replica_nodes = {3, 4};
    p.isr_nodes = {3};
    if (v >= 5) p.offline_replicas = {4};
    p.unknown_tags = extra_tags(v, MetadataResponse::first_flexible);

    MetadataResponse::Topic t;
    t.error_code = 5;
    t.name = "orders";
    if (v >= 10) t.topic_id = uuid_of(1);
    if (v >= 1) t.is_internal = true;
    t.partitions = {p};
    if (v >= 8) t.topic_authorized_operations = 0x0ff8;
    m.topics = {t};
    if (v >= 12) {
        MetadataResponse::Topic by_id;
        by_id.error_code = 100;  // UNKNOWN_TOPIC_ID
        by_id.name = std::nullopt;
        by_id.topic_id = uuid_of(40);
        m.topics.push_back(by_id);
    }
    if (v >= 8 && v <= 10) m.cluster_authorized_operations = 0x0fe0;
    if (v >= 13) m.error_code = 58;
    m.unknown_tags = extra_tags(v, MetadataResponse::first_flexible);
    return m;
}

ListOffsetsRequest list_offsets_request(int16_t v) {
    ListOffsetsRequest m;
    m.replica_id = -1;
    if (v >= 2) m.isolation_level = 1;
    ListOffsetsRequest::Partition p;
    p.partition_index = 4;
    if (v >= 4) p.current_leader_epoch = 6;
    p.timestamp = kListOffsetsEarliest;
    if (v == 0) p.max_num_offsets = 3;
    p.unknown_tags = extra_tags(v, ListOffsetsRequest::first_flexible);
    m.topics = {{"orders", {p, p}, extra_tags(v, ListOffsetsRequest::first_flexible)}};
    m.topics[0].partitions[1].partition_index = 5;
    if (v >= 10) m.timeout_ms = 30000;
    m.unknown_tags = extra_tags(v, ListOffsetsRequest::first_flexible);
    return m;
}

ListOffsetsResponse list_offsets_response(int16_t v) {
    ListOffsetsResponse m;
    if (v >= 2) m.throttle_time_ms = 1;
    ListOffsetsResponse::Partition p;
    p.partition_index = 4;
    p.error_code = 6;
    if (v == 0) p.old_style_offsets = {100, 50, 0};
    if (v >= 1) {
        p.timestamp = 1700000000000;
        p.offset = 1234;
    }
    if (v >= 4) p.leader_epoch = 6;
    p.unknown_tags = extra_tags(v, ListOffsetsResponse::first_flexible);
    m.topics = {{"orders", {p}, extra_tags(v, ListOffsetsResponse::first_flexible)}};
    m.unknown_tags = extra_tags(v, ListOffsetsResponse::first_flexible);
    return m;
}

FindCoordinatorRequest find_coordinator_request(int16_t v) {
    FindCoordinatorRequest m;
    if (v <= 3) m.coordinator_key = "group-1";
    if (v >= 1) m.key_type = kCoordinatorTransaction;
    if (v >= 4) m.coordinator_keys = {"txn-1", "txn-2"};
    m.unknown_tags = extra_tags(v, FindCoordinatorRequest::first_flexible);
    return m;
}

FindCoordinatorResponse find_coordinator_response(int16_t v) {
    FindCoordinatorResponse m;
    if (v >= 1) m.throttle_time_ms = 2;
    if (v <= 3) {
        m.error_code = 15;
        if (v >= 1) m.error_message = "not available";
        m.node_id = 1;
        m.host = "broker-1";
        m.port = 9093;
    } else {
        FindCoordinatorResponse::Coordinator c;
        c.key = "txn-1";
        c.node_id = 2;
        c.host = "broker-2";
        c.port = 9094;
        c.error_code = 0;
        c.unknown_tags = extra_tags(v, FindCoordinatorResponse::first_flexible);
        FindCoordinatorResponse::Coordinator e = c;
        e.key = "txn-2";
        e.error_code = 15;
        e.error_message = "coordinator not available";
        m.coordinators = {c, e};
    }
    m.unknown_tags = extra_tags(v, FindCoordinatorResponse::first_flexible);
    return m;
}

InitProducerIdRequest init_producer_id_request(int16_t v) {
    InitProducerIdRequest m;
    m.transactional_id = "txn-1";
    m.transaction_timeout_ms = 60000;
    if (v >= 3) {
        m.producer_id = 4000;
        m.producer_epoch = 3;
    }
    if (v >= 6) {
        m.enable_2pc = true;
        m.keep_prepared_txn = true;
    }
    m.unknown_tags = extra_tags(v, InitProducerIdRequest::first_flexible);
    return m;
}

InitProducerIdResponse init_producer_id_response(int16_t v) {
    InitProducerIdResponse m;
    m.throttle_time_ms = 3;
    m.error_code = 0;
    m.producer_id = 4000;
    m.producer_epoch = 4;
    if (v >= 6) {
        m.ongoing_txn_producer_id = 3999;
        m.ongoing_txn_producer_epoch = 9;
    }
    m.unknown_tags = extra_tags(v, InitProducerIdResponse::first_flexible);
    return m;
}

SaslHandshakeRequest sasl_handshake_request(int16_t) {
    SaslHandshakeRequest m;
    m.mechanism = "SCRAM-SHA-512";
    return m;
}

SaslHandshakeResponse sasl_handshake_response(int16_t) {
    SaslHandshakeResponse m;
    m.error_code = 33;
    m.mechanisms = {"PLAIN", "SCRAM-SHA-256"};
    return m;
}

SaslAuthenticateRequest sasl_authenticate_request(int16_t v) {
    SaslAuthenticateRequest m;
    m.auth_bytes = {0, 'u', 0, 'p'};
    m.unknown_tags = extra_tags(v, SaslAuthenticateRequest::first_flexible);
    return m;
}

SaslAuthenticateResponse sasl_authenticate_response(int16_t v) {
    SaslAuthenticateResponse m;
    m.error_code = 58;
    m.error_message = "bad password";
    m.auth_bytes = {'s', '=', '1'};
    if (v >= 1) m.session_lifetime_ms = 3600000;
    m.unknown_tags = extra_tags(v, SaslAuthenticateResponse::first_flexible);
    return m;
}

}  // namespace

// ---------------------------------------------------------------------------
TEST_CASE("Metadata: every version round-trips") {
    check_every_version<MetadataRequest>(metadata_request);
    check_every_version<MetadataResponse>(metadata_response);
}

TEST_CASE("Metadata: null topics means all topics from v1, v0 cannot say null") {
    MetadataRequest all;
    all.topics = std::nullopt;
    Writer w0;
    all.encode(w0, 0);
    CHECK(w0.error() == make_error_code(client_errc::field_not_in_version));
    Writer w1;
    all.encode(w1, 1);
    REQUIRE(w1.ok());
    CHECK(to_hex(w1.buffer()) == "ffffffff");  // a null array; allow_auto_topic_creation comes in v4
}

TEST_CASE("Metadata: fields a version lacks are refused, not dropped") {
    MetadataRequest r = metadata_request(10);
    Writer w;
    r.encode(w, 9);  // topic ids and null names came in v10
    CHECK_FALSE(w.ok());

    MetadataResponse resp = metadata_response(10);
    Writer w11;
    resp.encode(w11, 11);  // cluster authorized operations left in v11
    CHECK_FALSE(w11.ok());
    resp.cluster_authorized_operations = kAuthorizedOperationsUnknown;
    Writer w11b;
    resp.encode(w11b, 11);
    CHECK(w11b.ok());

    MetadataResponse v12 = metadata_response(12);
    Writer w11c;
    v12.encode(w11c, 11);  // a null topic name needs v12
    CHECK_FALSE(w11c.ok());
}

TEST_CASE("Metadata: helpers") {
    MetadataRequest r;
    r.topics = std::nullopt;
    r.add_topic("a");
    REQUIRE(r.topics.has_value());
    CHECK(r.topics->size() == 1);
    MetadataResponse m = metadata_response(12);
    REQUIRE(m.find_broker(4) != nullptr);
    CHECK(m.find_broker(4)->port == 9092);
    CHECK(m.find_broker(5) == nullptr);
    REQUIRE(m.find_topic("orders") != nullptr);
    CHECK(m.find_topic("orders")->partitions.size() == 1);
    CHECK(m.find_topic("missing") == nullptr);
}

TEST_CASE("ListOffsets: every version round-trips") {
    check_every_version<ListOffsetsRequest>(list_offsets_request);
    check_every_version<ListOffsetsResponse>(list_offsets_response);
    ListOffsetsResponse r = list_offsets_response(4);
    REQUIRE(r.find("orders", 4) != nullptr);
    CHECK(r.find("orders", 4)->offset == 1234);
    CHECK(r.find("orders", 5) == nullptr);
}

TEST_CASE("FindCoordinator: every version round-trips") {
    check_every_version<FindCoordinatorRequest>(find_coordinator_request);
    check_every_version<FindCoordinatorResponse>(find_coordinator_response);
    Writer w;
    find_coordinator_request(3).encode(w, 4);  // v4 batches keys: the single key is gone
    CHECK_FALSE(w.ok());
}

TEST_CASE("InitProducerId: every version round-trips") {
    check_every_version<InitProducerIdRequest>(init_producer_id_request);
    check_every_version<InitProducerIdResponse>(init_producer_id_response);
    InitProducerIdRequest idem;  // idempotent producer: null transactional id
    Writer w;
    idem.encode(w, 4);
    REQUIRE(w.ok());
    CHECK(to_hex(w.buffer()) == "0000000000ffffffffffffffffffff00");
}

TEST_CASE("SASL: every version round-trips") {
    check_every_version<SaslHandshakeRequest>(sasl_handshake_request);
    check_every_version<SaslHandshakeResponse>(sasl_handshake_response);
    check_every_version<SaslAuthenticateRequest>(sasl_authenticate_request);
    check_every_version<SaslAuthenticateResponse>(sasl_authenticate_response);
}

// ---------------------------------------------------------------------------
TEST_CASE("Metadata: golden captures") {
    const char* files[] = {
        "captures/kfake/admin-confluentkafka.kcap",
        "captures/kfake/admin-kafkapython.kcap",
        "captures/kfake/consume-group-kcat20.kcap",
        "captures/kfake/consume-group-kcat215.kcap",
        "captures/kfake/consume-group-kip848-kcat215.kcap",
        "captures/kfake/error-offset-out-of-range-kcat20.kcap",
        "captures/kfake/error-offset-out-of-range-kcat215.kcap",
        "captures/kfake/error-unknown-topic-kcat20.kcap",
        "captures/kfake/error-unknown-topic-kcat215.kcap",
        "captures/kfake/metadata-kcat20.kcap",
        "captures/kfake/metadata-kcat215.kcap",
        "captures/kfake/produce-acks0-kcat215.kcap",
        "captures/kfake/produce-consume-3brokers-kcat215.kcap",
        "captures/kfake/produce-consume-none-kafkapython.kcap",
        "captures/kfake/produce-gzip-kcat20.kcap",
        "captures/kfake/produce-idempotent-kcat215.kcap",
        "captures/kfake/sasl-plain-kcat215.kcap",
        "captures/rdkafka-mock-2.0/metadata-kcat20.kcap",
        "captures/rdkafka-mock-2.0/metadata-kcat215.kcap",
        "captures/rdkafka-mock-2.0/consume-group-kcat215.kcap",
        "captures/rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap",
        "captures/rdkafka-mock-2.15/metadata-kcat20.kcap",
        "captures/rdkafka-mock-2.15/metadata-kcat215.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap",
        "captures/rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap",
    };
    for (const char* f : files) {
        INFO(std::string(f));
        CHECK(golden<MetadataRequest>(f) > 0);
    }
    // And every capture that holds Metadata frames: 185 requests, 185 responses.
    CHECK(golden_everywhere<MetadataRequest>() == 370);
}

TEST_CASE("Metadata: what the captures say") {
    // kafka-python speaks v0/v1/v5, kcat 2.0 v2/v4, confluent-kafka v4, and
    // kcat 2.15 v12 (librdkafka mock) or v13 (kfake).
    std::set<int16_t> versions;
    int responses = 0;
    for (const auto& rel : all_captures()) {
        auto file = load_kcap(rel);
        for (const auto& f : file.frames) {
            if (f.api_key != MetadataRequest::key || f.request) continue;
            INFO(rel << ":" << f.line);
            Reader r(ByteView(f.bytes).subview(response_body_offset(f, MetadataResponse::first_flexible)));
            auto m = MetadataResponse::decode(r, f.version);
            REQUIRE(m.has_value());
            CHECK_FALSE(m->brokers.empty());
            versions.insert(f.version);
            ++responses;
        }
    }
    CHECK(responses == 185);
    CHECK(versions == std::set<int16_t>{0, 1, 2, 4, 5, 12, 13});
}

TEST_CASE("ListOffsets: golden captures") {
    const char* files[] = {
        "captures/kfake/admin-confluentkafka.kcap",
        "captures/kfake/admin-kafkapython.kcap",
        "captures/kfake/consume-group-kcat20.kcap",
        "captures/kfake/consume-group-kcat215.kcap",
        "captures/kfake/consume-group-kip848-kcat215.kcap",
        "captures/kfake/produce-consume-3brokers-kcat215.kcap",
        "captures/kfake/produce-consume-none-kafkapython.kcap",
        "captures/rdkafka-mock-2.0/consume-group-kcat20.kcap",
        "captures/rdkafka-mock-2.0/consume-group-kcat215.kcap",
        "captures/rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap",
        "captures/rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kcat20.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kcat215.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap",
        "captures/rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap",
        "captures/rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap",
    };
    for (const char* f : files) {
        INFO(std::string(f));
        CHECK(golden<ListOffsetsRequest>(f) > 0);
    }
    CHECK(golden_everywhere<ListOffsetsRequest>() == 100);
}

TEST_CASE("FindCoordinator: golden captures") {
    const char* files[] = {
        "captures/kfake/admin-confluentkafka.kcap",
        "captures/kfake/admin-kafkapython.kcap",
        "captures/kfake/consume-group-kcat20.kcap",
        "captures/kfake/consume-group-kcat215.kcap",
        "captures/kfake/consume-group-kip848-kcat215.kcap",
        "captures/kfake/produce-consume-3brokers-kcat215.kcap",
        "captures/kfake/produce-consume-none-kafkapython.kcap",
        "captures/rdkafka-mock-2.0/consume-group-kcat20.kcap",
        "captures/rdkafka-mock-2.0/consume-group-kcat215.kcap",
        "captures/rdkafka-mock-2.0/produce-consume-gzip-kafkapython.kcap",
        "captures/rdkafka-mock-2.0/produce-consume-none-kafkapython.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kcat20.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kcat215.kcap",
        "captures/rdkafka-mock-2.15/consume-group-kip848-kcat215.kcap",
        "captures/rdkafka-mock-2.15/produce-consume-gzip-kafkapython.kcap",
        "captures/rdkafka-mock-2.15/produce-consume-none-kafkapython.kcap",
    };
    for (const char* f : files) {
        INFO(std::string(f));
        CHECK(golden<FindCoordinatorRequest>(f) > 0);
    }
    CHECK(golden_everywhere<FindCoordinatorRequest>() == 58);
}

TEST_CASE("InitProducerId: golden captures") {
    const char* files[] = {
        "captures/kfake/produce-idempotent-kcat20.kcap",
        "captures/kfake/produce-idempotent-kcat215.kcap",
        "captures/rdkafka-mock-2.0/produce-idempotent-kcat20.kcap",
        "captures/rdkafka-mock-2.0/produce-idempotent-kcat215.kcap",
        "captures/rdkafka-mock-2.15/produce-idempotent-kcat20.kcap",
        "captures/rdkafka-mock-2.15/produce-idempotent-kcat215.kcap",
    };
    for (const char* f : files) {
        INFO(std::string(f));
        CHECK(golden<InitProducerIdRequest>(f) == 2);
    }
    CHECK(golden_everywhere<InitProducerIdRequest>() == 12);
}

TEST_CASE("SASL: golden captures (PLAIN against kfake)") {
    const std::string rel = "captures/kfake/sasl-plain-kcat215.kcap";
    CHECK(golden<SaslHandshakeRequest>(rel) == 6);
    CHECK(golden<SaslAuthenticateRequest>(rel) == 6);
    CHECK(golden_everywhere<SaslHandshakeRequest>() == 6);
    CHECK(golden_everywhere<SaslAuthenticateRequest>() == 6);

    auto file = load_kcap(rel);
    int plain = 0;
    for (const auto& f : file.frames) {
        if (f.api_key == SaslHandshakeRequest::key && f.request) {
            Reader r(ByteView(f.bytes).subview(request_body_offset(f, SaslHandshakeRequest::first_flexible)));
            auto m = SaslHandshakeRequest::decode(r, f.version);
            REQUIRE(m.has_value());
            CHECK(m->mechanism == "PLAIN");
        }
        if (f.api_key == SaslAuthenticateRequest::key && f.request) {
            Reader r(ByteView(f.bytes).subview(request_body_offset(f, SaslAuthenticateRequest::first_flexible)));
            auto m = SaslAuthenticateRequest::decode(r, f.version);
            REQUIRE(m.has_value());
            const std::string token(m->auth_bytes.begin(), m->auth_bytes.end());
            CHECK(token == std::string("\0alice\0pw", 9));
            ++plain;
        }
    }
    CHECK(plain == 3);
}

// ---------------------------------------------------------------------------
TEST_CASE("hostile: Metadata, ListOffsets, FindCoordinator, InitProducerId, SASL frames cut at every byte") {
    int frames = 0;
    for (const auto& f : all_captures()) {
        frames += truncate_every_frame<MetadataRequest>(f);
        frames += truncate_every_frame<ListOffsetsRequest>(f);
        frames += truncate_every_frame<FindCoordinatorRequest>(f);
        frames += truncate_every_frame<InitProducerIdRequest>(f);
        frames += truncate_every_frame<SaslHandshakeRequest>(f);
        frames += truncate_every_frame<SaslAuthenticateRequest>(f);
    }
    CHECK(frames == 370 + 100 + 58 + 12 + 6 + 6);
}

TEST_CASE("hostile: Metadata, ListOffsets, FindCoordinator, InitProducerId, SASL samples cut at every byte") {
    for (int16_t v = 0; v <= 13; ++v) {
        if (MetadataRequest::versions.contains(v)) {
            truncate_encoded(metadata_request(v), v);
            truncate_encoded(metadata_response(v), v);
        }
        if (ListOffsetsRequest::versions.contains(v)) {
            truncate_encoded(list_offsets_request(v), v);
            truncate_encoded(list_offsets_response(v), v);
        }
        if (FindCoordinatorRequest::versions.contains(v)) {
            truncate_encoded(find_coordinator_request(v), v);
            truncate_encoded(find_coordinator_response(v), v);
        }
        if (InitProducerIdRequest::versions.contains(v)) {
            truncate_encoded(init_producer_id_request(v), v);
            truncate_encoded(init_producer_id_response(v), v);
        }
        if (SaslHandshakeRequest::versions.contains(v)) {
            truncate_encoded(sasl_handshake_request(v), v);
            truncate_encoded(sasl_handshake_response(v), v);
        }
        if (SaslAuthenticateRequest::versions.contains(v)) {
            truncate_encoded(sasl_authenticate_request(v), v);
            truncate_encoded(sasl_authenticate_response(v), v);
        }
    }
}

// ---------------------------------------------------------------------------
// The librdkafka quirks handled in metadata.cpp and list_offsets.cpp.
namespace {

template <class M>
Result<M> decode_whole(const std::string& hex, int16_t v) {
    auto b = parse_hex(hex);
    REQUIRE(b.has_value());
    Reader r(*b);
    auto m = M::decode(r, v);
    if (m && r.finish()) return r.error();
    return m;
}

template <class M>
std::string encode_hex(const M& m, int16_t v) {
    Writer w;
    m.encode(w, v);
    REQUIRE(w.ok());
    return to_hex(w.buffer());
}

// Frames of `api_key` (requests or responses) in the captures under `dir`
// whose message satisfies `pred`.
template <class M, class Pred>
int count_frames(const std::string& dir, bool requests, Pred pred) {
    int n = 0;
    for (const auto& rel : all_captures()) {
        if (rel.rfind(dir, 0) != 0) continue;
        auto file = load_kcap(rel);
        for (const auto& f : file.frames) {
            if (f.api_key != M::key || f.request != requests) continue;
            size_t off = requests ? request_body_offset(f, M::first_flexible) : response_body_offset(f, M::first_flexible);
            Reader r(ByteView(f.bytes).subview(off));
            auto m = M::decode(r, f.version);
            REQUIRE(m.has_value());
            if (pred(*m)) ++n;
        }
    }
    return n;
}

}  // namespace

TEST_CASE("quirk: librdkafka asks for all topics at v9+ with 3 bytes after the message") {
    // kcat 2.15 (kfake/metadata-kcat215.kcap:9): null count, 3 bytes of the
    // unshrunk placeholder, then allow_auto=1, include_topic_ops=0, no tags.
    const std::string body = "00000000010000";
    auto m = decode_whole<MetadataRequest>(body, 13);
    REQUIRE(m.has_value());
    CHECK_FALSE(m->topics.has_value());
    CHECK_FALSE(m->allow_auto_topic_creation);  // as a broker reads it
    CHECK(m->trailing_bytes == Bytes{0x01, 0x00, 0x00});
    CHECK(encode_hex(*m, 13) == body);

    // Only exactly that: other leftovers stay errors.
    CHECK_FALSE(decode_whole<MetadataRequest>("000000000100", 13).has_value());      // 2 bytes over
    CHECK_FALSE(decode_whole<MetadataRequest>("01000000010000", 13).has_value());   // a topic list
    CHECK_FALSE(decode_whole<MetadataRequest>("ffffffff000000010000", 8).has_value());  // not flexible

    // Seen from every librdkafka 2.x client asking for all topics at v12/v13.
    auto quirky = [](const MetadataRequest& r) { return !r.trailing_bytes.empty(); };
    CHECK(count_frames<MetadataRequest>("captures/kfake/", true, quirky) == 3);
    CHECK(count_frames<MetadataRequest>("captures/rdkafka-mock-2.15/", true, quirky) == 1);
    CHECK(count_frames<MetadataRequest>("captures/rdkafka-mock-2.0/", true, quirky) == 0);
}

TEST_CASE("quirk: the librdkafka 2.15 mock ends flexible Metadata responses with an extra 0x00") {
    MetadataResponse m = metadata_response(12);
    m.unknown_tags.clear();
    std::string clean = encode_hex(m, 12);
    auto quirk = decode_whole<MetadataResponse>(clean + "00", 12);
    REQUIRE(quirk.has_value());
    CHECK(quirk->trailing_bytes == Bytes{0x00});
    CHECK(encode_hex(*quirk, 12) == clean + "00");
    CHECK_FALSE(decode_whole<MetadataResponse>(clean + "01", 12).has_value());
    CHECK_FALSE(decode_whole<MetadataResponse>(clean + "0000", 12).has_value());
    CHECK_FALSE(decode_whole<MetadataResponse>(encode_hex(metadata_response(8), 8) + "00", 8).has_value());

    auto quirky = [](const MetadataResponse& r) { return !r.trailing_bytes.empty(); };
    // Every flexible (v12) Metadata response of that mock has it: 22 in the captures.
    CHECK(count_frames<MetadataResponse>("captures/rdkafka-mock-2.15/", false, quirky) == 22);
    CHECK(count_frames<MetadataResponse>("captures/kfake/", false, quirky) == 0);
}

TEST_CASE("quirk: the librdkafka 2.0 mock writes ListOffsets v4-5 leader_epoch as an int64") {
    // rdkafka-mock-2.0/consume-group-kcat215.kcap:65, body after the header.
    const std::string body = "00000000000000010002743100000001000000020000ffffffffffffffff0000000000000000ffffffffffffffff";
    auto m = decode_whole<ListOffsetsResponse>(body, 5);
    REQUIRE(m.has_value());
    CHECK(m->leader_epoch_as_int64);
    REQUIRE(m->find("t1", 2) != nullptr);
    CHECK(m->find("t1", 2)->leader_epoch == -1);
    CHECK(m->find("t1", 2)->offset == 0);
    CHECK(encode_hex(*m, 5) == body);

    ListOffsetsResponse plain = *m;
    plain.leader_epoch_as_int64 = false;
    CHECK(encode_hex(plain, 5) == body.substr(0, body.size() - 8));
    Writer w;
    m->encode(w, 6);  // the quirk only exists in v4-5
    CHECK_FALSE(w.ok());
    // A well-formed response is not mistaken for it.
    auto good = decode_whole<ListOffsetsResponse>(body.substr(0, body.size() - 8), 5);
    REQUIRE(good.has_value());
    CHECK_FALSE(good->leader_epoch_as_int64);
    // Neither layout: an error.
    CHECK_FALSE(decode_whole<ListOffsetsResponse>(body + "00", 5).has_value());

    auto quirky = [](const ListOffsetsResponse& r) { return r.leader_epoch_as_int64; };
    CHECK(count_frames<ListOffsetsResponse>("captures/rdkafka-mock-2.0/", false, quirky) == 3);
    CHECK(count_frames<ListOffsetsResponse>("captures/rdkafka-mock-2.15/", false, quirky) == 0);
    CHECK(count_frames<ListOffsetsResponse>("captures/kfake/", false, quirky) == 0);
}
