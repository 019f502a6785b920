#include "protocol/messages/create_partitions.hpp"

namespace kafka {

void CreatePartitionsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<CreatePartitionsRequest> CreatePartitionsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<CreatePartitionsRequest>(r, version);
}

void CreatePartitionsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<CreatePartitionsResponse> CreatePartitionsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<CreatePartitionsResponse>(r, version);
}

}  // namespace kafka
