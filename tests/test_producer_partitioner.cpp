// The producer's partition choice: Java's murmur2 for keys, sticky for the rest.
#include <doctest/doctest.h>

#include <ostream>

#include <map>
#include <string>

#include "client/partitioner.hpp"

using namespace kafka;

namespace {
int32_t keyed(const std::string& key, int32_t n) { return key_partition(ByteView(key), n); }
}  // namespace

TEST_CASE("partitioner: keyed records land where Java and kafka-python put them") {
    // kafka-python's test_murmur2_java_compatibility (1000 partitions), which
    // it checked against org.apache.kafka.clients.producer.Partitioner.
    CHECK(keyed("", 1000) == 681);
    CHECK(keyed("a", 1000) == 524);
    CHECK(keyed("ab", 1000) == 434);
    CHECK(keyed("abc", 1000) == 107);
    CHECK(keyed("123456789", 1000) == 566);
    CHECK(keyed(std::string("\x00 ", 2), 1000) == 742);
    // Kafka's UtilsTest murmur2 vector, through toPositive() % n.
    CHECK(keyed("foobar", 50) == (-790332482 & 0x7fffffff) % 50);
    CHECK(keyed("21", 7) == (-973932308 & 0x7fffffff) % 7);
    for (int32_t n = 1; n < 64; ++n) {
        CHECK(keyed("same-key", n) == keyed("same-key", n));
        CHECK(keyed("k", n) < n);
    }
}

TEST_CASE("partitioner: sticky stays until a batch's worth of bytes went to the partition") {
    StickyPartitioner sticky(1000, false, 42);
    std::vector<int32_t> load(8, 0);
    const int32_t first = sticky.partition(load);
    CHECK(first >= 0);
    CHECK(first < 8);
    // 9 records of 100 bytes: still the same partition.
    for (int i = 0; i < 9; ++i) {
        CHECK(sticky.partition(load) == first);
        sticky.on_append(first, 100, i == 0);
    }
    // Crossing batch.size in the middle of a batch does not switch yet...
    sticky.on_append(first, 100, false);
    CHECK(sticky.partition(load) == first);
    // ...a new batch once past it does.
    sticky.on_append(first, 100, true);
    CHECK(sticky.current() == kAnyPartition);
    sticky.partition(load);
    CHECK(sticky.current() >= 0);

    // At twice batch.size it switches even within a batch.
    StickyPartitioner s2(100, false, 7);
    int32_t p = s2.partition(load);
    s2.on_append(p, 150, false);
    CHECK(s2.current() == p);
    s2.on_append(p, 60, false);
    CHECK(s2.current() == kAnyPartition);

    // Records of other partitions (keyed, explicit) do not count.
    StickyPartitioner s3(100, false, 9);
    int32_t q = s3.partition(load);
    s3.on_append((q + 1) % 8, 1000, true);
    CHECK(s3.current() == q);
}

TEST_CASE("partitioner: sticky skips partitions without a leader, spreads over the rest") {
    StickyPartitioner sticky(1, false, 1234);
    std::vector<int32_t> load{-1, 0, -1, 0, 0, -1};
    std::map<int32_t, int> seen;
    for (int i = 0; i < 3000; ++i) {
        int32_t p = sticky.partition(load);
        ++seen[p];
        sticky.on_append(p, 10, true);  // switch every record
    }
    CHECK(seen.count(0) == 0);
    CHECK(seen.count(2) == 0);
    CHECK(seen.count(5) == 0);
    for (int32_t p : {1, 3, 4}) CHECK(seen[p] > 700);

    // No partition has a leader: any one will do (the record waits in its queue).
    std::vector<int32_t> none{-1, -1};
    StickyPartitioner s2(1, false, 5);
    int32_t p = s2.partition(none);
    CHECK(p >= 0);
    CHECK(p < 2);
    CHECK(s2.partition({}) == kAnyPartition);
}

TEST_CASE("partitioner: adaptive (KIP-794) favours shorter queues") {
    StickyPartitioner sticky(1, true, 99);
    std::vector<int32_t> load{9, 0, 9};  // partition 1 has the shortest queue
    std::map<int32_t, int> seen;
    for (int i = 0; i < 2100; ++i) {
        int32_t p = sticky.partition(load);
        ++seen[p];
        sticky.on_append(p, 10, true);
    }
    // Weights 1, 10, 1.
    CHECK(seen[1] > 1500);
    CHECK(seen[0] > 50);
    CHECK(seen[2] > 50);
}
