// Packet captures decode to the same frames as the kcap files made from them.
#include <doctest/doctest.h>

#include <dirent.h>

#include "protocol/pcap.hpp"
#include "support/golden.hpp"

using namespace kafka;

TEST_CASE("pcap: every .pcapng capture gives the frames of its .kcap") {
    int files = 0;
    for (const char* broker : {"kfake", "rdkafka-mock-2.15", "rdkafka-mock-2.0"}) {
        std::string dir = std::string(KAFKA_TESTDATA_DIR) + "/captures/" + broker;
        DIR* d = opendir(dir.c_str());
        REQUIRE(d != nullptr);
        std::vector<std::string> names;
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 7 && n.substr(n.size() - 7) == ".pcapng") names.push_back(n.substr(0, n.size() - 7));
        }
        closedir(d);
        for (const auto& name : names) {
            INFO(broker << "/" << name);
            std::string raw = test::read_file(dir + "/" + name + ".pcapng");
            PcapOptions opts;
            opts.drop_unanswered_at_close = true;  // as the kcap files were made
            auto got = pcap_to_kcap(ByteView(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()), opts);
            REQUIRE(got.has_value());
            auto want = test::load_kcap(std::string("captures/") + broker + "/" + name + ".kcap");
            REQUIRE(got->conns.size() == want.conns.size());
            for (size_t i = 0; i < want.conns.size(); ++i) {
                CHECK(got->conns[i].client == want.conns[i].client);
                CHECK(got->conns[i].broker == want.conns[i].broker);
            }
            REQUIRE(got->frames.size() == want.frames.size());
            for (size_t i = 0; i < want.frames.size(); ++i) {
                const auto& g = got->frames[i];
                const auto& w = want.frames[i];
                INFO("frame " << i << " (kcap line " << w.line << ")");
                CHECK(g.conn == w.conn);
                CHECK(g.request == w.request);
                CHECK(g.api_name == w.api_name);
                CHECK(g.version == w.version);
                CHECK(g.correlation_id == w.correlation_id);
                CHECK(g.bytes == w.bytes);
            }
            ++files;
        }
    }
    CHECK(files >= 60);
}

TEST_CASE("pcap: hostile input is an error, never a crash") {
    std::string raw = test::read_file(std::string(KAFKA_TESTDATA_DIR) + "/captures/kfake/metadata-kcat20.pcapng");
    for (size_t n = 0; n < raw.size(); n += 7) {
        auto r = pcap_to_kcap(ByteView(reinterpret_cast<const uint8_t*>(raw.data()), n));
        (void)r;
    }
    Bytes junk(100, 0xab);
    CHECK(!pcap_to_kcap(junk).has_value());
}
