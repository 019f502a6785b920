#include "protocol/messages/delete_topics.hpp"

namespace kafka {

void DeleteTopicsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DeleteTopicsRequest> DeleteTopicsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<DeleteTopicsRequest>(r, version);
}

void DeleteTopicsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<DeleteTopicsResponse> DeleteTopicsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<DeleteTopicsResponse>(r, version);
}

}  // namespace kafka
