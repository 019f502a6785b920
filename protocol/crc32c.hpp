// CRC-32C (Castagnoli), the checksum of RecordBatch v2. SSE4.2 where the CPU
// has it (chosen once at run time), a portable table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kafka {

// Chainable: crc32c(crc32c(0, a), b) == crc32c(0, a ++ b). Start with 0.
uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t size) noexcept;
// The portable path, exposed so tests can check both paths agree.
uint32_t crc32c_portable(uint32_t crc, const uint8_t* data, size_t size) noexcept;
// True when crc32c() uses the hardware path.
bool crc32c_hardware() noexcept;

}  // namespace kafka
