// Client settings as Kafka names them ("linger.ms", "group.id"...), given as
// key=value pairs like kafka-python keyword arguments, kcat's -X flags, or a
// .properties file. Each component takes the keys it knows and reports the
// rest, so a typo is an error rather than silently ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "protocol/result.hpp"

namespace kafka {

class Properties {
public:
    Properties() = default;
    Properties(std::initializer_list<std::pair<const std::string, std::string>> kv) : values_(kv) {}

    Properties& set(std::string key, std::string value) {
        values_[std::move(key)] = std::move(value);
        return *this;
    }
    bool has(const std::string& key) const { return values_.count(key) != 0; }
    std::optional<std::string> get(const std::string& key) const;
    const std::map<std::string, std::string>& all() const { return values_; }

    // "key=value" (the first '=' splits).
    std::error_code set_line(std::string_view line);
    // Lines of key=value; '#' and '!' comments and blank lines skipped.
    static Result<Properties> parse(std::string_view text, std::string* error = nullptr);

    // Typed reads with a default. A present but malformed value sets `error`
    // (naming the key, never the value) and returns the default.
    std::string string(const std::string& key, const std::string& dflt) const;
    int64_t integer(const std::string& key, int64_t dflt, std::string* error, int64_t min = INT64_MIN,
                    int64_t max = INT64_MAX) const;
    bool boolean(const std::string& key, bool dflt, std::string* error) const;
    std::chrono::milliseconds millis(const std::string& key, int64_t dflt_ms, std::string* error) const {
        return std::chrono::milliseconds(integer(key, dflt_ms, error, 0));
    }
    // Comma-separated, trimmed, empties dropped.
    std::vector<std::string> list(const std::string& key, const std::vector<std::string>& dflt = {}) const;

    // Keys not in `known`.
    std::vector<std::string> unknown_keys(const std::set<std::string>& known) const;

private:
    std::map<std::string, std::string> values_;
};

}  // namespace kafka
