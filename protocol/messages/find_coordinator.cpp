#include "protocol/messages/find_coordinator.hpp"

namespace kafka {

void FindCoordinatorRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<FindCoordinatorRequest> FindCoordinatorRequest::decode(Reader& r, int16_t version) {
    return decode_fields<FindCoordinatorRequest>(r, version);
}

void FindCoordinatorResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<FindCoordinatorResponse> FindCoordinatorResponse::decode(Reader& r, int16_t version) {
    return decode_fields<FindCoordinatorResponse>(r, version);
}

}  // namespace kafka
