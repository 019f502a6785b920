#include "protocol/field_node.hpp"

#include <cstdio>

namespace kafka {

std::string to_hex(ByteView v) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(v.size * 2);
    for (uint8_t b : v) {
        s.push_back(digits[b >> 4]);
        s.push_back(digits[b & 15]);
    }
    return s;
}

FieldNode FieldNode::hex(std::string name, ByteView v) { return make(std::move(name), Kind::bytes, to_hex(v)); }

std::string FieldNode::format_double(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

const FieldNode* FieldNode::find(const std::string& child) const {
    for (const auto& c : children)
        if (c.name == child) return &c;
    return nullptr;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

std::string json_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_json_string(out, s);
    return out;
}

namespace {

// Text strings are shown quoted, with control bytes escaped, so that what is
// on the wire can be read off exactly.
std::string text_value(const FieldNode& n, size_t max_bytes) {
    switch (n.kind) {
    case FieldNode::Kind::string: return json_quote(n.text);
    case FieldNode::Kind::bytes:
        if (n.text.size() > max_bytes * 2)
            return "0x" + n.text.substr(0, max_bytes * 2) + "... (" + std::to_string(n.text.size() / 2) + " bytes)";
        return n.text.empty() ? std::string("(0 bytes)") : "0x" + n.text;
    case FieldNode::Kind::null: return "null";
    default: return n.text;
    }
}

void render_text_into(std::string& out, const FieldNode& n, int indent, size_t max_bytes, const std::string& label) {
    out.append(static_cast<size_t>(indent) * 2, ' ');
    out += label;
    if (n.tag >= 0) out += " (tag " + std::to_string(n.tag) + ")";
    if (n.kind == FieldNode::Kind::object || n.kind == FieldNode::Kind::array) {
        if (n.kind == FieldNode::Kind::array && n.children.empty()) {
            out += ": []\n";
            return;
        }
        out += ":\n";
        for (size_t i = 0; i < n.children.size(); ++i) {
            const auto& c = n.children[i];
            std::string child_label = c.name.empty() ? "[" + std::to_string(i) + "]" : c.name;
            render_text_into(out, c, indent + 1, max_bytes, child_label);
        }
        return;
    }
    out += ": " + text_value(n, max_bytes) + "\n";
}

void render_json_into(std::string& out, const FieldNode& n) {
    switch (n.kind) {
    case FieldNode::Kind::number:
    case FieldNode::Kind::boolean: out += n.text; return;
    case FieldNode::Kind::null: out += "null"; return;
    case FieldNode::Kind::string:
    case FieldNode::Kind::bytes: out += json_quote(n.text); return;
    case FieldNode::Kind::array:
        out.push_back('[');
        for (size_t i = 0; i < n.children.size(); ++i) {
            if (i) out.push_back(',');
            render_json_into(out, n.children[i]);
        }
        out.push_back(']');
        return;
    case FieldNode::Kind::object:
        out.push_back('{');
        for (size_t i = 0; i < n.children.size(); ++i) {
            if (i) out.push_back(',');
            const auto& c = n.children[i];
            out += json_quote(c.name.empty() ? std::to_string(i) : c.name);
            out.push_back(':');
            render_json_into(out, c);
        }
        out.push_back('}');
        return;
    }
}

}  // namespace

std::string render_text(const FieldNode& node, int indent, size_t max_bytes) {
    std::string out;
    if (node.kind == FieldNode::Kind::object && node.name.empty()) {
        for (size_t i = 0; i < node.children.size(); ++i) {
            const auto& c = node.children[i];
            render_text_into(out, c, indent, max_bytes, c.name.empty() ? "[" + std::to_string(i) + "]" : c.name);
        }
        return out;
    }
    render_text_into(out, node, indent, max_bytes, node.name);
    return out;
}

std::string render_json(const FieldNode& node) {
    std::string out;
    render_json_into(out, node);
    return out;
}

}  // namespace kafka
