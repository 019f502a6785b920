#include "protocol/messages/offset_fetch.hpp"

namespace kafka {

void OffsetFetchRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<OffsetFetchRequest> OffsetFetchRequest::decode(Reader& r, int16_t version) {
    return decode_fields<OffsetFetchRequest>(r, version);
}

void OffsetFetchResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<OffsetFetchResponse> OffsetFetchResponse::decode(Reader& r, int16_t version) {
    return decode_fields<OffsetFetchResponse>(r, version);
}

int16_t OffsetFetchResponse::group_error(std::string_view group_id) const {
    if (groups.empty()) return error_code;
    for (const auto& g : groups)
        if (g.group_id == group_id) return g.error_code;
    return 0;
}

const OffsetFetchResponse::Partition* OffsetFetchResponse::find(std::string_view group_id, std::string_view topic,
                                                                int32_t partition) const {
    const std::vector<Topic>* in = &topics;
    if (!groups.empty()) {
        in = nullptr;
        for (const auto& g : groups)
            if (g.group_id == group_id) in = &g.topics;
        if (!in) return nullptr;
    }
    for (const auto& t : *in) {
        if (t.name != topic) continue;
        for (const auto& p : t.partitions)
            if (p.partition_index == partition) return &p;
    }
    return nullptr;
}

}  // namespace kafka
