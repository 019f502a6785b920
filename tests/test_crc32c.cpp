#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "protocol/crc32c.hpp"

using namespace kafka;

namespace {

uint32_t crc_of(const std::string& s) {
    return crc32c(0, reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

TEST_CASE("crc32c: published check values") {
    CHECK(crc_of("123456789") == 0xE3069283u);
    CHECK(crc_of("") == 0u);

    // RFC 3720 (iSCSI) appendix B.4 vectors.
    std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xFF), inc(32), dec(32);
    for (int i = 0; i < 32; ++i) {
        inc[i] = static_cast<uint8_t>(i);
        dec[i] = static_cast<uint8_t>(31 - i);
    }
    CHECK(crc32c(0, zeros.data(), zeros.size()) == 0x8A9136AAu);
    CHECK(crc32c(0, ones.data(), ones.size()) == 0x62A8AB43u);
    CHECK(crc32c(0, inc.data(), inc.size()) == 0x46DD794Eu);
    CHECK(crc32c(0, dec.data(), dec.size()) == 0x113FDB5Cu);
    CHECK(crc32c_portable(0, zeros.data(), zeros.size()) == 0x8A9136AAu);
    CHECK(crc32c_portable(0, ones.data(), ones.size()) == 0x62A8AB43u);
}

TEST_CASE("crc32c: hardware and portable paths agree at every length and alignment") {
    std::mt19937 rng(12345);
    std::vector<uint8_t> buf(4096 + 16);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    MESSAGE("hardware crc32c: " << crc32c_hardware());
    for (size_t len = 0; len <= 300; ++len) {
        for (size_t align = 0; align < 8; ++align) {
            const uint8_t* p = buf.data() + align;
            REQUIRE(crc32c(0, p, len) == crc32c_portable(0, p, len));
        }
    }
    for (size_t len : {1023u, 1024u, 4095u, 4096u}) {
        CHECK(crc32c(0, buf.data() + 3, len) == crc32c_portable(0, buf.data() + 3, len));
    }
}

TEST_CASE("crc32c: chaining equals one pass") {
    std::string s = "The quick brown fox jumps over the lazy dog, again and again.";
    auto* p = reinterpret_cast<const uint8_t*>(s.data());
    uint32_t whole = crc32c(0, p, s.size());
    for (size_t cut = 0; cut <= s.size(); ++cut) {
        CHECK(crc32c(crc32c(0, p, cut), p + cut, s.size() - cut) == whole);
        CHECK(crc32c_portable(crc32c_portable(0, p, cut), p + cut, s.size() - cut) == whole);
    }
    CHECK(crc32c(0, reinterpret_cast<const uint8_t*>("The quick brown fox jumps over the lazy dog"), 43) ==
          0x22620404u);
}
