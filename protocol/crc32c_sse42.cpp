// The SSE4.2 CRC-32C path. CMake builds this file alone with -msse4.2; the
// target attribute keeps it correct when built without that flag too.
// crc32c.cpp calls it only when the CPU reports SSE4.2.
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>

namespace kafka::detail {

__attribute__((target("sse4.2")))
uint32_t crc32c_sse42(uint32_t crc, const uint8_t* data, size_t size) noexcept {
    uint64_t c = ~crc;
    // Byte steps up to an 8-byte boundary, then 8 bytes per instruction.
    while (size && (reinterpret_cast<uintptr_t>(data) & 7)) {
        c = _mm_crc32_u8(static_cast<uint32_t>(c), *data++);
        --size;
    }
    while (size >= 32) {
        uint64_t w[4];
        std::memcpy(w, data, sizeof w);
        c = _mm_crc32_u64(c, w[0]);
        c = _mm_crc32_u64(c, w[1]);
        c = _mm_crc32_u64(c, w[2]);
        c = _mm_crc32_u64(c, w[3]);
        data += 32;
        size -= 32;
    }
    while (size >= 8) {
        uint64_t w;
        std::memcpy(&w, data, sizeof w);
        c = _mm_crc32_u64(c, w);
        data += 8;
        size -= 8;
    }
    while (size--) c = _mm_crc32_u8(static_cast<uint32_t>(c), *data++);
    return ~static_cast<uint32_t>(c);
}

}  // namespace kafka::detail
#endif
