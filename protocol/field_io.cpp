#include "protocol/field_io.hpp"

namespace kafka {

// Tagged fields go out sorted by tag, known and unknown merged (KIP-482).
void Encoder::write_tags(TaggedFields& known, const TaggedFields& unknown) {
    if (unknown.empty() && known.empty()) {
        w_.uvarint(0);
        return;
    }
    TaggedFields all = known;
    all.insert(all.end(), unknown.begin(), unknown.end());
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.tag < b.tag; });
    for (size_t i = 1; i < all.size(); ++i)
        if (all[i].tag == all[i - 1].tag) w_.fail(client_errc::invalid_argument);  // duplicate tag
    w_.uvarint(static_cast<uint32_t>(all.size()));
    for (const auto& t : all) {
        w_.uvarint(t.tag);
        w_.uvarint(static_cast<uint32_t>(t.data.size()));
        w_.raw(t.data);
    }
}

void Decoder::read_tags(PendingTags& pending, TaggedFields& unknown) {
    uint32_t count = r_.uvarint();
    if (!r_.ok()) return note_error("_tagged_fields");
    unknown.clear();
    int64_t last = -1;
    for (uint32_t i = 0; i < count && r_.ok(); ++i) {
        uint32_t tag = r_.uvarint();
        uint32_t size = r_.uvarint();
        if (!r_.ok()) return note_error("_tagged_fields");
        if (static_cast<int64_t>(tag) <= last) {  // tags must be strictly ascending
            r_.fail(client_errc::malformed);
            return note_error("_tagged_fields");
        }
        last = tag;
        ByteView body = r_.take(size);
        if (!r_.ok()) return note_error("_tagged_fields");
        auto* end = pending.items + pending.count;
        auto* it = std::find_if(pending.items, end, [&](const PendingTag& p) { return p.tag == tag; });
        if (it == end) {
            unknown.push_back({tag, Bytes(body.begin(), body.end())});
            continue;
        }
        // A known tag is decoded from its own slice and must use all of it.
        Reader sub(body);
        Decoder d(sub, version_, true);
        d.path_ = path_;
        it->read(d, it->name, it->value);
        if (sub.finish()) {
            r_.fail(sub.error());
            error_field_ = d.error_field_.empty() ? std::string(it->name) : d.error_field_;
            return;
        }
    }
}

void Decoder::note_error(const char* name, int index) {
    if (!error_field_.empty()) return;
    std::string path;
    for (const auto& p : path_) {
        if (p.name[0] != '\0') {
            if (!path.empty()) path += '.';
            path += p.name;
        }
        if (p.index >= 0) path += "[" + std::to_string(p.index) + "]";
    }
    if (name && name[0] != '\0') {
        if (!path.empty()) path += '.';
        path += name;
    }
    if (index >= 0) path += "[" + std::to_string(index) + "]";
    error_field_ = path.empty() ? std::string("(message)") : path;
}

}  // namespace kafka
