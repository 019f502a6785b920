// Record batches and legacy message sets, with decompression (bomb cap 1 MiB).
#include <cstddef>
#include <cstdint>

#include "protocol/records.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kafka::DecodeOptions opts;
    opts.decompress_limit = 1 << 20;
    opts.verify_crc = size > 0 && (data[0] & 1);
    (void)kafka::decode_records(kafka::ByteView(data, size), opts);
    return 0;
}
