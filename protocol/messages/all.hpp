// Every message this library implements: the list the registry is built from.
#pragma once

#include "protocol/messages/api_versions.hpp"

namespace kafka {

template <class... Ts>
struct TypeList {};

// One request type per API; each names its response_type.
using AllRequests = TypeList<ApiVersionsRequest>;

}  // namespace kafka
