// What a client does about an error: one table for every broker code and
// local error, read by the producer, the consumer, the group and admin code,
// instead of `if (err == ...)` scattered through them.
//
//     ErrorAction a = error_action(ec, ErrorContext::produce);
//     if (a.refresh_metadata) cluster.request_refresh();
//     if (a.retriable()) requeue(batch); else fail(batch, ec);
//
// Rows are looked up by (context, error) first, then (any context, error).
// Broker codes without a row follow Kafka's RetriableException flag
// (is_retriable()): retry if retriable, else fail the request.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

namespace kafka {

// Where the error was met. Some codes mean different things per API: a
// DUPLICATE_SEQUENCE_NUMBER answer to Produce is a success (KIP-98), an
// UNKNOWN_MEMBER_ID to a group request means "join again".
enum class ErrorContext : uint8_t {
    any,
    produce,
    init_producer_id,
    metadata,
    fetch,
    list_offsets,
    group,   // JoinGroup, SyncGroup, Heartbeat, LeaveGroup
    commit,  // OffsetCommit, OffsetFetch
    admin,
};

struct ErrorAction {
    enum class Outcome : uint8_t {
        ok,     // not an error here (none; DUPLICATE_SEQUENCE_NUMBER on produce)
        retry,  // the same request may succeed later: back off and send it again
        fail,   // fails the request or the records it carries; the client goes on
        fatal,  // the client cannot go on (fenced, authentication failed)
    };
    Outcome outcome = Outcome::fail;
    bool refresh_metadata = false;  // a cached leader, topic or partition count is stale
    bool reset_producer = false;    // idempotence: bump the epoch or get a new producer id (KIP-360)
    bool find_coordinator = false;  // the group or transaction coordinator moved
    bool rejoin_group = false;      // the member must JoinGroup again
    bool reset_offset = false;      // the fetch position is gone: apply auto.offset.reset
    bool maybe_applied = false;     // the broker may have acted on the request (lost after send)

    bool ok() const { return outcome == Outcome::ok; }
    bool retriable() const { return outcome == Outcome::retry; }
    // Fails the affected records or request only.
    bool fatal_for_record() const { return outcome == Outcome::fail; }
    bool fatal() const { return outcome == Outcome::fatal; }
};

ErrorAction error_action(std::error_code ec, ErrorContext context = ErrorContext::any) noexcept;
// A broker code as it comes off the wire.
ErrorAction error_action(int16_t broker_code, ErrorContext context = ErrorContext::any) noexcept;

std::string_view outcome_name(ErrorAction::Outcome o) noexcept;

}  // namespace kafka
