// The kcap text parser, then every frame it yields through the registry.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/kcap.hpp"
#include "protocol/registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto file = kafka::parse_kcap(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!file) return 0;
    for (const auto& f : file->frames) {
        if (f.request) (void)kafka::decode_request_frame(f.bytes);
        else (void)kafka::decode_response_frame(f.bytes, f.api_key, f.version);
    }
    return 0;
}
