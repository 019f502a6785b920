#include "protocol/kcap.hpp"

#include <cctype>

#include "protocol/api_names.hpp"
#include "protocol/field_node.hpp"

namespace kafka {
namespace {

std::vector<std::string_view> split_ws(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

bool parse_int(std::string_view s, int64_t& out) {
    if (s.empty()) return false;
    bool neg = s[0] == '-';
    size_t i = neg ? 1 : 0;
    if (i == s.size()) return false;
    int64_t v = 0;
    for (; i < s.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        v = v * 10 + (s[i] - '0');
        if (v > (int64_t{1} << 40)) return false;
    }
    out = neg ? -v : v;
    return true;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Result<Bytes> parse_hex(std::string_view hex) {
    Bytes out;
    out.reserve(hex.size() / 2);
    int hi = -1;
    for (size_t i = 0; i < hex.size(); ++i) {
        char c = hex[i];
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (c == '0' && i + 1 < hex.size() && (hex[i + 1] == 'x' || hex[i + 1] == 'X') && hi < 0) {
            ++i;
            continue;
        }
        int d = hex_digit(c);
        if (d < 0) return client_errc::malformed;
        if (hi < 0) {
            hi = d;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | d));
            hi = -1;
        }
    }
    if (hi >= 0) return client_errc::truncated;  // odd number of digits
    return out;
}

Result<KcapFile> parse_kcap(std::string_view text, size_t* error_line) {
    KcapFile file;
    size_t line_no = 0;
    size_t pos = 0;
    auto fail = [&](client_errc e) -> Result<KcapFile> {
        if (error_line) *error_line = line_no;
        return e;
    };
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (line[0] == '#') {
            line.remove_prefix(1);
            if (!line.empty() && line[0] == ' ') line.remove_prefix(1);
            file.comments.emplace_back(line);
            continue;
        }
        auto parts = split_ws(line);
        if (line[0] == '@') {
            if (parts.size() < 2 || parts[0] != "@conn") return fail(client_errc::malformed);
            KcapConn c;
            int64_t id;
            if (!parse_int(parts[1], id)) return fail(client_errc::malformed);
            c.id = static_cast<int>(id);
            for (size_t i = 2; i < parts.size(); ++i) {
                if (parts[i].substr(0, 7) == "client=") c.client = std::string(parts[i].substr(7));
                if (parts[i].substr(0, 7) == "broker=") c.broker = std::string(parts[i].substr(7));
            }
            file.conns.push_back(std::move(c));
            continue;
        }
        if ((line[0] != '>' && line[0] != '<') || parts.size() != 6) return fail(client_errc::malformed);
        KcapFrame f;
        f.line = line_no;
        f.request = line[0] == '>';
        int64_t n;
        if (!parse_int(parts[1], n)) return fail(client_errc::malformed);
        f.conn = static_cast<int>(n);
        f.api_name = std::string(parts[2]);
        f.api_key = api_key_from_name(f.api_name);
        if (parts[3].size() < 2 || parts[3][0] != 'v' || !parse_int(parts[3].substr(1), n)) return fail(client_errc::malformed);
        f.version = static_cast<int16_t>(n);
        if (parts[4].substr(0, 5) != "corr=" || !parse_int(parts[4].substr(5), n)) return fail(client_errc::malformed);
        f.correlation_id = static_cast<int32_t>(n);
        auto bytes = parse_hex(parts[5]);
        if (!bytes) return fail(client_errc::malformed);
        f.bytes = std::move(*bytes);
        file.frames.push_back(std::move(f));
    }
    return file;
}

std::string format_kcap_conn(const KcapConn& c) {
    return "@conn " + std::to_string(c.id) + " client=" + c.client + " broker=" + c.broker;
}

std::string format_kcap_frame(const KcapFrame& f) {
    std::string s;
    s += f.request ? "> " : "< ";
    s += std::to_string(f.conn) + " " + (f.api_name.empty() ? std::string(api_name(f.api_key)) : f.api_name);
    s += " v" + std::to_string(f.version) + " corr=" + std::to_string(f.correlation_id) + " ";
    s += to_hex(f.bytes);
    return s;
}

}  // namespace kafka
