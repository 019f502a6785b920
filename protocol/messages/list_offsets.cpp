#include "protocol/messages/list_offsets.hpp"

namespace kafka {
namespace {

// The librdkafka 2.0 mock broker (Debian's librdkafka 2.0.2) writes each
// partition's leader_epoch in ListOffsets v4-v5 responses as an int64 (-1)
// instead of an int32; later mocks fixed it. A response that does not decode
// as the schema says, or leaves bytes over, is read again with this layout and
// remembered as such, so that it re-encodes exactly as it came. These mirror
// structs are that layout and are used nowhere else.
constexpr int16_t kInt64EpochMin = 4;
constexpr int16_t kInt64EpochMax = 5;

struct Int64EpochPartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1;
    int64_t offset = -1;
    int64_t leader_epoch = -1;  // int64 on the wire: the quirk
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        io.field("partition_index", partition_index);
        io.field("error_code", error_code);
        io.field("timestamp", timestamp);
        io.field("offset", offset);
        io.field("leader_epoch", leader_epoch);
    }
};
struct Int64EpochTopic {
    std::string name;
    std::vector<Int64EpochPartition> partitions;
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        io.field("name", name);
        io.field("partitions", partitions);
    }
};
struct Int64EpochResponse {
    static constexpr int16_t first_flexible = kNeverFlexible;  // v4-v5 only
    int32_t throttle_time_ms = 0;
    std::vector<Int64EpochTopic> topics;
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        io.field("throttle_time_ms", throttle_time_ms);
        io.field("topics", topics);
    }
};

Int64EpochResponse to_int64_epochs(const ListOffsetsResponse& m) {
    Int64EpochResponse q;
    q.throttle_time_ms = m.throttle_time_ms;
    for (const auto& t : m.topics) {
        Int64EpochTopic qt;
        qt.name = t.name;
        for (const auto& p : t.partitions)
            qt.partitions.push_back({p.partition_index, p.error_code, p.timestamp, p.offset, p.leader_epoch, {}});
        q.topics.push_back(std::move(qt));
    }
    return q;
}

Result<ListOffsetsResponse> from_int64_epochs(const Int64EpochResponse& q) {
    ListOffsetsResponse m;
    m.leader_epoch_as_int64 = true;
    m.throttle_time_ms = q.throttle_time_ms;
    for (const auto& qt : q.topics) {
        ListOffsetsResponse::Topic t;
        t.name = qt.name;
        for (const auto& qp : qt.partitions) {
            if (qp.leader_epoch < INT32_MIN || qp.leader_epoch > INT32_MAX) return client_errc::malformed;
            ListOffsetsResponse::Partition p;
            p.partition_index = qp.partition_index;
            p.error_code = qp.error_code;
            p.timestamp = qp.timestamp;
            p.offset = qp.offset;
            p.leader_epoch = static_cast<int32_t>(qp.leader_epoch);
            t.partitions.push_back(std::move(p));
        }
        m.topics.push_back(std::move(t));
    }
    return m;
}

}  // namespace

void ListOffsetsRequest::encode(Writer& w, int16_t version) const { encode_fields(*this, w, version); }
Result<ListOffsetsRequest> ListOffsetsRequest::decode(Reader& r, int16_t version) {
    return decode_fields<ListOffsetsRequest>(r, version);
}

void ListOffsetsResponse::encode(Writer& w, int16_t version) const {
    if (!leader_epoch_as_int64) return encode_fields(*this, w, version);
    if (version < kInt64EpochMin || version > kInt64EpochMax) return w.fail(client_errc::field_not_in_version);
    for (const auto& t : topics)
        for (const auto& p : t.partitions)
            if (!p.old_style_offsets.empty()) return w.fail(client_errc::field_not_in_version);
    encode_fields(to_int64_epochs(*this), w, version);
}

Result<ListOffsetsResponse> ListOffsetsResponse::decode(Reader& r, int16_t version) {
    const Reader start = r;
    auto m = decode_fields<ListOffsetsResponse>(r, version);
    if ((m && r.remaining() == 0) || version < kInt64EpochMin || version > kInt64EpochMax) return m;
    Reader again = start;
    auto q = decode_fields<Int64EpochResponse>(again, version);
    if (!q || again.remaining() != 0) return m;  // not the quirk either: report the schema's reading
    r = again;
    return from_int64_epochs(*q);
}

const ListOffsetsResponse::Partition* ListOffsetsResponse::find(const std::string& topic, int32_t partition) const {
    for (const auto& t : topics) {
        if (t.name != topic) continue;
        for (const auto& p : t.partitions)
            if (p.partition_index == partition) return &p;
    }
    return nullptr;
}

}  // namespace kafka
