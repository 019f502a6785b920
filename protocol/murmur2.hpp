// Kafka's default partitioner for keyed records, bit for bit as the Java
// client (org.apache.kafka.common.utils.Utils.murmur2) computes it.
#pragma once

#include <cstdint>

#include "protocol/types.hpp"

namespace kafka {

int32_t murmur2(ByteView key) noexcept;
// (murmur2(key) & 0x7fffffff) % partitions, as Java's toPositive() does.
int32_t partition_for_key(ByteView key, int32_t partitions) noexcept;

}  // namespace kafka
