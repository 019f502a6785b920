// A decoded message as a tree of named fields: what `kcli decode`, the
// protocol trace and the replay broker's diffs print, as text or JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "protocol/types.hpp"

namespace kafka {

struct FieldNode {
    enum class Kind { number, boolean, string, bytes, null, object, array };

    std::string name;  // empty for array elements
    Kind kind = Kind::object;
    std::string text;  // number/boolean as printed; string raw; bytes as hex
    int64_t tag = -1;  // tagged fields carry their tag
    std::vector<FieldNode> children;

    static FieldNode object(std::string name) { return make(std::move(name), Kind::object, {}); }
    static FieldNode array(std::string name) { return make(std::move(name), Kind::array, {}); }
    static FieldNode null(std::string name) { return make(std::move(name), Kind::null, {}); }
    static FieldNode string(std::string name, std::string v) { return make(std::move(name), Kind::string, std::move(v)); }
    static FieldNode hex(std::string name, ByteView v);
    static FieldNode number(std::string name, int64_t v) { return make(std::move(name), Kind::number, std::to_string(v)); }

    template <class T>
    static FieldNode scalar(std::string name, const T& v) {
        if constexpr (std::is_same_v<T, bool>) return make(std::move(name), Kind::boolean, v ? "true" : "false");
        else if constexpr (std::is_integral_v<T>) return number(std::move(name), static_cast<int64_t>(v));
        else if constexpr (std::is_floating_point_v<T>) return make(std::move(name), Kind::number, format_double(v));
        else if constexpr (std::is_same_v<T, std::string>) return string(std::move(name), v);
        else if constexpr (std::is_same_v<T, Uuid>) return string(std::move(name), v.to_string());
        else if constexpr (std::is_same_v<T, Bytes>) return hex(std::move(name), v);
        else if constexpr (std::is_same_v<T, RecordsField>) return records(std::move(name), v);
        else static_assert(sizeof(T) == 0, "no printer for this field type");
    }
    // The records field decoded down to each record (protocol/describe_records.cpp).
    static FieldNode records(std::string name, const RecordsField& v);

    // Finds a direct child by name; nullptr when absent.
    const FieldNode* find(const std::string& child) const;

private:
    static FieldNode make(std::string name, Kind kind, std::string text) {
        FieldNode n;
        n.name = std::move(name);
        n.kind = kind;
        n.text = std::move(text);
        return n;
    }
    static std::string format_double(double d);
};

// Indented "name: value" lines; long bytes are cut to `max_bytes` hex bytes.
std::string render_text(const FieldNode& node, int indent = 0, size_t max_bytes = 64);
// One JSON value (objects for structs, arrays, strings, numbers; bytes as hex strings).
std::string render_json(const FieldNode& node);
// Appends `s` to `out` as a JSON string: quotes, \" \\ \n \r \t \b \f, \u00XX
// for other control bytes; other bytes (UTF-8) pass through.
void append_json_string(std::string& out, std::string_view s);
// Quotes a string for JSON.
std::string json_quote(std::string_view s);
std::string to_hex(ByteView v);

}  // namespace kafka
