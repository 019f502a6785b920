#include "protocol/crc32c.hpp"

#include <array>
#include <cstring>

namespace kafka {

#if defined(__x86_64__)
namespace detail {
// protocol/crc32c_sse42.cpp, the only file built with SSE4.2 enabled.
uint32_t crc32c_sse42(uint32_t crc, const uint8_t* data, size_t size) noexcept;
}  // namespace detail
#endif

namespace {

// Slicing-by-8: table[k][b] is the CRC of byte b followed by k zero bytes,
// so eight input bytes are folded per step with eight independent lookups.
constexpr uint32_t kPolynomial = 0x82F63B78;  // Castagnoli, reflected

struct Tables {
    uint32_t t[8][256];
};

constexpr Tables make_tables() {
    Tables tab{};
    for (uint32_t b = 0; b < 256; ++b) {
        uint32_t c = b;
        for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPolynomial : 0);
        tab.t[0][b] = c;
    }
    for (int k = 1; k < 8; ++k) {
        for (uint32_t b = 0; b < 256; ++b) {
            uint32_t prev = tab.t[k - 1][b];
            tab.t[k][b] = (prev >> 8) ^ tab.t[0][prev & 0xff];
        }
    }
    return tab;
}

constexpr Tables kTables = make_tables();

inline uint32_t load_le32(const uint8_t* p) {
    return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
           static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

bool detect_hardware() noexcept {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2");
#else
    return false;
#endif
}

const bool kHardware = detect_hardware();

}  // namespace

uint32_t crc32c_portable(uint32_t crc, const uint8_t* data, size_t size) noexcept {
    const auto& t = kTables.t;
    uint32_t c = ~crc;
    while (size >= 8) {
        uint32_t lo = load_le32(data) ^ c;
        uint32_t hi = load_le32(data + 4);
        c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
            t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
        data += 8;
        size -= 8;
    }
    while (size--) c = (c >> 8) ^ t[0][(c ^ *data++) & 0xff];
    return ~c;
}

bool crc32c_hardware() noexcept { return kHardware; }

uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t size) noexcept {
#if defined(__x86_64__)
    if (kHardware) return detail::crc32c_sse42(crc, data, size);
#endif
    return crc32c_portable(crc, data, size);
}

}  // namespace kafka
