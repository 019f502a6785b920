// What the consumer does about an error: one table, by request and error.
//
// Broker errors come from the response (kafka::errc); local errors
// (kafka::client_errc: the connection died, the request timed out) from the
// network layer. Both map to one Action. Errors missing from the table fall
// back on Kafka's retriable flag: retry after retry.backoff.ms, or fail.
#pragma once

#include <cstdint>
#include <system_error>

#include "protocol/errors.hpp"

namespace kafka {

enum class ConsumerOp : uint8_t {
    fetch,
    list_offsets,
    find_coordinator,
    join_group,
    sync_group,
    heartbeat,
    leave_group,
    offset_commit,
    offset_fetch,
};

enum class ConsumerAction : uint8_t {
    none,               // no error
    retry,              // after retry.backoff.ms
    refresh_metadata,   // the leader moved or is unknown: refresh, then retry
    find_coordinator,   // the coordinator moved or is gone: FindCoordinator again, then retry
    rejoin,             // the group is rebalancing: JoinGroup again with the same member id
    rejoin_as_new,      // our generation or member id is gone: partitions lost, rejoin with an empty id
    rejoin_with_id,     // KIP-394: join again with the member id the coordinator gave
    reset_offset,       // OFFSET_OUT_OF_RANGE: apply auto.offset.reset
    reset_fetch_session,  // KIP-227: drop the session, next fetch is a full one
    fail,               // report it to the caller or the application, go on
    fatal,              // report it; the consumer cannot go on (fenced, not authorized...)
};

const char* consumer_action_name(ConsumerAction a) noexcept;
ConsumerAction consumer_action(ConsumerOp op, std::error_code ec) noexcept;
inline ConsumerAction consumer_action(ConsumerOp op, int16_t broker_code) noexcept {
    return consumer_action(op, broker_error(broker_code));
}
}  // namespace kafka
