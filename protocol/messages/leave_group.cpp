#include "protocol/messages/leave_group.hpp"

namespace kafka {

void LeaveGroupRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<LeaveGroupRequest> LeaveGroupRequest::decode(Reader& r, int16_t version) {
    return decode_fields<LeaveGroupRequest>(r, version);
}

void LeaveGroupResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<LeaveGroupResponse> LeaveGroupResponse::decode(Reader& r, int16_t version) {
    return decode_fields<LeaveGroupResponse>(r, version);
}

}  // namespace kafka
