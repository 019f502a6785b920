#include "protocol/messages/join_group.hpp"

namespace kafka {

void JoinGroupRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<JoinGroupRequest> JoinGroupRequest::decode(Reader& r, int16_t version) {
    return decode_fields<JoinGroupRequest>(r, version);
}

void JoinGroupResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<JoinGroupResponse> JoinGroupResponse::decode(Reader& r, int16_t version) {
    return decode_fields<JoinGroupResponse>(r, version);
}

}  // namespace kafka
