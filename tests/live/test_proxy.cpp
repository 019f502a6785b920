// kcli proxy between real clients (kcat, kafka-python) and a 3-broker mock:
// traffic flows through it to every broker, and what it records decodes and
// re-encodes byte for byte. Also: frames it cannot parse pass untouched, SASL
// tokens pass but are never printed or recorded, and it stops on SIGTERM,
// SIGINT and --max-seconds.
#include <ostream>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <set>
#include <thread>

#include "mock_cluster.hpp"
#include "protocol/api_names.hpp"
#include "protocol/header.hpp"
#include "protocol/kcap.hpp"
#include "protocol/registry.hpp"
#include "test_kcli_admin_support.hpp"
#include "tests/support/sasl_fake_broker.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

// A running `kcli proxy`; stopped (SIGTERM) at scope end.
class ProxyRun {
public:
    ProxyRun(const std::string& upstream, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{kcli_path(), "proxy", "--listen", "127.0.0.1:0", "--upstream", upstream,
                                      "--max-seconds", "120"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        proc_ = std::make_unique<Process>(argv, dir_.file("out"), dir_.file("err"));
        auto err = wait_for_text(dir_.file("err"), "listening on ");
        auto at = err.find("listening on ");
        REQUIRE_MESSAGE(at != std::string::npos, "the proxy did not start: " << err);
        at += 13;
        address_ = err.substr(at, err.find(' ', at) - at);
    }
    const std::string& address() const { return address_; }
    std::string file(const std::string& name) const { return dir_.file(name); }
    std::string err() const { return slurp(dir_.file("err")); }
    std::string out() const { return slurp(dir_.file("out")); }
    Process& process() { return *proc_; }

private:
    TempDir dir_;
    std::unique_ptr<Process> proc_;
    std::string address_;
};

// The replay broker serving a recording, started and waited for; finish()
// closes its stdin and gives its exit code (0: every recorded request came).
class ReplayRun {
public:
    ReplayRun(const std::string& replay, const std::string& recording)
        : proc_({replay, "-s", "60", recording}, dir_.file("out"), dir_.file("err"), Process::HoldStdin{}) {
        auto first = wait_for_text(dir_.file("out"), "\n");
        REQUIRE_MESSAGE(first.find("127.0.0.1:") == 0, "the replay broker did not start: " << err());
        address_ = first.substr(0, first.find('\n'));
    }
    const std::string& address() const { return address_; }
    std::string err() const { return slurp(dir_.file("err")); }
    std::string out() const { return slurp(dir_.file("out")); }
    int finish() {
        proc_.close_stdin();
        return proc_.wait(10s);
    }

private:
    TempDir dir_;
    Process proc_;
    std::string address_;
};

// Every frame of a recording whose API and version we implement decodes and
// re-encodes to the same bytes.
size_t check_reencodes(const KcapFile& file) {
    size_t checked = 0;
    for (const auto& f : file.frames) {
        const ApiCodec* codec = find_codec(f.api_key);
        if (!codec || !codec->versions.contains(f.version)) continue;
        CAPTURE(f.line);
        CAPTURE(f.api_name);
        CAPTURE(f.version);
        CAPTURE(f.request);
        Reader r(f.bytes);
        if (f.request) {
            auto h = RequestHeader::decode(r, request_header_version(f.api_key, f.version, codec->first_flexible));
            REQUIRE(h.has_value());
        } else {
            auto h = ResponseHeader::decode(r, response_header_version(f.api_key, f.version, codec->first_flexible));
            REQUIRE(h.has_value());
        }
        ByteView body = ByteView(f.bytes).subview(r.position());
        // An ApiVersions error answer may come in another version's layout
        // (the mock answers v3 requests in v0's): decoded, but not ours to re-encode.
        if (!f.request && f.api_key == 18 && body.size >= 2 && (body[0] | body[1]) != 0) continue;
        Bytes again;
        auto ec = f.request ? codec->reencode_request(body, f.version, again)
                            : codec->reencode_response(body, f.version, again);
        REQUIRE_MESSAGE(!ec, api_name(f.api_key) << " v" << f.version << ": " << ec.message());
        CHECK(again == Bytes(body.begin(), body.end()));
        ++checked;
    }
    return checked;
}

// Lower-case hex, as kcap and the decoded bytes fields write it.
std::string hex_of(const std::string& text) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : text) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::set<std::string> lines_of(const std::string& text) {
    std::set<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        if (nl > start) out.insert(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("proxy: kcat through the proxy reaches every broker, and the recording decodes and re-encodes") {
    MockCluster mock(3);
    mock.create_topic("via", 3, 1);
    for (int32_t p = 0; p < 3; ++p) mock.set_leader("via", p, p + 1);
    TempDir dir;
    const std::string rec = dir.file("rec.kcap");
    ProxyRun proxy(mock.bootstrap_list().at(0), {"--record", rec});

    std::string input;
    std::set<std::string> sent;
    for (int i = 0; i < 30; ++i) {
        input += "k" + std::to_string(i) + ":v" + std::to_string(i) + "\n";
        sent.insert("k" + std::to_string(i) + "=v" + std::to_string(i));
    }
    auto produced = run({"kcat", "-b", proxy.address(), "-P", "-t", "via", "-K", ":"}, input, 30s);
    REQUIRE_MESSAGE(produced.code == 0, produced.err);
    auto consumed = run({"kcat", "-b", proxy.address(), "-C", "-t", "via", "-e", "-q", "-f", "%k=%s\\n"}, {}, 30s);
    REQUIRE_MESSAGE(consumed.code == 0, consumed.err);
    CHECK(lines_of(consumed.out) == sent);
    // The records really are on the brokers.
    auto direct = run({"kcat", "-b", mock.bootstraps(), "-C", "-t", "via", "-e", "-q", "-f", "%k=%s\\n"}, {}, 30s);
    CHECK(lines_of(direct.out) == sent);

    // A listener per broker, announced on stderr.
    auto err = proxy.err();
    CHECK(err.find("kcli proxy: broker 2 ") != std::string::npos);
    CHECK(err.find("kcli proxy: broker 3 ") != std::string::npos);

    // What a client learns through the proxy: the proxy's addresses, one per broker.
    auto md = kcli({"-b", proxy.address(), "metadata", "-J"});
    REQUIRE_MESSAGE(md.code == 0, md.err);
    CHECK(json_eval(md.out, "d['brokers'][0]['host'] + ':' + str(d['brokers'][0]['port'])") == proxy.address());
    const auto ports = json_eval(md.out, "sorted(str(b['port']) for b in d['brokers'])");
    for (const auto& upstream : mock.bootstrap_list()) {
        CAPTURE(upstream);
        CHECK(ports.find(upstream.substr(upstream.find(':') + 1)) == std::string::npos);
    }
    CHECK(json_eval(md.out, "len(set(b['port'] for b in d['brokers']))") == "3");

    proxy.process().signal(SIGTERM);
    CHECK(proxy.process().wait(5s) == 0);

    auto decoded = kcli({"decode", rec});
    CHECK_MESSAGE(decoded.code == 0, decoded.err);
    auto file = parse_kcap(slurp(rec));
    REQUIRE(file.has_value());
    CHECK(file->comments.at(0) == "kcap v1");
    std::set<std::string> brokers;
    for (const auto& c : file->conns) brokers.insert(c.broker);
    CHECK(brokers.size() == 3);
    std::set<std::string> apis;
    for (const auto& f : file->frames) apis.insert(f.api_name);
    for (const char* api : {"ApiVersions", "Metadata", "Produce", "Fetch", "ListOffsets"}) {
        CAPTURE(api);
        CHECK(apis.count(api));
    }
    CHECK(check_reencodes(*file) >= 20);
}

TEST_CASE("proxy: a recording of kcli metadata replays through the replay broker") {
    const std::string replay = replay_broker_path();
    if (replay.empty()) {
        MESSAGE("no replay broker in this build (REPLAY_BROKER names one): skipped");
        return;
    }
    MockCluster mock(3);
    mock.create_topic("orders", 3, 1);
    TempDir dir;
    const std::string rec = dir.file("metadata.kcap");
    std::string live;
    {
        ProxyRun proxy(mock.bootstrap_list().at(0), {"--record", rec});
        auto r = kcli({"-b", proxy.address(), "metadata", "-J"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        live = r.out;
        proxy.process().signal(SIGTERM);
        REQUIRE(proxy.process().wait(5s) == 0);
    }
    ReplayRun rb(replay, rec);
    const std::string& address = rb.address();
    auto replayed = kcli({"-b", address, "metadata", "-J"}, {}, 30s);
    CHECK_MESSAGE(replayed.code == 0, replayed.err);
    CHECK_MESSAGE(rb.finish() == 0, rb.err());
    CHECK(json_eval(replayed.out, "len(d['brokers'])") == "3");
    CHECK(json_eval(replayed.out, "d['topics']") == json_eval(live, "d['topics']"));
}

TEST_CASE("proxy: a recording of kcat -L replays through the replay broker") {
    const std::string replay = replay_broker_path();
    if (replay.empty()) {
        MESSAGE("no replay broker in this build (REPLAY_BROKER names one): skipped");
        return;
    }
    MockCluster mock(3);
    mock.create_topic("orders", 3, 1);
    TempDir dir;
    const std::string rec = dir.file("kcat-L.kcap");
    std::string live;
    {
        ProxyRun proxy(mock.bootstrap_list().at(0), {"--record", rec});
        auto r = run({"kcat", "-b", proxy.address(), "-L", "-t", "orders"}, {}, 30s);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        live = r.out;
        proxy.process().signal(SIGTERM);
        REQUIRE(proxy.process().wait(5s) == 0);
    }
    ReplayRun rb(replay, rec);
    const std::string& address = rb.address();
    // kcat sends what it sent through the proxy; the replay broker checks
    // every request against the recording and answers with it.
    auto replayed = run({"kcat", "-b", address, "-L", "-t", "orders"}, {}, 30s);
    CHECK_MESSAGE(replayed.code == 0, replayed.err);
    CHECK_MESSAGE(rb.finish() == 0, rb.err());
    // The same topic and partitions; the broker addresses differ (the
    // proxy's, then the replay broker's).
    auto topic_lines = [](const std::string& out) {
        std::string kept;
        size_t at = 0;
        while (at < out.size()) {
            size_t end = out.find('\n', at);
            if (end == std::string::npos) end = out.size();
            const std::string line = out.substr(at, end - at);
            if (line.find("topic \"") != std::string::npos || line.find("partition ") != std::string::npos)
                kept += line + "\n";
            at = end + 1;
        }
        return kept;
    };
    CHECK(topic_lines(live).find("topic \"orders\" with 3 partitions") != std::string::npos);
    CHECK(topic_lines(replayed.out) == topic_lines(live));
}

TEST_CASE("proxy: SASL tokens pass through untouched but are never printed or recorded") {
    const std::string password = "Proxy-S3cret-pw";
    SaslFakeBroker broker("alice", password, {{"secured", 1}});
    TempDir dir;
    for (const std::string mechanism : {"PLAIN", "SCRAM-SHA-256"}) {
        for (bool json : {false, true}) {
            CAPTURE(mechanism);
            CAPTURE(json);
            const std::string rec = dir.file(mechanism + (json ? "-json" : "") + ".kcap");
            std::vector<std::string> flags = {"--print", "--record", rec};
            if (json) flags.push_back("-J");
            ProxyRun proxy(broker.bootstrap(), flags);
            // The broker checks the PLAIN password and the SCRAM proof: the
            // tokens reached it as the client wrote them.
            auto r = kcli({"-b", proxy.address(), "-X", "security.protocol=SASL_PLAINTEXT", "-X",
                           "sasl.mechanism=" + mechanism, "-X", "sasl.username=alice", "-X", "sasl.password=" + password,
                           "metadata", "-J"},
                          {}, 30s);
            REQUIRE_MESSAGE(r.code == 0, r.err);
            CHECK(json_eval(r.out, "[t['name'] for t in d['topics']]") == "[\"secured\"]");
            proxy.process().signal(SIGTERM);
            REQUIRE(proxy.process().wait(5s) == 0);

            const std::string out = proxy.out();
            const std::string recorded = slurp(rec);
            // Neither the password nor, for SCRAM, the server's messages
            // (its nonce stands for them), as text or as hex.
            for (const std::string* text : {&out, &recorded}) {
                for (const std::string& secret : {password, std::string("fakebroker%nonce")}) {
                    CHECK(text->find(secret) == std::string::npos);
                    CHECK(text->find(hex_of(secret)) == std::string::npos);
                }
            }
            CHECK(out.find("SaslAuthenticate") != std::string::npos);
            CHECK(out.find(json ? "\"redacted\":true" : "(credentials, not shown)") != std::string::npos);
            CHECK(out.find("SaslHandshake") != std::string::npos);  // the rest is printed as usual
            // The recording keeps SaslAuthenticate frames, with empty tokens.
            CHECK(recorded.find("auth_bytes emptied") != std::string::npos);
            auto file = parse_kcap(recorded);
            REQUIRE(file.has_value());
            int sasl = 0;
            for (const auto& f : file->frames) {
                if (f.api_key != 36) continue;
                ++sasl;
                auto d = f.request ? decode_request_frame(f.bytes) : decode_response_frame(f.bytes, f.api_key, f.version);
                CHECK(!d.error);
                bool empty_token = false;
                for (const auto& field : d.body.children)
                    if (field.name == "auth_bytes") empty_token = field.kind == FieldNode::Kind::bytes && field.text.empty();
                CHECK(empty_token);
            }
            // Every connection's exchange, both ways: 1 round for PLAIN, 2 for SCRAM.
            const int per_connection = mechanism == "PLAIN" ? 2 : 4;
            CHECK(sasl >= per_connection);
            CHECK(sasl % per_connection == 0);
            check_reencodes(*file);
        }
    }
}

TEST_CASE("proxy: raw SASL tokens after a v0 SaslHandshake (pre-1.0 brokers) are never printed or recorded") {
    const std::string password = "V0-S3cret-pw";
    SaslFakeBroker broker("alice", password, {{"secured", 1}}, /*handshake_v0=*/true);
    TempDir dir;
    for (const std::string mechanism : {"PLAIN", "SCRAM-SHA-512"}) {
        CAPTURE(mechanism);
        const std::string rec = dir.file(mechanism + ".kcap");
        ProxyRun proxy(broker.bootstrap(), {"--print", "--record", rec});
        auto r = kcli({"-b", proxy.address(), "-X", "security.protocol=SASL_PLAINTEXT", "-X",
                       "sasl.mechanism=" + mechanism, "-X", "sasl.username=alice", "-X", "sasl.password=" + password,
                       "metadata", "-J"},
                      {}, 30s);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        proxy.process().signal(SIGTERM);
        REQUIRE(proxy.process().wait(5s) == 0);
        const std::string out = proxy.out();
        const std::string recorded = slurp(rec);
        CHECK(out.find("SaslHandshake v0") != std::string::npos);
        for (const std::string* text : {&out, &recorded}) {
            for (const std::string& secret : {password, std::string("fakebroker%nonce")}) {
                CHECK(text->find(secret) == std::string::npos);
                CHECK(text->find(hex_of(secret)) == std::string::npos);
            }
        }
        CHECK(recorded.find("a raw SASL token (after SaslHandshake v0)") != std::string::npos);
        auto file = parse_kcap(recorded);
        REQUIRE(file.has_value());
        // Every recorded frame is a real Kafka frame: the tokens were not taken for requests.
        for (const auto& f : file->frames) CHECK(find_codec(f.api_key) != nullptr);
    }
    CHECK(broker.failed() == 0);
    CHECK(broker.authenticated() >= 2);
}

TEST_CASE("proxy: a SASL PLAIN recording, credentials withheld, replays through the replay broker") {
    const std::string replay = replay_broker_path();
    if (replay.empty()) {
        MESSAGE("no replay broker in this build (REPLAY_BROKER names one): skipped");
        return;
    }
    const std::string password = "Replay-S3cret-pw";
    SaslFakeBroker broker("alice", password, {{"secured", 2}});
    TempDir dir;
    const std::string rec = dir.file("sasl.kcap");
    auto sasl_metadata = [&](const std::string& address) {
        return kcli({"-b", address, "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=PLAIN", "-X",
                     "sasl.username=alice", "-X", "sasl.password=" + password, "metadata", "-J"},
                    {}, 30s);
    };
    std::string live;
    {
        ProxyRun proxy(broker.bootstrap(), {"--record", rec});
        auto r = sasl_metadata(proxy.address());
        REQUIRE_MESSAGE(r.code == 0, r.err);
        live = r.out;
        proxy.process().signal(SIGTERM);
        REQUIRE(proxy.process().wait(5s) == 0);
    }
    CHECK(slurp(rec).find(password) == std::string::npos);
    ReplayRun rb(replay, rec);
    auto replayed = sasl_metadata(rb.address());
    CHECK_MESSAGE(replayed.code == 0, replayed.err);
    CHECK_MESSAGE(rb.finish() == 0, rb.err() << rb.out() << slurp(rec));
    CHECK(json_eval(replayed.out, "d['topics']") == json_eval(live, "d['topics']"));
}

TEST_CASE("proxy: kafka-python producer and group consumer through it, printed live") {
    MockCluster mock(3);
    mock.create_topic("py", 3, 1);
    for (int32_t p = 0; p < 3; ++p) mock.set_leader("py", p, p + 1);
    mock.set_coordinator("group", "pyg", 3);  // a coordinator that is not the bootstrap broker
    TempDir dir;
    ProxyRun proxy(mock.bootstrap_list().at(0), {"--print", "--record", dir.file("py.kcap")});
    spit(dir.file("client.py"),
         "import sys, kafka\n"
         "boot = sys.argv[1]\n"
         "p = kafka.KafkaProducer(bootstrap_servers=boot, api_version=(2, 0, 0))\n"
         "for i in range(20):\n"
         "    p.send('py', key=b'k%d' % i, value=b'v%d' % i).get(timeout=10)\n"
         "p.close()\n"
         "c = kafka.KafkaConsumer('py', bootstrap_servers=boot, api_version=(2, 0, 0), group_id='pyg',\n"
         "                        auto_offset_reset='earliest', consumer_timeout_ms=4000)\n"
         "seen = sorted(m.value.decode() for m in c)\n"
         "c.commit()\n"
         "c.close()\n"
         "print(len(seen))\n");
    auto r = run({"/usr/bin/python3", dir.file("client.py"), proxy.address()}, {}, 60s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out == "20\n");

    proxy.process().signal(SIGINT);
    CHECK(proxy.process().wait(5s) == 0);
    auto out = proxy.out();
    for (const char* what : {"> Metadata v", "< FindCoordinator v", "> JoinGroup v", "< SyncGroup v", "> Produce v",
                             "< Fetch v", "> OffsetCommit v"}) {
        CAPTURE(what);
        CHECK(out.find(what) != std::string::npos);
    }
    // The coordinator's address was rewritten too: the group's requests went to
    // broker 3 through its listener.
    auto file = parse_kcap(slurp(dir.file("py.kcap")));
    REQUIRE(file.has_value());
    std::string broker3 = mock.bootstrap_list().at(2);
    std::set<int> conns_to_3;
    for (const auto& c : file->conns)
        if (c.broker == broker3) conns_to_3.insert(c.id);
    bool join_on_3 = false;
    for (const auto& f : file->frames)
        if (f.api_name == "JoinGroup" && conns_to_3.count(f.conn)) join_on_3 = true;
    CHECK(join_on_3);
    check_reencodes(*file);

    // The committed offsets are there: kcli groups lag reads them.
    auto lag = kcli({"-b", mock.bootstraps(), "groups", "lag", "-G", "pyg", "-J"});
    REQUIRE_MESSAGE(lag.code == 0, lag.err);
    CHECK(json_eval(lag.out, "(d['total_committed'], d['total_lag'])") == "[20, 0]");
}

TEST_CASE("proxy: frames it cannot parse pass through untouched, both ways") {
    // A fake upstream on a blocking socket: reads two frames, answers one.
    int lsock = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(lsock >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(lsock, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(lsock, 4) == 0);
    socklen_t len = sizeof addr;
    getsockname(lsock, reinterpret_cast<sockaddr*>(&addr), &len);
    const int port = ntohs(addr.sin_port);
    timeval tv{5, 0};

    auto read_exact = [](int fd, size_t n) {
        std::string s;
        char buf[256];
        while (s.size() < n) {
            ssize_t got = recv(fd, buf, std::min(sizeof buf, n - s.size()), 0);
            if (got <= 0) break;
            s.append(buf, static_cast<size_t>(got));
        }
        return s;
    };
    // api key 999 v0 corr 77, a null client id, a body of "hello"; then a 3-byte frame.
    const std::string unknown_api = std::string("\x00\x00\x00\x0f\x03\xe7\x00\x00\x00\x00\x00\x4d\xff\xffhello", 19);
    const std::string too_short = std::string("\x00\x00\x00\x03\x01\x02\x03", 7);
    const std::string answer = std::string("\x00\x00\x00\x09\x00\x00\x00\x4dworld", 13);
    std::string upstream_got;
    std::thread upstream([&] {
        setsockopt(lsock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int fd = accept(lsock, nullptr, nullptr);
        if (fd < 0) return;
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        upstream_got = read_exact(fd, unknown_api.size() + too_short.size());
        send(fd, answer.data(), answer.size(), 0);
        read_exact(fd, 1);  // until the client hangs up
        close(fd);
    });

    ProxyRun proxy("127.0.0.1:" + std::to_string(port), {"--print"});
    auto hp = net::parse_host_port(proxy.address());
    REQUIRE(hp.has_value());
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(hp->port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send(c, unknown_api.data(), unknown_api.size(), 0);
    send(c, too_short.data(), too_short.size(), 0);
    std::string client_got = read_exact(c, answer.size());
    close(c);
    upstream.join();
    close(lsock);

    CHECK(upstream_got == unknown_api + too_short);
    CHECK(client_got == answer);
    proxy.process().signal(SIGTERM);
    CHECK(proxy.process().wait(5s) == 0);
    CHECK_MESSAGE(proxy.out().find("Api999 v0 request corr=77") != std::string::npos, proxy.out());
}

TEST_CASE("proxy: --max-seconds ends it, a listen address in use is an error") {
    MockCluster mock(1);
    TempDir dir;
    auto started = std::chrono::steady_clock::now();
    Process p({kcli_path(), "proxy", "--listen", "127.0.0.1:0", "--upstream", mock.bootstraps(), "--max-seconds", "1"},
              dir.file("out"), dir.file("err"));
    CHECK(p.wait(10s) == 0);
    CHECK(std::chrono::steady_clock::now() - started < 8s);
    CHECK(slurp(dir.file("err")).find("stopped after 0 connection(s)") != std::string::npos);

    ProxyRun first(mock.bootstraps());
    auto busy = kcli({"proxy", "--listen", first.address(), "--upstream", mock.bootstraps(), "--max-seconds", "1"});
    CHECK(busy.code == 1);
    CHECK(busy.err.find("cannot listen") != std::string::npos);
    auto usage = kcli({"proxy", "--listen", "127.0.0.1:0"});
    CHECK(usage.code == 2);
}
