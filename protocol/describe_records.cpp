// The records field of Produce and Fetch, shown down to each record.
#include "protocol/field_node.hpp"
#include "protocol/records.hpp"

namespace kafka {
namespace {

// Keys, values and header values show as text when they are printable UTF-8
// (what producers mostly send), and as hex otherwise.
bool printable(ByteView b) {
    size_t i = 0;
    while (i < b.size) {
        uint8_t c = b[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
            if (c == 0x7f) return false;
            ++i;
            continue;
        }
        size_t n = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        if (n == 0 || i + n > b.size) return false;
        for (size_t k = 1; k < n; ++k)
            if ((b[i + k] & 0xc0) != 0x80) return false;
        i += n;
    }
    return true;
}

FieldNode payload(const char* name, const std::optional<Bytes>& v) {
    if (!v) return FieldNode::null(name);
    if (printable(*v)) return FieldNode::string(name, std::string(v->begin(), v->end()));
    return FieldNode::hex(name, *v);
}

FieldNode batch_node(const RecordBatch& b) {
    FieldNode n = FieldNode::object("");
    auto num = [&](const char* k, int64_t v) { n.children.push_back(FieldNode::number(k, v)); };
    num("base_offset", b.base_offset);
    num("batch_length", b.batch_length);
    num("magic", b.magic);
    if (b.magic >= 2) num("partition_leader_epoch", b.partition_leader_epoch);
    n.children.push_back(FieldNode::number("crc", b.crc));
    n.children.push_back(FieldNode::scalar("crc_ok", b.crc_ok));
    num("attributes", b.attributes);
    n.children.push_back(FieldNode::string("compression", std::string(compression_name(b.compression()))));
    if (b.magic >= 1) n.children.push_back(FieldNode::string("timestamp_type", b.log_append_time() ? "LogAppendTime" : "CreateTime"));
    if (b.magic >= 2) {
        n.children.push_back(FieldNode::scalar("transactional", b.is_transactional()));
        n.children.push_back(FieldNode::scalar("control", b.is_control()));
        num("last_offset_delta", b.last_offset_delta);
        num("base_timestamp", b.base_timestamp);
        num("max_timestamp", b.max_timestamp);
        num("producer_id", b.producer_id);
        num("producer_epoch", b.producer_epoch);
        num("base_sequence", b.base_sequence);
        num("record_count", b.record_count);
    }
    FieldNode recs = FieldNode::array("records");
    for (const auto& r : b.records) {
        FieldNode rn = FieldNode::object("");
        rn.children.push_back(FieldNode::number("offset", r.offset));
        rn.children.push_back(FieldNode::number("timestamp", r.timestamp));
        if (b.is_control() && r.key) {
            if (auto c = decode_control_key(*r.key)) {
                rn.children.push_back(FieldNode::string("control_type", c->type == 1 ? "COMMIT" : c->type == 0 ? "ABORT" : "UNKNOWN"));
            }
        }
        rn.children.push_back(payload("key", r.key));
        rn.children.push_back(payload("value", r.value));
        if (b.magic >= 2) {
            FieldNode hs = FieldNode::array("headers");
            for (const auto& h : r.headers) {
                FieldNode hn = FieldNode::object("");
                hn.children.push_back(FieldNode::string("key", h.key));
                hn.children.push_back(payload("value", h.value));
                hs.children.push_back(std::move(hn));
            }
            rn.children.push_back(std::move(hs));
        }
        recs.children.push_back(std::move(rn));
    }
    n.children.push_back(std::move(recs));
    return n;
}

}  // namespace

FieldNode FieldNode::records(std::string name, const RecordsField& v) {
    if (!v.data) return null(std::move(name));
    FieldNode n = object(std::move(name));
    n.children.push_back(number("size", static_cast<int64_t>(v.data->size())));
    auto set = decode_records(*v.data);
    if (!set) {
        n.children.push_back(string("error", set.error().message()));
        n.children.push_back(hex("raw", *v.data));
        return n;
    }
    FieldNode batches = array("batches");
    for (const auto& b : set->batches) batches.children.push_back(batch_node(b));
    n.children.push_back(std::move(batches));
    if (set->partial_tail)
        n.children.push_back(number("partial_tail_bytes", static_cast<int64_t>(v.data->size() - set->bytes_used)));
    return n;
}

}  // namespace kafka
