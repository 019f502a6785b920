// kcli decode end to end: the built binary over the shared captures, one
// frame, bare record batches, bad input, and a classic .pcap written here
// from a pcapng's packets. JSON lines are parsed by Python's json module.
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <ostream>

#include <doctest/doctest.h>

#include "protocol/field_node.hpp"
#include "protocol/records.hpp"
#include "test_kcli_admin_support.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

std::string captures_dir() {
    std::string path = __FILE__;
    return path.substr(0, path.rfind("/tests/")) + "/testdata/captures";
}

// Every X.kcap under testdata/captures that has an X.pcapng next to it, as
// paths without the extension, sorted.
std::vector<std::string> capture_pairs() {
    std::vector<std::string> out;
    const std::string root = captures_dir();
    DIR* top = opendir(root.c_str());
    REQUIRE(top != nullptr);
    while (const dirent* d = readdir(top)) {
        if (d->d_name[0] == '.') continue;
        const std::string sub = root + "/" + d->d_name;
        DIR* dir = opendir(sub.c_str());
        if (!dir) continue;
        while (const dirent* f = readdir(dir)) {
            std::string name = f->d_name;
            if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".kcap") != 0) continue;
            std::string base = sub + "/" + name.substr(0, name.size() - 5);
            if (access((base + ".pcapng").c_str(), R_OK) == 0) out.push_back(base);
        }
        closedir(dir);
    }
    closedir(top);
    std::sort(out.begin(), out.end());
    return out;
}

// JSON lines as one JSON array, for json_eval.
std::string json_lines_as_array(const std::string& lines) {
    std::string out = "[";
    size_t at = 0;
    while (at < lines.size()) {
        size_t end = lines.find('\n', at);
        if (end == std::string::npos) end = lines.size();
        if (end > at) out += (out.size() > 1 ? "," : "") + lines.substr(at, end - at);
        at = end + 1;
    }
    return out + "]";
}

uint32_t le32(const std::string& s, size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, s.data() + at, 4);  // the captures are little-endian sections, as is this host
    return v;
}

void put_le32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
void put_le16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }

// The packets of a little-endian pcapng (one interface, Enhanced Packet
// Blocks) rewritten as a classic libpcap file with the same link type.
std::string pcapng_to_pcap(const std::string& ng) {
    REQUIRE(ng.size() >= 28);
    REQUIRE(le32(ng, 0) == 0x0a0d0d0a);
    REQUIRE(le32(ng, 8) == 0x1a2b3c4d);  // byte-order magic: little-endian section
    std::string body;
    uint32_t linktype = 0;
    size_t packets = 0;
    for (size_t at = 0; at + 12 <= ng.size();) {
        const uint32_t type = le32(ng, at);
        const uint32_t len = le32(ng, at + 4);
        REQUIRE(len >= 12);
        REQUIRE(at + len <= ng.size());
        if (type == 1) {  // Interface Description Block
            linktype = le32(ng, at + 8) & 0xffff;
        } else if (type == 6) {  // Enhanced Packet Block: microsecond timestamps (no if_tsresol here)
            const uint64_t ts = (uint64_t{le32(ng, at + 12)} << 32) | le32(ng, at + 16);
            const uint32_t caplen = le32(ng, at + 20);
            const uint32_t origlen = le32(ng, at + 24);
            REQUIRE(28 + caplen <= len);
            put_le32(body, static_cast<uint32_t>(ts / 1000000));
            put_le32(body, static_cast<uint32_t>(ts % 1000000));
            put_le32(body, caplen);
            put_le32(body, origlen);
            body.append(ng, at + 28, caplen);
            ++packets;
        }
        at += len;
    }
    REQUIRE(packets > 0);
    std::string out;
    put_le32(out, 0xa1b2c3d4);  // microsecond pcap, written little-endian
    put_le16(out, 2);
    put_le16(out, 4);
    put_le32(out, 0);  // thiszone
    put_le32(out, 0);  // sigfigs
    put_le32(out, 262144);  // snaplen
    put_le32(out, linktype);
    return out + body;
}

}  // namespace

TEST_CASE("kcli decode: every shared pcapng decodes to the same frames as its kcap") {
    auto pairs = capture_pairs();
    REQUIRE(pairs.size() >= 10);
    for (const auto& base : pairs) {
        CAPTURE(base);
        // The kcaps were cut without the requests a client abandoned at close
        // (kafka-python and the group consumers leave a few); the flag does
        // the same for the packets. A kcap needs no flag.
        auto from_kcap = kcli({"decode", base + ".kcap"}, {}, 20s);
        auto from_pcap = kcli({"decode", "--drop-unanswered-at-close", base + ".pcapng"}, {}, 20s);
        REQUIRE_MESSAGE(from_kcap.code == 0, from_kcap.err);
        REQUIRE_MESSAGE(from_pcap.code == 0, from_pcap.err);
        CHECK(from_kcap.out.find("[conn 1] > ApiVersions") != std::string::npos);
        CHECK(from_pcap.out == from_kcap.out);
    }
}

TEST_CASE("kcli decode -J: one JSON object per frame, APIs and versions as the kcap lines say") {
    const std::string path = captures_dir() + "/kfake/admin-kafkapython.kcap";
    // "> 1 Metadata v12 corr=2 HEX": direction, connection, API, version.
    std::string expected = "[";
    std::istringstream lines(slurp(path));
    std::string line;
    int frames = 0;
    while (std::getline(lines, line)) {
        if (line.size() < 2 || (line[0] != '>' && line[0] != '<')) continue;
        std::istringstream words(line);
        std::string dir, conn, api, version;
        words >> dir >> conn >> api >> version;
        expected += std::string(frames++ ? ", " : "") + "[\"" + (dir == ">" ? "request" : "response") + "\", " + conn +
                    ", \"" + api + "\", " + version.substr(1) + "]";
    }
    expected += "]";
    REQUIRE(frames > 20);
    auto r = kcli({"decode", "-J", path}, {}, 20s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const std::string doc = json_lines_as_array(r.out);
    CHECK(json_eval(doc, "len(d)") == std::to_string(frames));
    CHECK(json_eval(doc, "[[f['direction'], f['conn'], f['api'], f['version']] for f in d]") == expected);
    CHECK(json_eval(doc, "{'ApiVersions', 'Metadata', 'DescribeGroups'} <= {f['api'] for f in d}") == "true");
    CHECK(json_eval(doc, "all(f['correlation_id'] == f['header']['correlation_id'] for f in d)") == "true");

    // --api keeps one API's frames, requests and responses.
    auto only = kcli({"decode", "-J", "--api", "DescribeGroups", path}, {}, 20s);
    REQUIRE_MESSAGE(only.code == 0, only.err);
    const std::string dg = json_lines_as_array(only.out);
    CHECK(json_eval(dg, "len(d) > 0 and {f['api'] for f in d} == {'DescribeGroups'}") == "true");
    CHECK(json_eval(dg, "sorted({f['direction'] for f in d})") == "[\"request\", \"response\"]");
}

TEST_CASE("kcli decode: one request frame given as hex, with and without its size prefix") {
    // kcat 2.15's Metadata v13 request for topic "test" (from kfake/metadata-kcat215.kcap).
    const std::string frame = "0003000d00000003000772646b61666b610000000000010000";
    auto r = kcli({"decode", "--api", "Metadata", "--version", "13", "--request", "--hex", frame, "-J"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(json_eval(r.out, "[d['api'], d['version'], d['correlation_id']]") == "[\"Metadata\", 13, 3]");
    CHECK(json_eval(r.out, "d['header']['client_id']") == "rdkafka");
    CHECK(json_eval(r.out, "d['body']['topics']") == "null");
    CHECK(json_eval(r.out, "d['body']['allow_auto_topic_creation']") == "false");

    auto prefixed = kcli({"decode", "--api", "3", "--version", "13", "--request", "--hex", "00000019" + frame, "-J"});
    REQUIRE_MESSAGE(prefixed.code == 0, prefixed.err);
    CHECK(prefixed.out == r.out);

    // The header must agree with --api/--version.
    auto wrong = kcli({"decode", "--api", "Metadata", "--version", "12", "--request", "--hex", frame});
    CHECK(wrong.code == 1);
    CHECK(wrong.err.find("Metadata v13, not Metadata v12") != std::string::npos);
}

TEST_CASE("kcli decode --records: a v2 batch from a file, as text and JSON") {
    RecordBatchBuilder b;
    b.set_base_offset(40);
    const std::string v1 = "first value", v2 = "second value";
    const std::string key = "k1";
    b.append(1700000000000, ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
             ByteView(reinterpret_cast<const uint8_t*>(v1.data()), v1.size()));
    b.append(1700000000005, std::nullopt, ByteView(reinterpret_cast<const uint8_t*>(v2.data()), v2.size()));
    auto batch = b.finish(Compression::gzip);
    REQUIRE(batch.has_value());
    TempDir dir;
    spit(dir.file("segment.log"), std::string(batch->begin(), batch->end()));

    auto json = kcli({"decode", "--records", dir.file("segment.log"), "-J"});
    REQUIRE_MESSAGE(json.code == 0, json.err);
    CHECK(count_of(json.out, "\n") == 1);  // one batch, one line
    INFO(json.out);
    CHECK(json_eval(json.out, "d['base_offset']") == "40");
    CHECK(json_eval(json.out, "len(d['records'])") == "2");
    CHECK(json.out.find("first value") != std::string::npos);
    CHECK(json.out.find("second value") != std::string::npos);

    auto text = kcli({"decode", "--records", "--hex", to_hex(ByteView(*batch))});
    REQUIRE_MESSAGE(text.code == 0, text.err);
    CHECK(text.out.find("second value") != std::string::npos);

    // A batch cut short at the end is what Kafka's Fetch allows (a partial
    // last batch): not an error, but shown as a tail, not as records.
    auto cut = kcli({"decode", "--records", "--hex", to_hex(ByteView(*batch).subview(0, batch->size() - 3))});
    CHECK(cut.code == 0);
    CHECK(cut.out.find("partial_tail_bytes: " + std::to_string(batch->size() - 3)) != std::string::npos);
    CHECK(cut.out.find("second value") == std::string::npos);
}

TEST_CASE("kcli decode: bad input exits non-zero and says why, --help exits 0") {
    auto help = kcli({"decode", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("usage") != std::string::npos);
    CHECK(help.out.find("--drop-unanswered-at-close") != std::string::npos);

    TempDir dir;
    auto missing = kcli({"decode", dir.file("nope.kcap")});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("cannot read " + dir.file("nope.kcap")) != std::string::npos);

    spit(dir.file("bad.kcap"), "# kcap v1\n@conn 1 client=127.0.0.1:1 broker=127.0.0.1:2\n> 1 Metadata v12 corr=1 zz\n");
    auto bad = kcli({"decode", dir.file("bad.kcap")});
    CHECK(bad.code == 1);
    CHECK(bad.err.find(dir.file("bad.kcap") + ":3: not a kcap line") != std::string::npos);

    // A pcapng cut in the middle of a block.
    std::string ng = slurp(captures_dir() + "/kfake/metadata-kcat20.pcapng");
    spit(dir.file("cut.pcapng"), ng.substr(0, ng.size() / 2 + 3));
    auto cut = kcli({"decode", dir.file("cut.pcapng")});
    CHECK(cut.code == 1);
    CHECK(cut.err.find("not a readable packet capture") != std::string::npos);

    auto hex = kcli({"decode", "--api", "Metadata", "--version", "13", "--request", "--hex", "00x3"});
    CHECK(hex.code == 2);
    CHECK(hex.err.find("not valid hex") != std::string::npos);

    CHECK(kcli({"decode"}).code == 2);
    CHECK(kcli({"decode", "--bogus", dir.file("bad.kcap")}).code == 2);
}

TEST_CASE("kcli decode: a classic .pcap of the same packets decodes like the pcapng") {
    TempDir dir;
    for (const char* name : {"kfake/metadata-kcat215", "kfake/admin-kafkapython", "rdkafka-mock-2.15/produce-zstd-kcat215"}) {
        CAPTURE(name);
        const std::string base = captures_dir() + "/" + name;
        spit(dir.file("x.pcap"), pcapng_to_pcap(slurp(base + ".pcapng")));
        auto classic = kcli({"decode", "--drop-unanswered-at-close", dir.file("x.pcap")}, {}, 20s);
        auto ng = kcli({"decode", "--drop-unanswered-at-close", base + ".pcapng"}, {}, 20s);
        REQUIRE_MESSAGE(classic.code == 0, classic.err);
        REQUIRE_MESSAGE(ng.code == 0, ng.err);
        CHECK(count_of(classic.out, "[conn ") > 4);
        CHECK(classic.out == ng.out);
    }
}
