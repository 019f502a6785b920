#include <doctest/doctest.h>

#include <string>

#include "protocol/murmur2.hpp"

using namespace kafka;

namespace {

int32_t hash(const std::string& s) { return murmur2(ByteView(s)); }

}  // namespace

TEST_CASE("murmur2: Kafka UtilsTest.testMurmur2 vectors") {
    CHECK(hash("21") == -973932308);
    CHECK(hash("foobar") == -790332482);
    CHECK(hash("a-little-bit-long-string") == -985981536);
    CHECK(hash("a-little-bit-longer-string") == -1486304829);
    CHECK(hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
    const uint8_t abc[] = {'a', 'b', 'c'};
    CHECK(murmur2(ByteView(abc, 3)) == 479470107);
}

TEST_CASE("murmur2: more vectors, one per tail length") {
    CHECK(hash("") == 275646681);
    // Also pinned by librdkafka's murmur2 partitioner tests.
    CHECK(static_cast<uint32_t>(hash("kafka")) == 0xd067cf64u);
    CHECK(static_cast<uint32_t>(hash("giberish123456789")) == 0x8f552b0cu);
    CHECK(static_cast<uint32_t>(hash("1234")) == 0x9fc97b14u);
    CHECK(static_cast<uint32_t>(hash("234")) == 0xe7c009cau);
    CHECK(static_cast<uint32_t>(hash("34")) == 0x873930dau);
}

TEST_CASE("murmur2: partition_for_key is toPositive(hash) % n") {
    CHECK(partition_for_key(ByteView(std::string("foobar")), 50) == 16);  // (-790332482 & 0x7fffffff) % 50
    for (int32_t n = 1; n < 40; ++n) {
        int32_t p = partition_for_key(ByteView(std::string("key-01")), n);
        CHECK(p >= 0);
        CHECK(p < n);
    }
    CHECK(partition_for_key(ByteView(std::string("x")), 0) == 0);
}
