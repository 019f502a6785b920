// Options of the network layer, with the names Kafka clients and kcat use, so a
// `key=value` line from a kcat or librdkafka config file works as it is.
//
//   bootstrap.servers                      host:port,host:port,...
//   client.id                              sent in every request header
//   security.protocol                      PLAINTEXT | SASL_PLAINTEXT
//   sasl.mechanism (or sasl.mechanisms)    PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512
//   sasl.username, sasl.password
//   request.timeout.ms                     per request, from submission to response
//   socket.connection.setup.timeout.ms     resolve + TCP connect
//   receive.message.max.bytes              cap on one response frame
//   max.in.flight.requests.per.connection  (max.in.flight too)
//   reconnect.backoff.ms, reconnect.backoff.max.ms
//   metadata.max.age.ms (topic.metadata.refresh.interval.ms too)
//   allow.auto.create.topics
//   debug                                  a list; "protocol" (or "all") turns the trace on
//
// The password is never printed: describe() masks it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "protocol/errors.hpp"
#include "protocol/result.hpp"

namespace kafka::net {

// Which of a broker's connections a request goes on. Separate connections keep
// a long-poll Fetch or a JoinGroup from starving Metadata and heartbeats.
enum class Purpose : uint8_t { general = 0, fetch = 1, group = 2 };
inline constexpr int kPurposeCount = 3;
const char* purpose_name(Purpose p) noexcept;

enum class SaslMechanism : uint8_t { plain, scram_sha_256, scram_sha_512 };
const char* sasl_mechanism_name(SaslMechanism m) noexcept;  // Kafka's name: "SCRAM-SHA-256"

struct SaslConfig {
    SaslMechanism mechanism = SaslMechanism::plain;
    std::string username;
    std::string password;
    // SCRAM's client nonce. Empty (always, outside tests): 32 random
    // characters. A fixed one lets a test replay RFC 7677's exchange through
    // a whole connection. Not a configuration key. (The `{}` keeps
    // SaslConfig{mechanism, user, password} free of missing-initializer warnings.)
    std::string scram_client_nonce{};
};

struct ConnectionOptions {
    std::string client_id = "kafka-cpp";
    std::string client_software_name = "kafka-cpp";  // ApiVersions v3+ (KIP-511)
    std::string client_software_version = "0.1.0";
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds request_timeout{30000};
    size_t max_response_size = 100000000;  // receive.message.max.bytes
    size_t max_in_flight = 5;
    std::optional<SaslConfig> sasl;  // set: SASL_PLAINTEXT
};

struct NetConfig {
    std::vector<std::string> bootstrap_servers;  // "host:port"
    ConnectionOptions connection;
    std::chrono::milliseconds reconnect_backoff{100};
    std::chrono::milliseconds reconnect_backoff_max{10000};
    std::chrono::milliseconds metadata_max_age{300000};
    bool allow_auto_create_topics = true;
    bool trace_protocol = false;

    // Applies one option. Returns false when the key is not a net option (the
    // caller may own it); `ec` is set to invalid_config for a bad value.
    bool set(std::string_view key, std::string_view value, std::error_code& ec);
    // Reads `key=value` lines ('#' comments and blank lines skipped). Keys
    // that are not net options are returned in `unknown` when given, and are
    // an error otherwise. `error` gets a message that never holds a value.
    static Result<NetConfig> parse(std::string_view text,
                                   std::vector<std::pair<std::string, std::string>>* unknown = nullptr,
                                   std::string* error = nullptr);
    // Settings as key=value lines, sasl.password masked.
    std::string describe() const;
    // True when KAFKA_TRACE=1 is in the environment.
    static bool trace_from_env();
};

// Splits "host:port", "[v6addr]:port" or a bare IPv6 address with a port after
// the last ':'. Fails on a missing or bad port.
struct HostPort {
    std::string host;
    uint16_t port = 0;
};
Result<HostPort> parse_host_port(std::string_view s);

}  // namespace kafka::net
