#include "protocol/murmur2.hpp"

namespace kafka {

// MurmurHash2, 32-bit, with the seed and the tail handling of Kafka's
// Utils.murmur2. Java works on signed ints; unsigned arithmetic here gives
// the same bits without overflow UB.
int32_t murmur2(ByteView key) noexcept {
    constexpr uint32_t seed = 0x9747b28c;
    constexpr uint32_t m = 0x5bd1e995;
    constexpr int r = 24;

    const uint8_t* p = key.data;
    const size_t length = key.size;
    uint32_t h = seed ^ static_cast<uint32_t>(length);

    const size_t blocks = length / 4;
    for (size_t i = 0; i < blocks; ++i, p += 4) {
        uint32_t k = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                     static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (length % 4) {
        case 3: h ^= static_cast<uint32_t>(p[2]) << 16; [[fallthrough]];
        case 2: h ^= static_cast<uint32_t>(p[1]) << 8; [[fallthrough]];
        case 1:
            h ^= p[0];
            h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<int32_t>(h);
}

int32_t partition_for_key(ByteView key, int32_t partitions) noexcept {
    if (partitions <= 0) return 0;
    return static_cast<int32_t>(static_cast<uint32_t>(murmur2(key)) & 0x7fffffff) % partitions;
}

}  // namespace kafka
