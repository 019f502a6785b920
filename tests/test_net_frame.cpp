// Size-prefix framing and the net configuration parser.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include "net/config.hpp"
#include "net/frame.hpp"

using namespace kafka;
using namespace kafka::net;

namespace {
Bytes prefixed(const Bytes& body) {
    Writer w;
    w.i32(static_cast<int32_t>(body.size()));
    w.raw(body);
    return w.take();
}
}  // namespace

TEST_CASE("FrameReader: frames split across reads and several frames in one read") {
    FrameReader r(1024);
    Bytes a = prefixed({1, 2, 3});
    Bytes b = prefixed({});
    Bytes c = prefixed({9, 9});
    Bytes all;
    for (auto* f : {&a, &b, &c}) all.insert(all.end(), f->begin(), f->end());
    // byte by byte
    std::vector<Bytes> got;
    for (uint8_t byte : all) {
        r.append(ByteView(&byte, 1));
        while (auto f = r.next()) got.push_back(*f);
    }
    REQUIRE(got.size() == 3);
    CHECK(got[0] == Bytes{1, 2, 3});
    CHECK(got[1].empty());
    CHECK(got[2] == Bytes{9, 9});
    CHECK(r.buffered() == 0);
    // all at once
    FrameReader r2(1024);
    r2.append(all);
    int n = 0;
    while (r2.next()) ++n;
    CHECK(n == 3);
    CHECK(!r2.error());
}

TEST_CASE("FrameReader: the size cap is checked when the prefix arrives") {
    FrameReader r(16);
    Bytes prefix = {0x00, 0x00, 0x00, 0x11};  // 17 > 16, no body sent at all
    r.append(prefix);
    CHECK(!r.next());
    CHECK(r.error() == client_errc::frame_too_large);
    r.append(Bytes{1, 2, 3});  // sticks
    CHECK(!r.next());
    CHECK(r.error() == client_errc::frame_too_large);

    FrameReader neg(16);
    neg.append(Bytes{0xff, 0xff, 0xff, 0xfe});
    CHECK(!neg.next());
    CHECK(neg.error() == client_errc::malformed);

    FrameReader exact(16);
    exact.append(prefixed(Bytes(16, 7)));
    auto f = exact.next();
    REQUIRE(f);
    CHECK(f->size() == 16);
}

TEST_CASE("request frame: size prefix patched over header and body") {
    Writer w;
    RequestHeader h;
    h.request_api_key = 18;
    h.request_api_version = 0;
    h.correlation_id = 7;
    h.client_id = "c";
    size_t at = begin_request_frame(w, h, 1);
    w.i8(0x55);
    finish_frame(w, at);
    Bytes expect = {0, 0, 0, 12, 0, 18, 0, 0, 0, 0, 0, 7, 0, 1, 'c', 0x55};
    CHECK(w.buffer() == expect);
}

TEST_CASE("NetConfig: kcat names, aliases and bad values") {
    std::vector<std::pair<std::string, std::string>> unknown;
    std::string err;
    auto c = NetConfig::parse(
        "# comment\n"
        "bootstrap.servers = 127.0.0.1:9092, [::1]:9093\n"
        "security.protocol=SASL_PLAINTEXT\n"
        "sasl.mechanisms=SCRAM-SHA-512\n"
        "sasl.username=alice\n"
        "sasl.password=s3cret\n"
        "request.timeout.ms=1500\n"
        "debug=broker,protocol\n"
        "linger.ms=5\n",
        &unknown, &err);
    REQUIRE_MESSAGE(c.has_value(), err);
    CHECK(c->bootstrap_servers == std::vector<std::string>{"127.0.0.1:9092", "[::1]:9093"});
    REQUIRE(c->connection.sasl);
    CHECK(c->connection.sasl->mechanism == SaslMechanism::scram_sha_512);
    CHECK(c->connection.sasl->username == "alice");
    CHECK(c->connection.request_timeout == std::chrono::milliseconds(1500));
    CHECK(c->trace_protocol);
    REQUIRE(unknown.size() == 1);
    CHECK(unknown[0].first == "linger.ms");
    // The password never shows.
    CHECK(c->describe().find("s3cret") == std::string::npos);
    CHECK(c->describe().find("sasl.password=[redacted]") != std::string::npos);

    std::string err2;
    auto bad = NetConfig::parse("sasl.password=hunter2\nrequest.timeout.ms=abc\n", nullptr, &err2);
    CHECK(!bad.has_value());
    CHECK(bad.error() == client_errc::invalid_config);
    CHECK(err2.find("request.timeout.ms") != std::string::npos);
    CHECK(err2.find("abc") == std::string::npos);

    CHECK(!NetConfig::parse("no.such.option=1\n").has_value());
    CHECK(!NetConfig::parse("security.protocol=SSL\n").has_value());
    CHECK(!NetConfig::parse("sasl.mechanism=GSSAPI\n").has_value());
    CHECK(!NetConfig::parse("bootstrap.servers=nohostport\n").has_value());
}

TEST_CASE("parse_host_port") {
    auto a = parse_host_port("localhost:9092");
    REQUIRE(a);
    CHECK(a->host == "localhost");
    CHECK(a->port == 9092);
    auto b = parse_host_port("[::1]:19092");
    REQUIRE(b);
    CHECK(b->host == "::1");
    CHECK(b->port == 19092);
    CHECK(!parse_host_port("host:0"));
    CHECK(!parse_host_port("host:70000"));
    CHECK(!parse_host_port(":9092"));
    CHECK(!parse_host_port("host"));
}
