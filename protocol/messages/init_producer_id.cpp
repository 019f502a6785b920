#include "protocol/messages/init_producer_id.hpp"

namespace kafka {

void InitProducerIdRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<InitProducerIdRequest> InitProducerIdRequest::decode(Reader& r, int16_t version) {
    return decode_fields<InitProducerIdRequest>(r, version);
}

void InitProducerIdResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<InitProducerIdResponse> InitProducerIdResponse::decode(Reader& r, int16_t version) {
    return decode_fields<InitProducerIdResponse>(r, version);
}

}  // namespace kafka
