// kcli produce against the mock: lines from stdin or files, keys (-K),
// headers (-H), an explicit partition (-p), a codec (-z), producer settings
// (-X), and a non-zero exit when a record fails. Read back with Fetch.
#include "test_kcli_admin_support.hpp"
#include "test_producer_support.hpp"

#include <algorithm>

using namespace kafka;
using namespace kafka::test;

TEST_CASE("kcli produce: stdin lines, keys and headers, partitioned like Java") {
    MockCluster mock(3);
    mock.create_topic("cli", 4);
    std::string input;
    for (int i = 0; i < 40; ++i) input += "key" + std::to_string(i % 7) + ":line " + std::to_string(i) + "\n";
    input += "no delimiter here\n";
    auto r = kcli({"-b", mock.bootstraps(), "produce", "-t", "cli", "-K", ":", "-H", "src=kcli", "-H", "n=1"}, input);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.find("41 record(s) sent to cli, 41 delivered, 0 failed") != std::string::npos);

    FetchReader reader(mock);
    size_t total = 0;
    for (int32_t p = 0; p < 4; ++p) {
        std::vector<int> order;
        for (const auto& rec : reader.read("cli", p).records) {
            ++total;
            REQUIRE(rec.headers.size() == 2);
            CHECK(rec.headers[0].key == "src");
            CHECK(text(rec.headers[0].value) == "kcli");
            if (!rec.key) {
                CHECK(text(rec.value) == "no delimiter here");
                continue;
            }
            CHECK(key_partition(*rec.key, 4) == p);
            const std::string v = text(rec.value);
            REQUIRE(v.rfind("line ", 0) == 0);
            const int i = std::stoi(v.substr(5));
            CHECK(text(rec.key) == "key" + std::to_string(i % 7));
            order.push_back(i);
        }
        CHECK(std::is_sorted(order.begin(), order.end()));  // lines keep their order per partition
    }
    CHECK(total == 41);
}

TEST_CASE("kcli produce: files, -p, -z and -X settings") {
    MockCluster mock(3);
    mock.create_topic("cli2", 3);
    TempDir dir;
    spit(dir.file("a.txt"), "a1\na2\n");
    spit(dir.file("b.txt"), "b1\r\nb2\n");
    auto r = kcli({"-b", mock.bootstraps(), "produce", "-t", "cli2", "-p", "2", "-z", "lz4", "-X", "acks=1", "-X",
                   "linger.ms=0", "-q", dir.file("a.txt"), dir.file("b.txt")});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());  // -q
    FetchReader reader(mock);
    auto read = reader.read("cli2", 2);
    REQUIRE(read.records.size() == 4);
    CHECK(text(read.records[0].value) == "a1");
    CHECK(text(read.records[2].value) == "b1");  // the \r of a CRLF line is dropped
    for (const auto& b : read.batches) CHECK(b.compression() == Compression::lz4);
    CHECK(reader.read("cli2", 0).records.empty());
}

TEST_CASE("kcli produce: a failed record means a non-zero exit, bad flags are refused") {
    MockCluster mock(1);
    mock.create_topic("cli3", 1);
    auto missing = kcli({"-b", mock.bootstraps(), "produce", "-t", "cli3", "-p", "5"}, "x\n");
    CHECK(missing.code == 1);
    CHECK(missing.err.find("failed") != std::string::npos);

    mock.set_topic_error("locked", errc::topic_authorization_failed);
    auto denied = kcli({"-b", mock.bootstraps(), "produce", "-t", "locked", "-X", "max.block.ms=2000"}, "x\n");
    CHECK(denied.code == 1);
    CHECK(denied.err.find("TOPIC_AUTHORIZATION_FAILED") != std::string::npos);

    CHECK(kcli({"-b", mock.bootstraps(), "produce", "-t", "cli3", "-X", "lingerr.ms=1"}, "x\n").code == 2);
    CHECK(kcli({"-b", mock.bootstraps(), "produce"}, "x\n").code == 2);
    auto help = kcli({"produce", "--help"});
    CHECK(help.code == 0);
    CHECK(help.out.find("-K DELIM") != std::string::npos);
}
