// DescribeConfigs (key 32): the configuration of topics, brokers and other
// resources. v1 adds synonyms and config_source (KIP-226, replacing
// is_default), v3 adds config types and documentation (KIP-569), v4+ is
// flexible. Kafka 4.x accepts v1+ (KIP-896).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct DescribeConfigsResponse;

// Values of resource_type.
inline constexpr int8_t kConfigResourceTopic = 2;
inline constexpr int8_t kConfigResourceBroker = 4;
inline constexpr int8_t kConfigResourceBrokerLogger = 8;

struct DescribeConfigsRequest {
    static constexpr ApiKey key{32};
    static constexpr const char* name = "DescribeConfigs";
    static constexpr VersionRange versions{0, 4};
    static constexpr int16_t first_flexible = 4;
    using response_type = DescribeConfigsResponse;

    struct Resource {
        int8_t resource_type = 0;
        std::string resource_name;
        std::optional<std::vector<std::string>> configuration_keys;  // null = all
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("resource_type", resource_type);
            io.field("resource_name", resource_name);
            io.field("configuration_keys", configuration_keys, true, Nullable{true});
        }
    };

    std::vector<Resource> resources;
    bool include_synonyms = false;       // v1+
    bool include_documentation = false;  // v3+
    TaggedFields unknown_tags;           // v4+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("resources", resources);
        io.field("include_synonyms", include_synonyms, v >= 1);
        io.field("include_documentation", include_documentation, v >= 3);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<DescribeConfigsRequest> decode(Reader& r, int16_t version);
};

struct DescribeConfigsResponse {
    static constexpr ApiKey key{32};
    static constexpr const char* name = "DescribeConfigs";
    static constexpr VersionRange versions = DescribeConfigsRequest::versions;
    static constexpr int16_t first_flexible = DescribeConfigsRequest::first_flexible;

    struct Synonym {
        std::string name;
        std::optional<std::string> value;
        int8_t source = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("value", value, true, Nullable{true});
            io.field("source", source);
        }
    };
    struct Config {
        std::string name;
        std::optional<std::string> value;
        bool read_only = false;
        bool is_default = false;                   // v0 only
        int8_t config_source = -1;                 // v1+
        bool is_sensitive = false;
        std::vector<Synonym> synonyms;             // v1+
        int8_t config_type = 0;                    // v3+
        std::optional<std::string> documentation;  // v3+
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            const int16_t v = io.version();
            io.field("name", name);
            io.field("value", value, true, Nullable{true});
            io.field("read_only", read_only);
            io.field("is_default", is_default, v == 0);
            io.field("config_source", config_source, v >= 1, int8_t{-1});
            io.field("is_sensitive", is_sensitive);
            io.field("synonyms", synonyms, v >= 1);
            io.field("config_type", config_type, v >= 3);
            io.field("documentation", documentation, v >= 3, Nullable{true});
        }
    };
    struct ResourceResult {
        int16_t error_code = 0;
        std::optional<std::string> error_message;
        int8_t resource_type = 0;
        std::string resource_name;
        std::vector<Config> configs;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("error_code", error_code);
            io.field("error_message", error_message, true, Nullable{true});
            io.field("resource_type", resource_type);
            io.field("resource_name", resource_name);
            io.field("configs", configs);
        }
    };

    int32_t throttle_time_ms = 0;
    std::vector<ResourceResult> results;
    TaggedFields unknown_tags;  // v4+

    template <class IO>
    void io(IO& io) {
        io.field("throttle_time_ms", throttle_time_ms);
        io.field("results", results);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<DescribeConfigsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
