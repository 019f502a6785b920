// Every decompressor on arbitrary input, output capped at 1 MiB.
#include <cstddef>
#include <cstdint>

#include "protocol/compression.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    auto codec = static_cast<kafka::Compression>(1 + data[0] % 4);
    bool legacy = data[0] & 0x80;
    kafka::Bytes out;
    (void)kafka::decompress(codec, kafka::ByteView(data + 1, size - 1), out, 1 << 20, legacy);
    if (out.size() > (1 << 20)) __builtin_trap();
    return 0;
}
