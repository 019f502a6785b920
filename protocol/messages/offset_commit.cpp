#include "protocol/messages/offset_commit.hpp"

namespace kafka {

void OffsetCommitRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<OffsetCommitRequest> OffsetCommitRequest::decode(Reader& r, int16_t version) {
    return decode_fields<OffsetCommitRequest>(r, version);
}

void OffsetCommitResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<OffsetCommitResponse> OffsetCommitResponse::decode(Reader& r, int16_t version) {
    return decode_fields<OffsetCommitResponse>(r, version);
}

const OffsetCommitResponse::Partition* OffsetCommitResponse::find(std::string_view topic, int32_t partition) const {
    for (const auto& t : topics) {
        if (t.name != topic) continue;
        for (const auto& p : t.partitions)
            if (p.partition_index == partition) return &p;
    }
    return nullptr;
}

}  // namespace kafka
