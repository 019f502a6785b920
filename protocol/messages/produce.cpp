#include "protocol/messages/produce.hpp"

namespace kafka {

namespace {

// An upper bound of the encoded size: the record batches dominate, and sizing
// the buffer once spares the copies that growing it batch by batch would make.
size_t encoded_size_bound(const ProduceRequest& m) {
    size_t n = 2 + 2 + 4 + 5 + 5 + 1;  // transactional_id length, acks, timeout_ms, array length, tags
    if (m.transactional_id) n += m.transactional_id->size();
    for (const auto& t : m.topic_data) {
        n += 5 + t.name.size() + 16 + 5 + 1;  // name, topic_id, array length, tags
        for (const auto& p : t.partition_data) {
            n += 4 + 5 + 1;  // index, records length, tags
            if (p.records.data) n += p.records.data->size();
        }
    }
    return n;
}

const ProduceResponse::PartitionProduceResponse* find_partition(const ProduceResponse::TopicProduceResponse& t,
                                                               int32_t partition) {
    for (const auto& p : t.partition_responses)
        if (p.index == partition) return &p;
    return nullptr;
}

}  // namespace

void ProduceRequest::encode(Writer& w, int16_t version) const {
    w.buffer().reserve(w.size() + encoded_size_bound(*this));
    encode_fields(*this, w, version);
}
Result<ProduceRequest> ProduceRequest::decode(Reader& r, int16_t version) {
    return decode_fields<ProduceRequest>(r, version);
}

void ProduceResponse::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ProduceResponse> ProduceResponse::decode(Reader& r, int16_t version) {
    return decode_fields<ProduceResponse>(r, version);
}

const ProduceResponse::PartitionProduceResponse* ProduceResponse::find(const std::string& topic,
                                                                       int32_t partition) const {
    for (const auto& t : responses)
        if (t.name == topic) return find_partition(t, partition);
    return nullptr;
}

const ProduceResponse::PartitionProduceResponse* ProduceResponse::find(const Uuid& topic_id,
                                                                       int32_t partition) const {
    for (const auto& t : responses)
        if (t.topic_id == topic_id) return find_partition(t, partition);
    return nullptr;
}

}  // namespace kafka
