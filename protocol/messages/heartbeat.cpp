#include "protocol/messages/heartbeat.hpp"

namespace kafka {

void HeartbeatRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<HeartbeatRequest> HeartbeatRequest::decode(Reader& r, int16_t version) {
    return decode_fields<HeartbeatRequest>(r, version);
}

void HeartbeatResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<HeartbeatResponse> HeartbeatResponse::decode(Reader& r, int16_t version) {
    return decode_fields<HeartbeatResponse>(r, version);
}

}  // namespace kafka
