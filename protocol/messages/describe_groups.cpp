#include "protocol/messages/describe_groups.hpp"

namespace kafka {

void DescribeGroupsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DescribeGroupsRequest> DescribeGroupsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<DescribeGroupsRequest>(r, version);
}

void DescribeGroupsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DescribeGroupsResponse> DescribeGroupsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<DescribeGroupsResponse>(r, version);
}

const DescribeGroupsResponse::DescribedGroup* DescribeGroupsResponse::find(std::string_view group_id) const {
    for (const auto& g : groups)
        if (g.group_id == group_id) return &g;
    return nullptr;
}

}  // namespace kafka
