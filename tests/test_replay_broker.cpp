// The replay broker itself: field diffs, ignore patterns, connection
// matching, version pinning, and every capture replayed against itself.
#include "tests/support/replay_test.hpp"

#include <dirent.h>

#include <algorithm>

#include "protocol/header.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/sasl.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

// A request frame without its size prefix, as a client would write it.
template <class Req>
Bytes request_frame(const Req& req, int16_t version, int32_t corr, std::string client_id = "tester") {
    Writer w;
    RequestHeader h;
    h.request_api_key = Req::key;
    h.request_api_version = version;
    h.correlation_id = corr;
    h.client_id = std::move(client_id);
    h.encode(w, request_header_version(Req::key, version, Req::first_flexible));
    req.encode(w, version);
    REQUIRE(w.ok());
    return w.take();
}

// A recorded request frame with another correlation id and client id, the
// body untouched: what a faithful client of ours would send.
Bytes as_other_client(const KcapFrame& f, int32_t corr) {
    const ApiCodec* c = find_codec(f.api_key);
    // decode_request_frame reads an unknown API's header as v1: do the same.
    int16_t hv = c ? request_header_version(f.api_key, f.version, c->first_flexible) : 1;
    Reader r(f.bytes);
    auto h = RequestHeader::decode(r, hv);
    REQUIRE(h.has_value());
    size_t body_at = r.position();
    h->correlation_id = corr;
    h->client_id = "kafka-cpp-replay";
    Writer w;
    h->encode(w, hv);
    w.raw(ByteView(f.bytes).subview(body_at));
    return w.take();
}

int32_t correlation_of(const Bytes& response) {
    REQUIRE(response.size() >= 4);
    return static_cast<int32_t>((uint32_t{response[0]} << 24) | (uint32_t{response[1]} << 16) |
                                (uint32_t{response[2]} << 8) | uint32_t{response[3]});
}

Bytes with_correlation(Bytes frame, int32_t corr) {
    frame[0] = static_cast<uint8_t>(static_cast<uint32_t>(corr) >> 24);
    frame[1] = static_cast<uint8_t>(static_cast<uint32_t>(corr) >> 16);
    frame[2] = static_cast<uint8_t>(static_cast<uint32_t>(corr) >> 8);
    frame[3] = static_cast<uint8_t>(static_cast<uint32_t>(corr));
    return frame;
}

ApiVersionsResponse decode_api_versions(const Bytes& frame, int16_t version) {
    Reader r(frame);
    r.skip(4);
    auto resp = ApiVersionsResponse::decode(r, version);
    REQUIRE(resp.has_value());
    return *resp;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
}

bool has_event(const ReplayScript& s, const std::string& needle) {
    auto ev = s.events();
    return std::any_of(ev.begin(), ev.end(), [&](const std::string& e) { return e.find(needle) != std::string::npos; });
}

std::vector<std::string> all_captures() {
    std::vector<std::string> out;
    for (const char* family : {"kfake", "rdkafka-mock-2.0", "rdkafka-mock-2.15"}) {
        std::string dir = capture_path(family);
        DIR* d = opendir(dir.c_str());
        if (!d) continue;
        while (dirent* e = readdir(d)) {
            std::string name = e->d_name;
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".kcap") == 0)
                out.push_back(std::string(family) + "/" + name);
        }
        closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
}

MetadataRequest metadata_brokers_only() {
    MetadataRequest m;  // topics: [] - brokers only
    m.allow_auto_topic_creation = false;
    return m;
}

MetadataRequest metadata_all_topics() {
    MetadataRequest m;
    m.topics = std::nullopt;
    m.allow_auto_topic_creation = false;
    return m;
}

}  // namespace

TEST_CASE("replay: ignore patterns match a field and its subtree, [*] any index") {
    CHECK(path_matches("body.timeout_ms", "body.timeout_ms"));
    CHECK_FALSE(path_matches("body.timeout_ms", "body.timeout_msx"));
    CHECK_FALSE(path_matches("body.timeout_ms", "body.timeout"));
    CHECK(path_matches("body.topic_data", "body.topic_data[3].name"));
    const std::string crc = "body.topic_data[*].partition_data[*].records.batches[*].crc";
    CHECK(path_matches(crc, "body.topic_data[0].partition_data[12].records.batches[1].crc"));
    CHECK_FALSE(path_matches(crc, "body.topic_data[0].partition_data[12].records.batches[1].crc_ok"));
    CHECK_FALSE(path_matches(crc, "body.topic_data.partition_data[0].records.batches[1].crc"));
    CHECK(path_matches("body.topic_data[*]", "body.topic_data[7].partition_data[0].index"));
}

TEST_CASE("replay: the first differing field is named with its path and both values") {
    MetadataRequest recorded;
    recorded.add_topic("t1");
    recorded.add_topic("t2");
    MetadataRequest got = recorded;
    (*got.topics)[1].name = "t3";
    got.allow_auto_topic_creation = false;  // later in the message: not the first difference

    auto a = decode_request_frame(request_frame(recorded, 12, 7, "rdkafka"));
    auto b = decode_request_frame(request_frame(got, 12, 99, "someone-else"));
    auto d = diff_requests(a, b);
    REQUIRE(d.has_value());
    CHECK(d->path == "body.topics[1].name");
    CHECK(d->recorded == "\"t2\"");
    CHECK(d->got == "\"t3\"");
    CHECK(d->describe() == "body.topics[1].name: recorded \"t2\", got \"t3\"");

    // Ignoring the topics leaves the next difference; ignoring both, none.
    d = diff_requests(a, b, {"body.topics[*].name"});
    REQUIRE(d.has_value());
    CHECK(d->path == "body.allow_auto_topic_creation");
    CHECK(d->describe() == "body.allow_auto_topic_creation: recorded true, got false");
    CHECK_FALSE(diff_requests(a, b, {"body.topics", "body.allow_auto_topic_creation"}).has_value());

    // Another version, another list length, null against a list.
    auto v11 = decode_request_frame(request_frame(recorded, 11, 7));
    d = diff_requests(a, v11);
    REQUIRE(d.has_value());
    CHECK(d->describe() == "header.request_api_version: recorded 12, got 11");
    MetadataRequest one;
    one.add_topic("t1");
    d = diff_requests(a, decode_request_frame(request_frame(one, 12, 7)));
    REQUIRE(d.has_value());
    CHECK(d->describe() == "body.topics: recorded 2 items, got 1 items");
    MetadataRequest all;
    all.topics = std::nullopt;
    d = diff_requests(a, decode_request_frame(request_frame(all, 12, 7)));
    REQUIRE(d.has_value());
    CHECK(d->path == "body.topics");
    CHECK(d->got == "null");
}

TEST_CASE("replay: correlation id, client id, client software and SCRAM messages are not compared") {
    ApiVersionsRequest av1, av2;
    av1.client_software_name = "librdkafka";
    av1.client_software_version = "2.15.0";
    av2.client_software_name = "kafka-cpp";
    av2.client_software_version = "0.1.0";
    CHECK_FALSE(diff_requests(decode_request_frame(request_frame(av1, 3, 1, "rdkafka")),
                              decode_request_frame(request_frame(av2, 3, 5, "me")))
                    .has_value());

    auto sasl = [](std::string token) {
        SaslAuthenticateRequest r;
        r.auth_bytes.assign(token.begin(), token.end());
        return decode_request_frame(request_frame(r, 1, 3));
    };
    CHECK_FALSE(diff_requests(sasl("n,,n=alice,r=abc"), sasl("n,,n=alice,r=xyz")).has_value());
    CHECK_FALSE(diff_requests(sasl("c=biws,r=abcdef,p=111"), sasl("c=biws,r=abcxyz,p=222")).has_value());
    // A SCRAM message where the recording has another kind, and PLAIN
    // credentials, are compared.
    CHECK(diff_requests(sasl("n,,n=alice,r=abc"), sasl("c=biws,r=abc,p=1")).has_value());
    auto d = diff_requests(sasl(std::string("\0alice\0pw", 9)), sasl(std::string("\0alice\0pv", 9)));
    REQUIRE(d.has_value());
    CHECK(d->path == "body.auth_bytes");
}

TEST_CASE("replay: every capture, replayed to itself, is served in full") {
    auto files = all_captures();
    REQUIRE(files.size() >= 40);
    for (const auto& rel : files) {
        INFO(rel);
        KcapFile rec = load_capture(rel);
        ReplayScript script(rec);
        std::map<int, int> session_of;  // recorded conn -> session
        std::map<std::pair<int, int32_t>, const KcapFrame*> response_by_id;
        for (const auto& f : rec.frames)
            if (!f.request) response_by_id[{f.conn, f.correlation_id}] = &f;
        int32_t corr = 1000;
        for (const auto& f : rec.frames) {
            if (!f.request) continue;
            if (!session_of.count(f.conn)) session_of[f.conn] = script.open_session();
            ++corr;
            ReplayResult r = script.on_request(session_of[f.conn], as_other_client(f, corr));
            INFO("kcap line " << f.line << " " << f.api_name << " v" << f.version);
            REQUIRE_MESSAGE(script.failures().empty(), joined(script.failures()));
            auto resp = response_by_id.find({f.conn, f.correlation_id});
            if (f.api_key == 18 || resp == response_by_id.end()) {
                CHECK(r.frames.size() == (resp == response_by_id.end() ? 0u : 1u));
                continue;
            }
            REQUIRE(r.frames.size() == 1);
            CHECK(correlation_of(r.frames[0]) == corr);
            CHECK(r.frames[0] == with_correlation(resp->second->bytes, corr));
        }
        CHECK_MESSAGE(script.unserved().empty(), joined(script.unserved()));
    }
}

TEST_CASE("replay: ApiVersions pins each API to the version the recorded client used") {
    ReplayScript script(load_capture("kfake/produce-idempotent-kcat215.kcap"));
    CHECK(script.pinned_versions().at(3) == 13);   // Metadata
    CHECK(script.pinned_versions().at(22) == 4);   // InitProducerId
    CHECK(script.pinned_versions().at(0) == 10);   // Produce
    CHECK(script.pinned_versions().count(18) == 0);

    int s = script.open_session();
    ReplayResult r = script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 77));
    REQUIRE(r.frames.size() == 1);
    CHECK(correlation_of(r.frames[0]) == 77);
    auto av = decode_api_versions(r.frames[0], 4);
    CHECK(av.error_code == 0);
    auto range = [&](int16_t key) {
        const auto* a = av.find(key);
        REQUIRE(a != nullptr);
        return std::make_pair(a->min_version, a->max_version);
    };
    CHECK(range(0) == std::make_pair<int16_t, int16_t>(10, 10));
    CHECK(range(3) == std::make_pair<int16_t, int16_t>(13, 13));
    CHECK(range(22) == std::make_pair<int16_t, int16_t>(4, 4));
    CHECK(range(18) == std::make_pair<int16_t, int16_t>(0, 4));  // as recorded
    CHECK(range(1) == std::make_pair<int16_t, int16_t>(4, 18));  // Fetch: not used, as recorded
    CHECK_FALSE(av.supported_features.empty());                  // the v3+ fields stay
    CHECK(script.failures().empty());
}

TEST_CASE("replay: ApiVersions beyond the recorded broker's range gets its recorded UNSUPPORTED_VERSION") {
    KcapFile rec = load_capture("rdkafka-mock-2.15/metadata-kcat215.kcap");
    const KcapFrame* recorded_error = nullptr;
    for (const auto& f : rec.frames)
        if (!f.request && f.api_key == 18 && f.version == 3) recorded_error = &f;
    REQUIRE(recorded_error != nullptr);
    Bytes error_bytes = recorded_error->bytes;

    ReplayScript script(std::move(rec));
    int s = script.open_session();
    ReplayResult r = script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
    REQUIRE(r.frames.size() == 1);
    CHECK(r.frames[0] == with_correlation(error_bytes, 1));  // the mock's own bytes
    CHECK(has_event(script, "ApiVersions v4 -> recorded UNSUPPORTED_VERSION"));

    r = script.on_request(s, request_frame(ApiVersionsRequest{}, 2, 2));
    REQUIRE(r.frames.size() == 1);
    auto av = decode_api_versions(r.frames[0], 2);
    CHECK(av.error_code == 0);
    REQUIRE(av.find(3) != nullptr);
    CHECK(av.find(3)->min_version == 12);
    CHECK(av.find(3)->max_version == 12);

    r = script.on_request(s, request_frame(metadata_brokers_only(), 12, 3));
    CHECK(r.frames.size() == 1);
    CHECK_FALSE(r.close);
    r = script.on_request(s, request_frame(metadata_all_topics(), 12, 4));
    CHECK(r.frames.size() == 1);
    CHECK(r.close);  // the end of the recorded connection
    CHECK(script.failures().empty());
    CHECK(script.unserved().empty());
}

TEST_CASE("replay: a wrong request fails the replay, names the field, and closes the connection") {
    SUBCASE("before the connection is matched") {
        ReplayScript script(load_capture("kfake/sasl-plain-kcat215.kcap"));
        int s = script.open_session();
        (void)script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
        SaslHandshakeRequest hs;
        hs.mechanism = "PLAIN";
        CHECK(script.on_request(s, request_frame(hs, 1, 2)).frames.size() == 1);
        SaslAuthenticateRequest auth;
        std::string creds("\0alice\0pw", 9);
        auth.auth_bytes.assign(creds.begin(), creds.end());
        CHECK(script.on_request(s, request_frame(auth, 1, 3)).frames.size() == 1);
        // Connection 2 of the recording asks for t1; nothing asks for t9.
        MetadataRequest m;
        m.add_topic("t9");
        ReplayResult r = script.on_request(s, request_frame(m, 13, 4));
        CHECK(r.frames.empty());
        CHECK(r.close);
        auto failures = script.failures();
        REQUIRE(failures.size() == 1);
        INFO(failures[0]);
        CHECK(failures[0].find("body.topics[0].name: recorded \"t1\", got \"t9\"") != std::string::npos);
        CHECK(failures[0].find("conn 2") != std::string::npos);
        // The session is over: anything more is refused.
        CHECK(script.on_request(s, request_frame(m, 13, 5)).close);
        CHECK(script.failures().size() == 1);
    }
    SUBCASE("after the connection is matched") {
        ReplayScript script(load_capture("kfake/metadata-kcat215.kcap"));
        int s = script.open_session();
        (void)script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
        CHECK(script.on_request(s, request_frame(metadata_brokers_only(), 13, 2)).frames.size() == 1);
        MetadataRequest m = metadata_all_topics();
        m.allow_auto_topic_creation = true;
        ReplayResult r = script.on_request(s, request_frame(m, 13, 3));
        CHECK(r.close);
        auto failures = script.failures();
        REQUIRE(failures.size() == 1);
        INFO(failures[0]);
        CHECK(failures[0].find("kcap line 9 at body.allow_auto_topic_creation: recorded false, got true") !=
              std::string::npos);
        CHECK(script.unserved().size() == 1);
    }
    SUBCASE("a per-test ignore list lets a known difference through") {
        ReplayOptions o;
        o.ignore = {"body.allow_auto_topic_creation"};
        ReplayScript script(load_capture("kfake/metadata-kcat215.kcap"), o);
        int s = script.open_session();
        (void)script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
        MetadataRequest m = metadata_brokers_only();
        m.allow_auto_topic_creation = true;
        CHECK(script.on_request(s, request_frame(m, 13, 2)).frames.size() == 1);
        CHECK(script.failures().empty());
    }
    SUBCASE("a request with no recorded counterpart") {
        ReplayScript script(load_capture("kfake/metadata-kcat215.kcap"));
        int s = script.open_session();
        (void)script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
        (void)script.on_request(s, request_frame(metadata_brokers_only(), 13, 2));
        (void)script.on_request(s, request_frame(metadata_all_topics(), 13, 3));
        CHECK(script.failures().empty());
        // A second connection: the recording has only one.
        int s2 = script.open_session();
        (void)script.on_request(s2, request_frame(ApiVersionsRequest{}, 4, 1));
        ReplayResult r = script.on_request(s2, request_frame(metadata_brokers_only(), 13, 2));
        CHECK(r.close);
        auto failures = script.failures();
        REQUIRE(failures.size() == 1);
        CHECK(failures[0].find("no recorded connection left") != std::string::npos);
    }
}

TEST_CASE("replay: connections are matched by their first request, in any order, telemetry is optional") {
    ReplayScript script(load_capture("kfake/produce-idempotent-kcat215.kcap"));
    // Our client opens the producer's connection first: it matches recorded
    // conn 2, whose GetTelemetrySubscriptions it does not send.
    int producer = script.open_session();
    int meta = script.open_session();
    (void)script.on_request(producer, request_frame(ApiVersionsRequest{}, 4, 1));
    (void)script.on_request(meta, request_frame(ApiVersionsRequest{}, 4, 1));
    InitProducerIdRequest init;
    init.transaction_timeout_ms = -1;
    ReplayResult r = script.on_request(producer, request_frame(init, 4, 2));
    REQUIRE_MESSAGE(script.failures().empty(), joined(script.failures()));
    REQUIRE(r.frames.size() == 1);
    CHECK(has_event(script, "session 1: is recorded conn 2"));

    MetadataRequest m;
    m.add_topic("t1");
    r = script.on_request(meta, request_frame(m, 13, 2));
    REQUIRE_MESSAGE(script.failures().empty(), joined(script.failures()));
    REQUIRE(r.frames.size() == 1);
    CHECK(r.close);
    CHECK(has_event(script, "session 2: is recorded conn 1"));
    // The three Produce requests of conn 2 are still owed.
    CHECK(script.unserved().size() == 3);
}

TEST_CASE("replay: an acks=0 Produce gets no response") {
    KcapFile rec = load_capture("kfake/produce-acks0-kcat215.kcap");
    std::vector<const KcapFrame*> produces;
    for (const auto& f : rec.frames)
        if (f.request && f.api_key == 0) produces.push_back(&f);
    REQUIRE(!produces.empty());
    ReplayScript script(rec);
    std::map<int, int> session_of;
    int32_t corr = 500;
    for (const auto& f : rec.frames) {
        if (!f.request) continue;
        if (!session_of.count(f.conn)) session_of[f.conn] = script.open_session();
        ReplayResult r = script.on_request(session_of[f.conn], as_other_client(f, ++corr));
        if (f.api_key == 0) CHECK(r.frames.empty());
    }
    CHECK(script.failures().empty());
    CHECK(script.unserved().empty());
}

TEST_CASE("replay: over a socket, a wrong request closes our connection and is reported") {
    ReplayBroker replay(load_capture("kfake/metadata-kcat215.kcap"));
    ReplayClient client(replay);
    MetadataRequest m = metadata_brokers_only();
    m.add_topic("nope");
    auto reply = client.call(m);
    CHECK(reply.ec == client_errc::connection_lost_after_send);
    auto failures = replay.failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].find("body.topics: recorded 0 items, got 1 items") != std::string::npos);
    CHECK(replay.report().find("replay failure:") != std::string::npos);
}

TEST_CASE("replay: broker addresses in Metadata responses can point back at the replay") {
    ReplayOptions o;
    o.rewrite_broker_addresses = true;
    ReplayScript script(load_capture("kfake/metadata-kcat215.kcap"), o);
    script.set_advertised_address("127.0.0.1", 4242);
    int s = script.open_session();
    (void)script.on_request(s, request_frame(ApiVersionsRequest{}, 4, 1));
    ReplayResult r = script.on_request(s, request_frame(metadata_brokers_only(), 13, 2));
    REQUIRE(r.frames.size() == 1);
    Reader rd(r.frames[0]);
    REQUIRE(ResponseHeader::decode(rd, 1).has_value());
    auto m = MetadataResponse::decode(rd, 13);
    REQUIRE(m.has_value());
    REQUIRE(m->brokers.size() == 1);
    CHECK(m->brokers[0].host == "127.0.0.1");
    CHECK(m->brokers[0].port == 4242);  // recorded: 39092
    CHECK(m->cluster_id == std::optional<std::string>("kfake"));
    CHECK(script.failures().empty());
}
