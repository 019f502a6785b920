#include "protocol/messages/create_topics.hpp"

namespace kafka {

void CreateTopicsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<CreateTopicsRequest> CreateTopicsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<CreateTopicsRequest>(r, version);
}

void CreateTopicsResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<CreateTopicsResponse> CreateTopicsResponse::decode(Reader& r, int16_t version) {
    return decode_fields<CreateTopicsResponse>(r, version);
}

const CreateTopicsResponse::Topic* CreateTopicsResponse::find_topic(const std::string& topic_name) const {
    for (const auto& t : topics)
        if (t.name == topic_name) return &t;
    return nullptr;
}

}  // namespace kafka
