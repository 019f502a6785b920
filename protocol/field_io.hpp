// The three walkers that every message's field list is run through.
//
// Each message struct lists its fields once, in wire order, in a member
//     template <class IO> void io(IO& io);
// with one call per field:  io.field("throttle_time_ms", throttle_time_ms, v >= 1);
// The third argument says whether the field exists at the version being
// walked. The same list is then walked by
//   - Encoder: writes the fields (and rejects a non-default value in a field
//     the version lacks: data is never dropped silently);
//   - Decoder: reads them, naming the field and offset of the first error;
//   - Describer: turns them into a FieldNode tree that kcli decode, the
//     protocol trace and the replay broker print.
//
// Flexible versions (KIP-482) are decided once per message: compact strings,
// arrays and bytes, and a tagged-field section at the end of every struct.
// Tagged fields are declared with io.tagged(tag, name, value, present);
// unknown ones are kept verbatim in the struct's `unknown_tags` and written back.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "protocol/field_node.hpp"
#include "protocol/reader.hpp"
#include "protocol/result.hpp"
#include "protocol/writer.hpp"

namespace kafka {

// first_flexible of a message that has no flexible version.
inline constexpr int16_t kNeverFlexible = 0x7fff;

// Marks, for an optional (nullable) field, whether null is allowed at this version.
struct Nullable {
    bool value;
};

namespace detail {

template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <class T> struct is_optional_vector : std::false_type {};
template <class T> struct is_optional_vector<std::optional<std::vector<T>>> : std::true_type {};

// Scalars are read and written by primitives; everything else with an io()
// member is a struct.
template <class T>
constexpr bool is_scalar_v = std::is_arithmetic_v<T> || std::is_same_v<T, std::string> ||
                             std::is_same_v<T, Uuid> || std::is_same_v<T, Bytes> ||
                             std::is_same_v<T, std::optional<std::string>> ||
                             std::is_same_v<T, std::optional<Bytes>> || std::is_same_v<T, RecordsField>;

template <class T>
void write_scalar(Writer& w, const T& v, bool flex) {
    if constexpr (std::is_same_v<T, bool>) w.boolean(v);
    else if constexpr (std::is_same_v<T, int8_t>) w.i8(v);
    else if constexpr (std::is_same_v<T, int16_t>) w.i16(v);
    else if constexpr (std::is_same_v<T, uint16_t>) w.u16(v);
    else if constexpr (std::is_same_v<T, int32_t>) w.i32(v);
    else if constexpr (std::is_same_v<T, uint32_t>) w.u32(v);
    else if constexpr (std::is_same_v<T, int64_t>) w.i64(v);
    else if constexpr (std::is_same_v<T, double>) w.f64(v);
    else if constexpr (std::is_same_v<T, Uuid>) w.uuid(v);
    else if constexpr (std::is_same_v<T, std::string>) w.string(v, flex);
    else if constexpr (std::is_same_v<T, std::optional<std::string>>) w.nullable_string(v, flex);
    else if constexpr (std::is_same_v<T, Bytes>) w.bytes(v, flex);
    else if constexpr (std::is_same_v<T, std::optional<Bytes>>) w.nullable_bytes(v, flex);
    else if constexpr (std::is_same_v<T, RecordsField>) w.nullable_bytes(v.data, flex);
    else static_assert(sizeof(T) == 0, "not a scalar field type");
}

template <class T>
void read_scalar(Reader& r, T& v, bool flex) {
    if constexpr (std::is_same_v<T, bool>) v = r.boolean();
    else if constexpr (std::is_same_v<T, int8_t>) v = r.i8();
    else if constexpr (std::is_same_v<T, int16_t>) v = r.i16();
    else if constexpr (std::is_same_v<T, uint16_t>) v = r.u16();
    else if constexpr (std::is_same_v<T, int32_t>) v = r.i32();
    else if constexpr (std::is_same_v<T, uint32_t>) v = r.u32();
    else if constexpr (std::is_same_v<T, int64_t>) v = r.i64();
    else if constexpr (std::is_same_v<T, double>) v = r.f64();
    else if constexpr (std::is_same_v<T, Uuid>) v = r.uuid();
    else if constexpr (std::is_same_v<T, std::string>) v = r.string(flex);
    else if constexpr (std::is_same_v<T, std::optional<std::string>>) v = r.nullable_string(flex);
    else if constexpr (std::is_same_v<T, Bytes>) v = r.bytes(flex);
    else if constexpr (std::is_same_v<T, std::optional<Bytes>>) v = r.nullable_bytes(flex);
    else if constexpr (std::is_same_v<T, RecordsField>) v.data = r.nullable_bytes(flex);
    else static_assert(sizeof(T) == 0, "not a scalar field type");
}

}  // namespace detail

class Encoder;
namespace detail {
// Whether a field still holds its default. Scalars compare; arrays are at their
// default when empty; structs compare by their encoding.
template <class T>
bool is_default(const T& v, const T& dflt, int16_t version);
}  // namespace detail

// ---------------------------------------------------------------------------
class Encoder {
public:
    Encoder(Writer& w, int16_t version, bool flex) : w_(w), version_(version), flex_(flex) {}
    int16_t version() const { return version_; }
    bool flex() const { return flex_; }

    template <class T>
    void field(const char* name, T& v, bool present = true, const T& dflt = T{}) {
        if (!present) {
            if (!detail::is_default(v, dflt, version_)) reject(name);
            return;
        }
        put(v);
    }
    template <class T>
    void field(const char* name, std::optional<T>& v, bool present, Nullable nullable) {
        if (!present) {
            if (v) reject(name);
            return;
        }
        if (!v && !nullable.value) reject(name);
        put(v);
    }
    template <class T>
    void tagged(uint32_t tag, const char* /*name*/, T& v, bool present = true, const T& dflt = T{}) {
        if (!present || !flex_) {
            if (!detail::is_default(v, dflt, version_)) fail_field();
            return;
        }
        if (detail::is_default(v, dflt, version_)) return;  // tagged fields at their default are omitted
        Writer tw;
        Encoder sub(tw, version_, true);
        sub.put(v);
        if (!tw.ok()) w_.fail(tw.error());
        tags_->push_back({tag, tw.take()});
    }

    template <class S>
    void object(S& s) {
        TaggedFields tags;
        TaggedFields* outer = tags_;
        tags_ = &tags;
        s.io(*this);
        tags_ = outer;
        if (flex_) write_tags(tags, s.unknown_tags);
        else if (!s.unknown_tags.empty()) fail_field();  // tags exist only in flexible versions
    }

private:
    template <class T>
    friend bool detail::is_default(const T&, const T&, int16_t);

    template <class T>
    void put(T& v) {
        if constexpr (detail::is_scalar_v<T>) {
            detail::write_scalar(w_, v, flex_);
        } else if constexpr (detail::is_vector<T>::value) {
            w_.array_length(static_cast<int32_t>(v.size()), flex_);
            for (auto& e : v) put(e);
        } else if constexpr (detail::is_optional_vector<T>::value) {
            // std::optional<std::vector<...>>: a nullable array
            if (!v) w_.array_length(-1, flex_);
            else put(*v);
        } else {
            object(v);
        }
    }
    void reject(const char*) { fail_field(); }
    void fail_field() { w_.fail(client_errc::field_not_in_version); }
    void write_tags(TaggedFields& known, const TaggedFields& unknown);

    Writer& w_;
    int16_t version_;
    bool flex_;
    TaggedFields* tags_ = nullptr;
};

// ---------------------------------------------------------------------------
class Decoder {
public:
    Decoder(Reader& r, int16_t version, bool flex) : r_(r), version_(version), flex_(flex) {}
    int16_t version() const { return version_; }
    bool flex() const { return flex_; }
    // Dotted path of the field where the first error happened ("topics[1].name").
    const std::string& error_field() const { return error_field_; }

    template <class T>
    void field(const char* name, T& v, bool present = true, const T& = T{}) {
        if (!present || !r_.ok()) return;
        get(name, v);
    }
    template <class T>
    void field(const char* name, std::optional<T>& v, bool present, Nullable) {
        if (!present || !r_.ok()) return;
        get(name, v);
    }
    template <class T>
    void tagged(uint32_t tag, const char* name, T& v, bool present = true, const T& = T{}) {
        if (!present || !flex_) return;
        if (pending_->count == PendingTags::kMax) {  // more tagged fields than any schema declares
            r_.fail(client_errc::unsupported_version);
            return note_error(name);
        }
        pending_->items[pending_->count++] = {tag, name, &v,
                                              [](Decoder& d, const char* n, void* p) { d.get(n, *static_cast<T*>(p)); }};
    }

    template <class S>
    void object(S& s) {
        PendingTags pending;  // on the stack: decoding a struct allocates nothing for its tags
        auto* outer = pending_;
        pending_ = &pending;
        s.io(*this);
        pending_ = outer;
        if (flex_ && r_.ok()) read_tags(pending, s.unknown_tags);
    }

    // Records the path for the first error; called when the reader fails.
    void note_error(const char* name, int index = -1);

private:
    struct PendingTag {
        uint32_t tag;
        const char* name;
        void* value;
        void (*read)(Decoder&, const char*, void*);
    };
    struct PendingTags {
        static constexpr size_t kMax = 8;
        PendingTag items[kMax];
        size_t count = 0;
    };

    template <class T>
    void get(const char* name, T& v) {
        if constexpr (detail::is_scalar_v<T>) {
            detail::read_scalar(r_, v, flex_);
            if (!r_.ok()) note_error(name);
        } else if constexpr (detail::is_vector<T>::value) {
            const Reader before = r_;
            int32_t n = r_.array_length(flex_);
            if (!r_.ok()) return note_error(name);
            if (n < 0) {  // null where the schema does not allow it
                r_ = before;
                r_.fail(client_errc::malformed);
                return note_error(name);
            }
            v.clear();
            if (n == 0) return;
            v.resize(static_cast<size_t>(n));
            for (int32_t i = 0; i < n && r_.ok(); ++i) {
                path_.push_back({name, i});
                get("", v[static_cast<size_t>(i)]);
                path_.pop_back();
            }
        } else if constexpr (detail::is_optional_vector<T>::value) {
            // nullable array: peek the length to tell null from present
            Reader probe = r_;
            int32_t n = probe.array_length(flex_);
            if (!probe.ok()) {
                r_.array_length(flex_);
                return note_error(name);
            }
            if (n < 0) {
                r_ = probe;
                v.reset();
                return;
            }
            v.emplace();
            get(name, *v);
        } else {
            path_.push_back({name, -1});
            object(v);
            path_.pop_back();
        }
    }
    void read_tags(PendingTags& pending, TaggedFields& unknown);

    struct PathPart {
        const char* name;
        int index;
    };
    Reader& r_;
    int16_t version_;
    bool flex_;
    PendingTags* pending_ = nullptr;
    std::vector<PathPart> path_;
    std::string error_field_;
};

// ---------------------------------------------------------------------------
class Describer {
public:
    Describer(FieldNode& root, int16_t version, bool flex) : version_(version), flex_(flex) { stack_.push_back(&root); }
    int16_t version() const { return version_; }
    bool flex() const { return flex_; }

    template <class T>
    void field(const char* name, T& v, bool present = true, const T& = T{}) {
        if (present) add(name, v);
    }
    template <class T>
    void field(const char* name, std::optional<T>& v, bool present, Nullable) {
        if (present) add(name, v);
    }
    template <class T>
    void tagged(uint32_t tag, const char* name, T& v, bool present = true, const T& dflt = T{}) {
        if (present && flex_ && !detail::is_default(v, dflt, version_)) {
            add(name, v);
            stack_.back()->children.back().tag = static_cast<int64_t>(tag);
        }
    }
    template <class S>
    void object(S& s) {
        s.io(*this);
        if (flex_) {
            for (const auto& t : s.unknown_tags) {
                FieldNode n = FieldNode::hex("unknown_tag", t.data);
                n.tag = t.tag;
                stack_.back()->children.push_back(std::move(n));
            }
        }
    }

private:
    template <class T>
    void add(const char* name, T& v) {
        FieldNode& parent = *stack_.back();
        if constexpr (detail::is_vector<T>::value && !std::is_same_v<T, Bytes>) {
            FieldNode arr = FieldNode::array(name);
            parent.children.push_back(std::move(arr));
            stack_.push_back(&parent.children.back());
            for (auto& e : v) add("", e);
            stack_.pop_back();
        } else if constexpr (std::is_same_v<T, std::optional<std::string>> ||
                             std::is_same_v<T, std::optional<Bytes>>) {
            if (!v) parent.children.push_back(FieldNode::null(name));
            else add(name, *v);
        } else if constexpr (detail::is_scalar_v<T>) {
            parent.children.push_back(FieldNode::scalar(name, v));
        } else if constexpr (detail::is_optional_vector<T>::value) {
            if (!v) parent.children.push_back(FieldNode::null(name));
            else add(name, *v);
        } else {
            parent.children.push_back(FieldNode::object(name));
            stack_.push_back(&parent.children.back());
            object(v);
            stack_.pop_back();
        }
    }

    int16_t version_;
    bool flex_;
    std::vector<FieldNode*> stack_;
};

namespace detail {
template <class T>
bool is_default(const T& v, const T& dflt, int16_t version) {
    if constexpr (is_scalar_v<T>) {
        return v == dflt;
    } else if constexpr (is_vector<T>::value) {
        return v.empty() && dflt.empty();
    } else {
        Writer a, b;
        Encoder ea(a, version, true), eb(b, version, true);
        ea.put(const_cast<T&>(v));
        eb.put(const_cast<T&>(dflt));
        return a.buffer() == b.buffer();
    }
}
}  // namespace detail

// ---------------------------------------------------------------------------
// Drivers used by each message's encode()/decode()/describe().

template <class M>
void encode_fields(const M& m, Writer& w, int16_t version) {
    Encoder e(w, version, version >= M::first_flexible);
    e.object(const_cast<M&>(m));  // the Encoder only reads
}

template <class M>
Result<M> decode_fields(Reader& r, int16_t version, std::string* error_field = nullptr) {
    M m{};
    Decoder d(r, version, version >= M::first_flexible);
    d.object(m);
    if (!r.ok()) {
        if (error_field) *error_field = d.error_field();
        return r.error();
    }
    return m;
}

template <class M>
void describe_fields(const M& m, FieldNode& out, int16_t version) {
    Describer d(out, version, version >= M::first_flexible);
    d.object(const_cast<M&>(m));  // the Describer only reads
}

}  // namespace kafka
