#include "net/config.hpp"

#include <cstdlib>
#include <limits>

namespace kafka::net {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool parse_u64(std::string_view s, uint64_t& out) {
    s = trim(s);
    if (s.empty()) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        if (v > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

bool parse_ms(std::string_view s, std::chrono::milliseconds& out) {
    uint64_t v = 0;
    if (!parse_u64(s, v) || v > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) return false;
    out = std::chrono::milliseconds(static_cast<int64_t>(v));
    return true;
}

bool parse_bool(std::string_view s, bool& out) {
    s = trim(s);
    if (s == "true" || s == "1") out = true;
    else if (s == "false" || s == "0") out = false;
    else return false;
    return true;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
        if (x != y) return false;
    }
    return true;
}

SaslConfig& sasl_of(NetConfig& c) {
    if (!c.connection.sasl) c.connection.sasl.emplace();
    return *c.connection.sasl;
}

}  // namespace

const char* purpose_name(Purpose p) noexcept {
    switch (p) {
    case Purpose::general: return "general";
    case Purpose::fetch: return "fetch";
    case Purpose::group: return "group";
    }
    return "?";
}

const char* sasl_mechanism_name(SaslMechanism m) noexcept {
    switch (m) {
    case SaslMechanism::plain: return "PLAIN";
    case SaslMechanism::scram_sha_256: return "SCRAM-SHA-256";
    case SaslMechanism::scram_sha_512: return "SCRAM-SHA-512";
    }
    return "?";
}

Result<HostPort> parse_host_port(std::string_view s) {
    s = trim(s);
    HostPort hp;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
            return client_errc::invalid_config;
        hp.host = std::string(s.substr(1, close - 1));
        port = s.substr(close + 2);
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return client_errc::invalid_config;
        hp.host = std::string(s.substr(0, colon));
        port = s.substr(colon + 1);
    }
    uint64_t p = 0;
    if (hp.host.empty() || !parse_u64(port, p) || p == 0 || p > 65535) return client_errc::invalid_config;
    hp.port = static_cast<uint16_t>(p);
    return hp;
}

bool NetConfig::set(std::string_view key, std::string_view value, std::error_code& ec) {
    ec.clear();
    key = trim(key);
    value = trim(value);
    auto bad = [&] {
        ec = client_errc::invalid_config;
        return true;
    };
    uint64_t n = 0;
    if (key == "bootstrap.servers" || key == "metadata.broker.list") {
        std::vector<std::string> list;
        while (!value.empty()) {
            auto comma = value.find(',');
            auto item = trim(value.substr(0, comma));
            if (!item.empty()) {
                if (!parse_host_port(item)) return bad();
                list.emplace_back(item);
            }
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
        if (list.empty()) return bad();
        bootstrap_servers = std::move(list);
    } else if (key == "client.id") {
        connection.client_id = std::string(value);
    } else if (key == "security.protocol") {
        if (iequals(value, "PLAINTEXT")) connection.sasl.reset();
        else if (iequals(value, "SASL_PLAINTEXT")) sasl_of(*this);
        else return bad();  // SSL is not supported
    } else if (key == "sasl.mechanism" || key == "sasl.mechanisms") {
        SaslMechanism m;
        if (iequals(value, "PLAIN")) m = SaslMechanism::plain;
        else if (iequals(value, "SCRAM-SHA-256")) m = SaslMechanism::scram_sha_256;
        else if (iequals(value, "SCRAM-SHA-512")) m = SaslMechanism::scram_sha_512;
        else return bad();
        sasl_of(*this).mechanism = m;
    } else if (key == "sasl.username") {
        sasl_of(*this).username = std::string(value);
    } else if (key == "sasl.password") {
        sasl_of(*this).password = std::string(value);
    } else if (key == "request.timeout.ms" || key == "socket.timeout.ms") {
        if (!parse_ms(value, connection.request_timeout) || connection.request_timeout.count() == 0) return bad();
    } else if (key == "socket.connection.setup.timeout.ms") {
        if (!parse_ms(value, connection.connect_timeout) || connection.connect_timeout.count() == 0) return bad();
    } else if (key == "receive.message.max.bytes") {
        if (!parse_u64(value, n) || n < 1000 || n > 2147483647u) return bad();
        connection.max_response_size = static_cast<size_t>(n);
    } else if (key == "max.in.flight.requests.per.connection" || key == "max.in.flight") {
        if (!parse_u64(value, n) || n < 1 || n > 1000000) return bad();
        connection.max_in_flight = static_cast<size_t>(n);
    } else if (key == "reconnect.backoff.ms") {
        if (!parse_ms(value, reconnect_backoff)) return bad();
    } else if (key == "reconnect.backoff.max.ms") {
        if (!parse_ms(value, reconnect_backoff_max)) return bad();
    } else if (key == "metadata.max.age.ms" || key == "topic.metadata.refresh.interval.ms") {
        if (!parse_ms(value, metadata_max_age)) return bad();
    } else if (key == "allow.auto.create.topics") {
        if (!parse_bool(value, allow_auto_create_topics)) return bad();
    } else if (key == "debug") {
        bool on = false;
        while (!value.empty()) {
            auto comma = value.find(',');
            auto item = trim(value.substr(0, comma));
            if (item == "protocol" || item == "all") on = true;
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
        trace_protocol = on;
    } else {
        return false;
    }
    return true;
}

Result<NetConfig> NetConfig::parse(std::string_view text, std::vector<std::pair<std::string, std::string>>* unknown,
                                   std::string* error) {
    NetConfig c;
    size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        auto line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty() || line.front() == '#') continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            if (error) *error = "line " + std::to_string(line_no) + ": expected key=value";
            return client_errc::invalid_config;
        }
        auto key = trim(line.substr(0, eq));
        auto value = trim(line.substr(eq + 1));
        std::error_code ec;
        if (!c.set(key, value, ec)) {
            if (!unknown) {
                if (error) *error = "line " + std::to_string(line_no) + ": unknown option " + std::string(key);
                return client_errc::invalid_config;
            }
            unknown->emplace_back(std::string(key), std::string(value));
        } else if (ec) {
            // The value is not echoed: it might be a password.
            if (error) *error = "line " + std::to_string(line_no) + ": bad value for " + std::string(key);
            return ec;
        }
    }
    return c;
}

std::string NetConfig::describe() const {
    std::string out;
    auto line = [&](const char* k, const std::string& v) { out += std::string(k) + "=" + v + "\n"; };
    std::string servers;
    for (const auto& s : bootstrap_servers) servers += (servers.empty() ? "" : ",") + s;
    line("bootstrap.servers", servers);
    line("client.id", connection.client_id);
    line("security.protocol", connection.sasl ? "SASL_PLAINTEXT" : "PLAINTEXT");
    if (connection.sasl) {
        line("sasl.mechanism", sasl_mechanism_name(connection.sasl->mechanism));
        line("sasl.username", connection.sasl->username);
        line("sasl.password", "[redacted]");
    }
    line("request.timeout.ms", std::to_string(connection.request_timeout.count()));
    line("socket.connection.setup.timeout.ms", std::to_string(connection.connect_timeout.count()));
    line("receive.message.max.bytes", std::to_string(connection.max_response_size));
    line("max.in.flight.requests.per.connection", std::to_string(connection.max_in_flight));
    line("reconnect.backoff.ms", std::to_string(reconnect_backoff.count()));
    line("reconnect.backoff.max.ms", std::to_string(reconnect_backoff_max.count()));
    line("metadata.max.age.ms", std::to_string(metadata_max_age.count()));
    line("allow.auto.create.topics", allow_auto_create_topics ? "true" : "false");
    line("debug", trace_protocol ? "protocol" : "");
    return out;
}

bool NetConfig::trace_from_env() {
    const char* v = std::getenv("KAFKA_TRACE");
    return v && std::string_view(v) == "1";
}

}  // namespace kafka::net
