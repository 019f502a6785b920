// Kafka's names for every API key, including the ones we have no codec for,
// so that traces and captures can name any frame.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kafka {

// "Produce" for 0, ..., "Api<key>" for keys not in the table.
std::string api_name(int16_t key);
// The key for a name (exact, case-sensitive) or "Api<key>"; -1 when unknown.
int16_t api_key_from_name(std::string_view name);

}  // namespace kafka
