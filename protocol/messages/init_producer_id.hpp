// InitProducerId (key 22): a producer id and epoch for idempotent or
// transactional producing (KIP-98). v2+ is flexible, v3 lets an existing
// producer bump its epoch (KIP-360), v4 may answer PRODUCER_FENCED (KIP-588),
// v5 may answer TRANSACTION_ABORTABLE (KIP-890), v6 adds two-phase commit
// (KIP-939).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/field_io.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct InitProducerIdResponse;

struct InitProducerIdRequest {
    static constexpr ApiKey key{22};
    static constexpr const char* name = "InitProducerId";
    static constexpr VersionRange versions{0, 6};
    static constexpr int16_t first_flexible = 2;
    using response_type = InitProducerIdResponse;

    std::optional<std::string> transactional_id;  // null when not transactional
    int32_t transaction_timeout_ms = 0;
    int64_t producer_id = -1;                     // v3+
    int16_t producer_epoch = -1;                  // v3+
    bool enable_2pc = false;                      // v6+
    bool keep_prepared_txn = false;               // v6+
    TaggedFields unknown_tags;                    // v2+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("transactional_id", transactional_id, true, Nullable{true});
        io.field("transaction_timeout_ms", transaction_timeout_ms);
        io.field("producer_id", producer_id, v >= 3, int64_t{-1});
        io.field("producer_epoch", producer_epoch, v >= 3, int16_t{-1});
        io.field("enable_2pc", enable_2pc, v >= 6);
        io.field("keep_prepared_txn", keep_prepared_txn, v >= 6);
    }

    void encode(Writer& w, int16_t version) const;
    static Result<InitProducerIdRequest> decode(Reader& r, int16_t version);
};

struct InitProducerIdResponse {
    static constexpr ApiKey key{22};
    static constexpr const char* name = "InitProducerId";
    static constexpr VersionRange versions = InitProducerIdRequest::versions;
    static constexpr int16_t first_flexible = InitProducerIdRequest::first_flexible;

    int32_t throttle_time_ms = 0;
    int16_t error_code = 0;
    int64_t producer_id = -1;
    int16_t producer_epoch = 0;
    int64_t ongoing_txn_producer_id = -1;     // v6+
    int16_t ongoing_txn_producer_epoch = -1;  // v6+
    TaggedFields unknown_tags;                // v2+

    template <class IO>
    void io(IO& io) {
        const int16_t v = io.version();
        io.field("throttle_time_ms", throttle_time_ms);
        io.field("error_code", error_code);
        io.field("producer_id", producer_id, true, int64_t{-1});
        io.field("producer_epoch", producer_epoch);
        io.field("ongoing_txn_producer_id", ongoing_txn_producer_id, v >= 6, int64_t{-1});
        io.field("ongoing_txn_producer_epoch", ongoing_txn_producer_epoch, v >= 6, int16_t{-1});
    }

    void encode(Writer& w, int16_t version) const;
    static Result<InitProducerIdResponse> decode(Reader& r, int16_t version);
};

}  // namespace kafka
