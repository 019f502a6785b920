// CreateTopics, DeleteTopics, DescribeConfigs and CreatePartitions: round
// trips at every version, golden captures (kafka-python and confluent-kafka
// against kfake), truncation.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/messages/create_partitions.hpp"
#include "protocol/messages/create_topics.hpp"
#include "protocol/messages/delete_topics.hpp"
#include "protocol/messages/describe_configs.hpp"
#include "tests/support/golden.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

const char* const kAdminCaptures[] = {
    "captures/kfake/admin-confluentkafka.kcap",
    "captures/kfake/admin-kafkapython.kcap",
};

Uuid uuid_of(uint8_t seed) {
    Uuid u;
    for (size_t i = 0; i < u.bytes.size(); ++i) u.bytes[i] = static_cast<uint8_t>(seed * 3 + i);
    return u;
}

TaggedFields extra_tags(int16_t v, int16_t first_flexible) {
    if (v < first_flexible) return {};
    return {TaggedField{77, {0xab}}};
}

// One sample per version (built by `make(v)`) must encode at that version and
// round-trip at every version it fits; a default message encodes at every version.
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

// Decodes a cut-short body: it must fail, or be a complete shorter message
// that re-encodes to exactly the bytes it was given.
template <class M>
bool cut_fails_or_is_whole(ByteView cut, int16_t version) {
    Reader r(cut);
    auto m = M::decode(r, version);
    if (!m || r.finish()) return true;
    Writer w;
    m->encode(w, version);
    return w.ok() && to_hex(w.buffer()) == to_hex(cut);
}

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

template <class M>
void truncate_encoded(const M& m, int16_t v) {
    Writer w;
    m.encode(w, v);
    REQUIRE(w.ok());
    const Bytes& b = w.buffer();
    for (size_t len = 0; len < b.size(); ++len)
        CHECK_MESSAGE(cut_fails_or_is_whole<M>(ByteView(b).subview(0, len), v), M::name << " v" << v << " cut at " << len);
}

template <class Req>
int golden_admin() {
    int n = 0;
    for (const char* f : kAdminCaptures) n += golden_file<Req>(f);
    return n;
}

// ---------------------------------------------------------------------------
CreateTopicsRequest create_topics_request(int16_t v) {
    const TaggedFields tags = extra_tags(v, CreateTopicsRequest::first_flexible);
    CreateTopicsRequest m;
    CreateTopicsRequest::Topic t;
    t.name = "orders";
    t.num_partitions = v >= 4 ? -1 : 6;
    t.replication_factor = v >= 4 ? -1 : 3;
    t.configs = {{"retention.ms", std::string("3600000"), tags}, {"cleanup.policy", std::nullopt, {}}};
    t.unknown_tags = tags;
    CreateTopicsRequest::Topic placed;
    placed.name = "placed";
    placed.num_partitions = -1;
    placed.replication_factor = -1;
    placed.assignments = {{0, {1, 2}, tags}, {1, {2, 3}, {}}};
    m.topics = {t, placed};
    m.timeout_ms = 15000;
    if (v >= 1) m.validate_only = true;
    m.unknown_tags = tags;
    return m;
}

CreateTopicsResponse create_topics_response(int16_t v) {
    const TaggedFields tags = extra_tags(v, CreateTopicsResponse::first_flexible);
    CreateTopicsResponse m;
    if (v >= 2) m.throttle_time_ms = 20;
    CreateTopicsResponse::Topic ok;
    ok.name = "orders";
    if (v >= 7) ok.topic_id = uuid_of(7);
    if (v >= 5) {
        ok.num_partitions = 6;
        ok.replication_factor = 3;
        CreateTopicsResponse::Config c;
        c.name = "retention.ms";
        c.value = "3600000";
        c.read_only = true;
        c.config_source = 1;
        c.is_sensitive = true;
        c.unknown_tags = tags;
        CreateTopicsResponse::Config secret = c;
        secret.name = "ssl.key";
        secret.value = std::nullopt;
        ok.configs = std::vector<CreateTopicsResponse::Config>{c, secret};
        ok.topic_config_error_code = 29;  // TOPIC_AUTHORIZATION_FAILED for describing configs
    }
    ok.unknown_tags = tags;
    CreateTopicsResponse::Topic bad;
    bad.name = "exists";
    bad.error_code = 36;  // TOPIC_ALREADY_EXISTS
    if (v >= 1) bad.error_message = "Topic 'exists' already exists.";
    m.topics = {ok, bad};
    m.unknown_tags = tags;
    return m;
}

DeleteTopicsRequest delete_topics_request(int16_t v) {
    DeleteTopicsRequest m;
    if (v >= 6) {
        DeleteTopicsRequest::Topic by_name;
        by_name.name = "orders";
        by_name.unknown_tags = extra_tags(v, DeleteTopicsRequest::first_flexible);
        DeleteTopicsRequest::Topic by_id;
        by_id.name = std::nullopt;
        by_id.topic_id = uuid_of(9);
        m.topics = {by_name, by_id};
    } else {
        m.topic_names = {"orders", "payments"};
    }
    m.timeout_ms = 30000;
    m.unknown_tags = extra_tags(v, DeleteTopicsRequest::first_flexible);
    return m;
}

DeleteTopicsResponse delete_topics_response(int16_t v) {
    DeleteTopicsResponse m;
    if (v >= 1) m.throttle_time_ms = 5;
    DeleteTopicsResponse::TopicResult a;
    a.name = "orders";
    if (v >= 6) a.topic_id = uuid_of(3);
    a.unknown_tags = extra_tags(v, DeleteTopicsResponse::first_flexible);
    DeleteTopicsResponse::TopicResult b;
    b.name = v >= 6 ? std::nullopt : std::optional<std::string>("payments");
    if (v >= 6) b.topic_id = uuid_of(9);
    b.error_code = 3;  // UNKNOWN_TOPIC_OR_PARTITION
    if (v >= 5) b.error_message = "no such topic";
    m.responses = {a, b};
    m.unknown_tags = extra_tags(v, DeleteTopicsResponse::first_flexible);
    return m;
}

DescribeConfigsRequest describe_configs_request(int16_t v) {
    DescribeConfigsRequest m;
    DescribeConfigsRequest::Resource topic;
    topic.resource_type = kConfigResourceTopic;
    topic.resource_name = "orders";
    topic.configuration_keys = std::vector<std::string>{"retention.ms", "cleanup.policy"};
    topic.unknown_tags = extra_tags(v, DescribeConfigsRequest::first_flexible);
    DescribeConfigsRequest::Resource broker;
    broker.resource_type = kConfigResourceBroker;
    broker.resource_name = "1";
    broker.configuration_keys = std::nullopt;  // all of them
    m.resources = {topic, broker};
    if (v >= 1) m.include_synonyms = true;
    if (v >= 3) m.include_documentation = true;
    m.unknown_tags = extra_tags(v, DescribeConfigsRequest::first_flexible);
    return m;
}

DescribeConfigsResponse describe_configs_response(int16_t v) {
    const TaggedFields tags = extra_tags(v, DescribeConfigsResponse::first_flexible);
    DescribeConfigsResponse m;
    m.throttle_time_ms = 8;
    DescribeConfigsResponse::Config c;
    c.name = "retention.ms";
    c.value = "3600000";
    c.read_only = true;
    if (v == 0) c.is_default = true;
    if (v >= 1) {
        c.config_source = 1;
        c.synonyms = {{"log.retention.ms", std::string("7"), 4, tags}, {"log.retention.hours", std::nullopt, 5, {}}};
    }
    c.is_sensitive = true;
    if (v >= 3) {
        c.config_type = 5;  // LONG
        c.documentation = "How long to keep a log segment.";
    }
    c.unknown_tags = tags;
    DescribeConfigsResponse::ResourceResult ok;
    ok.resource_type = kConfigResourceTopic;
    ok.resource_name = "orders";
    ok.configs = {c};
    ok.unknown_tags = tags;
    DescribeConfigsResponse::ResourceResult bad;
    bad.error_code = 29;
    bad.error_message = "not authorized";
    bad.resource_type = kConfigResourceBroker;
    bad.resource_name = "1";
    m.results = {ok, bad};
    m.unknown_tags = tags;
    return m;
}

CreatePartitionsRequest create_partitions_request(int16_t v) {
    const TaggedFields tags = extra_tags(v, CreatePartitionsRequest::first_flexible);
    CreatePartitionsRequest m;
    CreatePartitionsRequest::Topic grow;
    grow.name = "orders";
    grow.count = 12;
    grow.assignments = std::vector<CreatePartitionsRequest::Assignment>{{{1, 2}, tags}, {{2, 3}, {}}};
    grow.unknown_tags = tags;
    CreatePartitionsRequest::Topic anywhere;
    anywhere.name = "payments";
    anywhere.count = 4;
    m.topics = {grow, anywhere};
    m.timeout_ms = 25000;
    m.validate_only = true;
    m.unknown_tags = tags;
    return m;
}

CreatePartitionsResponse create_partitions_response(int16_t v) {
    const TaggedFields tags = extra_tags(v, CreatePartitionsResponse::first_flexible);
    CreatePartitionsResponse m;
    m.throttle_time_ms = 4;
    m.results = {{"orders", 0, std::nullopt, tags}, {"payments", 37, std::string("INVALID_PARTITIONS"), {}}};
    m.unknown_tags = tags;
    return m;
}

}  // namespace

// ---------------------------------------------------------------------------
TEST_CASE("CreateTopics: every version round-trips") {
    check_every_version<CreateTopicsRequest>(create_topics_request);
    check_every_version<CreateTopicsResponse>(create_topics_response);
    CreateTopicsResponse r = create_topics_response(7);
    REQUIRE(r.find_topic("exists") != nullptr);
    CHECK(r.find_topic("exists")->error_code == 36);
    CHECK(r.find_topic("nope") == nullptr);
}

TEST_CASE("CreateTopics: v5+ fields are refused before v5, and the tagged error code is tag 0") {
    Writer w;
    create_topics_response(5).encode(w, 4);
    CHECK_FALSE(w.ok());

    CreateTopicsResponse m;
    CreateTopicsResponse::Topic t;
    t.name = "a";
    t.topic_config_error_code = 29;
    m.topics = {t};
    Writer w5;
    m.encode(w5, 5);
    REQUIRE(w5.ok());
    // throttle, 1 topic, "a", error 0, null message, -1, -1, null configs, one tag (0, 2 bytes: 29), no top tags
    CHECK(to_hex(w5.buffer()) == "00000000" "02" "0261" "0000" "00" "ffffffff" "ffff" "00" "01" "00" "02" "001d" "00");
}

TEST_CASE("DeleteTopics: every version round-trips") {
    check_every_version<DeleteTopicsRequest>(delete_topics_request);
    check_every_version<DeleteTopicsResponse>(delete_topics_response);
    Writer w;
    delete_topics_request(5).encode(w, 6);  // v6 names topics in topics[], not topic_names
    CHECK_FALSE(w.ok());
}

TEST_CASE("DescribeConfigs: every version round-trips") {
    check_every_version<DescribeConfigsRequest>(describe_configs_request);
    check_every_version<DescribeConfigsResponse>(describe_configs_response);
    Writer w;
    describe_configs_response(0).encode(w, 1);  // is_default is v0 only
    CHECK_FALSE(w.ok());
}

TEST_CASE("CreatePartitions: every version round-trips") {
    check_every_version<CreatePartitionsRequest>(create_partitions_request);
    check_every_version<CreatePartitionsResponse>(create_partitions_response);
}

// ---------------------------------------------------------------------------
TEST_CASE("admin: golden captures (kafka-python and confluent-kafka against kfake)") {
    CHECK(golden_file<CreateTopicsRequest>("captures/kfake/admin-kafkapython.kcap") == 2);      // v3
    CHECK(golden_file<CreateTopicsRequest>("captures/kfake/admin-confluentkafka.kcap") == 2);   // v4
    CHECK(golden_file<DeleteTopicsRequest>("captures/kfake/admin-kafkapython.kcap") == 2);      // v3
    CHECK(golden_file<DeleteTopicsRequest>("captures/kfake/admin-confluentkafka.kcap") == 2);   // v1
    CHECK(golden_file<DescribeConfigsRequest>("captures/kfake/admin-kafkapython.kcap") == 4);   // v2
    CHECK(golden_file<DescribeConfigsRequest>("captures/kfake/admin-confluentkafka.kcap") == 2);  // v1
    CHECK(golden_file<CreatePartitionsRequest>("captures/kfake/admin-confluentkafka.kcap") == 2);  // v0
    CHECK(golden_file<CreatePartitionsRequest>("captures/kfake/admin-kafkapython.kcap") == 0);
}

TEST_CASE("admin: what the captures say") {
    auto file = load_kcap("captures/kfake/admin-confluentkafka.kcap");
    bool saw_create = false, saw_partitions = false, saw_configs = false;
    for (const auto& f : file.frames) {
        if (!f.request) continue;
        if (f.api_key == CreateTopicsRequest::key) {
            Reader r(ByteView(f.bytes).subview(request_body_offset(f, CreateTopicsRequest::first_flexible)));
            auto m = CreateTopicsRequest::decode(r, f.version);
            REQUIRE(m.has_value());
            REQUIRE(m->topics.size() == 2);
            CHECK(m->topics[0].name == "ck-a");
            CHECK(m->topics[0].num_partitions == 3);
            REQUIRE(m->topics[1].configs.size() == 1);
            CHECK(m->topics[1].configs[0].name == "retention.ms");
            CHECK(m->topics[1].configs[0].value == std::optional<std::string>("3600000"));
            CHECK(m->timeout_ms == 10000);
            saw_create = true;
        }
        if (f.api_key == CreatePartitionsRequest::key) {
            Reader r(ByteView(f.bytes).subview(request_body_offset(f, CreatePartitionsRequest::first_flexible)));
            auto m = CreatePartitionsRequest::decode(r, f.version);
            REQUIRE(m.has_value());
            REQUIRE(m->topics.size() == 1);
            CHECK(m->topics[0].count == 4);
            CHECK_FALSE(m->topics[0].assignments.has_value());  // null: the broker places them
            saw_partitions = true;
        }
        if (f.api_key == DescribeConfigsRequest::key) {
            Reader r(ByteView(f.bytes).subview(request_body_offset(f, DescribeConfigsRequest::first_flexible)));
            auto m = DescribeConfigsRequest::decode(r, f.version);
            REQUIRE(m.has_value());
            REQUIRE(m->resources.size() == 1);
            CHECK(m->resources[0].resource_type == kConfigResourceTopic);
            CHECK_FALSE(m->resources[0].configuration_keys.has_value());
            CHECK(m->include_synonyms);
            saw_configs = true;
        }
    }
    CHECK(saw_create);
    CHECK(saw_partitions);
    CHECK(saw_configs);
}

// ---------------------------------------------------------------------------
TEST_CASE("hostile: admin frames cut at every byte") {
    int n = 0;
    for (const char* f : kAdminCaptures) {
        n += truncate_every_frame<CreateTopicsRequest>(f);
        n += truncate_every_frame<DeleteTopicsRequest>(f);
        n += truncate_every_frame<DescribeConfigsRequest>(f);
        n += truncate_every_frame<CreatePartitionsRequest>(f);
    }
    CHECK(n == golden_admin<CreateTopicsRequest>() + golden_admin<DeleteTopicsRequest>() +
                   golden_admin<DescribeConfigsRequest>() + golden_admin<CreatePartitionsRequest>());
}

TEST_CASE("hostile: admin samples cut at every byte, at every version") {
    for (int16_t v = 0; v <= 7; ++v) {
        if (CreateTopicsRequest::versions.contains(v)) {
            truncate_encoded(create_topics_request(v), v);
            truncate_encoded(create_topics_response(v), v);
        }
        if (DeleteTopicsRequest::versions.contains(v)) {
            truncate_encoded(delete_topics_request(v), v);
            truncate_encoded(delete_topics_response(v), v);
        }
        if (DescribeConfigsRequest::versions.contains(v)) {
            truncate_encoded(describe_configs_request(v), v);
            truncate_encoded(describe_configs_response(v), v);
        }
        if (CreatePartitionsRequest::versions.contains(v)) {
            truncate_encoded(create_partitions_request(v), v);
            truncate_encoded(create_partitions_response(v), v);
        }
    }
}
