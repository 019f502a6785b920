#include "protocol/messages/list_groups.hpp"

namespace kafka {

void ListGroupsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ListGroupsRequest> ListGroupsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<ListGroupsRequest>(r, version);
}

void ListGroupsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ListGroupsResponse> ListGroupsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<ListGroupsResponse>(r, version);
}

}  // namespace kafka
