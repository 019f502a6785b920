#include "protocol/types.hpp"

namespace kafka {

std::string Uuid::to_string() const {
    // URL-safe base64 without padding, as Kafka's Uuid.toString() prints it.
    static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
        out += alphabet[v >> 18 & 63];
        out += alphabet[v >> 12 & 63];
        out += alphabet[v >> 6 & 63];
        out += alphabet[v & 63];
    }
    // 16 bytes leave one byte over: two characters, no padding.
    uint32_t v = uint32_t{bytes[i]} << 16;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    return out;
}

}  // namespace kafka
