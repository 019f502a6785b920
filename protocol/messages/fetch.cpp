#include "protocol/messages/fetch.hpp"

namespace kafka {

namespace {

// An upper bound of the encoded size, less the tagged fields: the record
// batches dominate, and sizing the buffer once spares the copies that growing
// it partition by partition would make.
size_t encoded_size_bound(const FetchResponse& m) {
    size_t n = 4 + 2 + 4 + 5 + 1;  // throttle_time_ms, error_code, session_id, array length, tags
    for (const auto& t : m.responses) {
        n += 5 + t.topic.size() + 16 + 5 + 1;
        for (const auto& p : t.partitions) {
            n += 4 + 2 + 8 + 8 + 8 + 5 + 4 + 5 + 1;
            if (p.aborted_transactions) n += p.aborted_transactions->size() * 17;
            if (p.records.data) n += p.records.data->size();
        }
    }
    return n;
}

const FetchResponse::PartitionData* find_partition(const FetchResponse::FetchableTopicResponse& t,
                                                   int32_t partition) {
    for (const auto& p : t.partitions)
        if (p.partition_index == partition) return &p;
    return nullptr;
}

}  // namespace

void FetchRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<FetchRequest> FetchRequest::decode(Reader& r, int16_t version) {
    return decode_fields<FetchRequest>(r, version);
}

void FetchResponse::encode(Writer& w, int16_t version) const {
    w.buffer().reserve(w.size() + encoded_size_bound(*this));
    encode_fields(*this, w, version);
}
Result<FetchResponse> FetchResponse::decode(Reader& r, int16_t version) {
    return decode_fields<FetchResponse>(r, version);
}

const FetchResponse::PartitionData* FetchResponse::find(const std::string& topic, int32_t partition) const {
    for (const auto& t : responses)
        if (t.topic == topic) return find_partition(t, partition);
    return nullptr;
}

const FetchResponse::PartitionData* FetchResponse::find(const Uuid& topic_id, int32_t partition) const {
    for (const auto& t : responses)
        if (t.topic_id == topic_id) return find_partition(t, partition);
    return nullptr;
}

}  // namespace kafka
