#include "protocol/messages/describe_configs.hpp"

namespace kafka {

void DescribeConfigsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DescribeConfigsRequest> DescribeConfigsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<DescribeConfigsRequest>(r, version);
}

void DescribeConfigsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DescribeConfigsResponse> DescribeConfigsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<DescribeConfigsResponse>(r, version);
}

}  // namespace kafka
