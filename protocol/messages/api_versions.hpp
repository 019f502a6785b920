// ApiVersions (key 18): which API versions a broker supports. KIP-511 adds the
// client software name/version in v3; v3+ is flexible.
#pragma once

#include <string>
#include <vector>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct ApiVersionsResponse;

struct ApiVersionsRequest {
    static constexpr ApiKey key{18};
    static constexpr const char* name = "ApiVersions";
    static constexpr VersionRange versions{0, 4};
    static constexpr int16_t first_flexible = 3;
    using response_type = ApiVersionsResponse;

    std::string client_software_name;     // v3+
    std::string client_software_version;  // v3+
    TaggedFields unknown_tags;            // v3+, kept verbatim

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("client_software_name", client_software_name, v >= 3);
        io.field("client_software_version", client_software_version, v >= 3);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<ApiVersionsRequest> decode(Reader& r, int16_t version);
};

struct ApiVersionsResponse {
    static constexpr ApiKey key{18};
    static constexpr const char* name = "ApiVersions";
    static constexpr VersionRange versions = ApiVersionsRequest::versions;
    static constexpr int16_t first_flexible = ApiVersionsRequest::first_flexible;

    struct ApiVersion {
        int16_t api_key = 0;
        int16_t min_version = 0;
        int16_t max_version = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("api_key", api_key);
            io.field("min_version", min_version);
            io.field("max_version", max_version);
        }
    };
    struct SupportedFeatureKey {
        std::string name;
        int16_t min_version = 0;
        int16_t max_version = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("min_version", min_version);
            io.field("max_version", max_version);
        }
    };
    struct FinalizedFeatureKey {
        std::string name;
        int16_t max_version_level = 0;
        int16_t min_version_level = 0;
        TaggedFields unknown_tags;

        template <class IO>
        void io(IO& io) {
            io.field("name", name);
            io.field("max_version_level", max_version_level);
            io.field("min_version_level", min_version_level);
        }
    };

    int16_t error_code = 0;
    std::vector<ApiVersion> api_keys;
    int32_t throttle_time_ms = 0;                       // v1+
    std::vector<SupportedFeatureKey> supported_features;  // v3+, tag 0
    int64_t finalized_features_epoch = -1;              // v3+, tag 1
    std::vector<FinalizedFeatureKey> finalized_features;  // v3+, tag 2
    bool zk_migration_ready = false;                    // v3+, tag 3
    TaggedFields unknown_tags;

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("error_code", error_code);
        io.field("api_keys", api_keys);
        io.field("throttle_time_ms", throttle_time_ms, v >= 1);
        io.tagged(0, "supported_features", supported_features, v >= 3);
        io.tagged(1, "finalized_features_epoch", finalized_features_epoch, v >= 3, int64_t{-1});
        io.tagged(2, "finalized_features", finalized_features, v >= 3);
        io.tagged(3, "zk_migration_ready", zk_migration_ready, v >= 3);
    }

    // The range the broker supports for `api_key`, if it lists it.
    const ApiVersion* find(int16_t api_key) const;

    void encode(Writer& w, int16_t version) const;
    static Result<ApiVersionsResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
