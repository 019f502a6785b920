#include "protocol/messages/sync_group.hpp"

namespace kafka {

void SyncGroupRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SyncGroupRequest> SyncGroupRequest::decode(Reader& r, int16_t version) {
    return decode_fields<SyncGroupRequest>(r, version);
}

void SyncGroupResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<SyncGroupResponse> SyncGroupResponse::decode(Reader& r, int16_t version) {
    return decode_fields<SyncGroupResponse>(r, version);
}

}  // namespace kafka
