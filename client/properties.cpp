#include "client/properties.hpp"

#include <cerrno>
#include <cstdlib>

#include "protocol/errors.hpp"

namespace kafka {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::string> Properties::get(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::error_code Properties::set_line(std::string_view line) {
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return client_errc::invalid_config;
    auto key = trim(line.substr(0, eq));
    if (key.empty()) return client_errc::invalid_config;
    values_[std::string(key)] = std::string(trim(line.substr(eq + 1)));
    return {};
}

Result<Properties> Properties::parse(std::string_view text, std::string* error) {
    Properties p;
    size_t line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line[0] == '#' || line[0] == '!') continue;
        if (p.set_line(line)) {
            if (error) *error = "line " + std::to_string(line_no) + ": expected key=value";
            return client_errc::invalid_config;
        }
    }
    return p;
}

std::string Properties::string(const std::string& key, const std::string& dflt) const {
    auto v = get(key);
    return v ? *v : dflt;
}

int64_t Properties::integer(const std::string& key, int64_t dflt, std::string* error, int64_t min,
                            int64_t max) const {
    auto v = get(key);
    if (!v) return dflt;
    errno = 0;
    char* end = nullptr;
    long long n = std::strtoll(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || errno == ERANGE || n < min || n > max) {
        if (error && error->empty())
            *error = key + ": expected an integer" +
                     (min != INT64_MIN || max != INT64_MAX
                          ? " in [" + std::to_string(min) + ", " + std::to_string(max) + "]"
                          : std::string());
        return dflt;
    }
    return n;
}

bool Properties::boolean(const std::string& key, bool dflt, std::string* error) const {
    auto v = get(key);
    if (!v) return dflt;
    if (*v == "true" || *v == "1") return true;
    if (*v == "false" || *v == "0") return false;
    if (error && error->empty()) *error = key + ": expected true or false";
    return dflt;
}

std::vector<std::string> Properties::list(const std::string& key, const std::vector<std::string>& dflt) const {
    auto v = get(key);
    if (!v) return dflt;
    std::vector<std::string> out;
    std::string_view s = *v;
    while (true) {
        auto comma = s.find(',');
        auto item = trim(s.substr(0, comma));
        if (!item.empty()) out.emplace_back(item);
        if (comma == std::string_view::npos) break;
        s.remove_prefix(comma + 1);
    }
    return out;
}

std::vector<std::string> Properties::unknown_keys(const std::set<std::string>& known) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : values_)
        if (!known.count(k)) out.push_back(k);
    return out;
}

}  // namespace kafka
