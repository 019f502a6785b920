#include "client/consumer_errors.hpp"

namespace kafka {

namespace {

// Which requests a row applies to.
constexpr uint32_t bit(ConsumerOp op) { return 1u << static_cast<unsigned>(op); }
constexpr uint32_t kData = bit(ConsumerOp::fetch) | bit(ConsumerOp::list_offsets);
constexpr uint32_t kMember = bit(ConsumerOp::join_group) | bit(ConsumerOp::sync_group) |
                             bit(ConsumerOp::heartbeat) | bit(ConsumerOp::leave_group) |
                             bit(ConsumerOp::offset_commit);
constexpr uint32_t kGroup = kMember | bit(ConsumerOp::offset_fetch);
constexpr uint32_t kAll = ~0u;

struct Row {
    errc code;
    uint32_t ops;
    ConsumerAction action;
};

// First matching row wins.
constexpr Row kTable[] = {
    // Fetch and ListOffsets, to partition leaders.
    {errc::offset_out_of_range, bit(ConsumerOp::fetch), ConsumerAction::reset_offset},
    {errc::not_leader_or_follower, kData, ConsumerAction::refresh_metadata},
    {errc::unknown_topic_or_partition, kData, ConsumerAction::refresh_metadata},
    {errc::leader_not_available, kData, ConsumerAction::refresh_metadata},
    {errc::replica_not_available, kData, ConsumerAction::refresh_metadata},
    {errc::kafka_storage_error, kData, ConsumerAction::refresh_metadata},
    {errc::fenced_leader_epoch, kData, ConsumerAction::refresh_metadata},
    {errc::unknown_leader_epoch, kData, ConsumerAction::refresh_metadata},
    {errc::unknown_topic_id, kData, ConsumerAction::refresh_metadata},
    {errc::inconsistent_topic_id, kData, ConsumerAction::refresh_metadata},
    {errc::offset_not_available, bit(ConsumerOp::list_offsets), ConsumerAction::retry},
    {errc::fetch_session_id_not_found, bit(ConsumerOp::fetch), ConsumerAction::reset_fetch_session},
    {errc::invalid_fetch_session_epoch, bit(ConsumerOp::fetch), ConsumerAction::reset_fetch_session},
    {errc::fetch_session_topic_id_error, bit(ConsumerOp::fetch), ConsumerAction::reset_fetch_session},
    {errc::topic_authorization_failed, kAll, ConsumerAction::fail},

    // The group coordinator.
    {errc::coordinator_not_available, kAll, ConsumerAction::find_coordinator},
    {errc::not_coordinator, kAll, ConsumerAction::find_coordinator},
    {errc::coordinator_load_in_progress, kAll, ConsumerAction::retry},
    {errc::member_id_required, bit(ConsumerOp::join_group), ConsumerAction::rejoin_with_id},
    {errc::rebalance_in_progress, bit(ConsumerOp::join_group), ConsumerAction::retry},
    {errc::rebalance_in_progress, kGroup, ConsumerAction::rejoin},
    {errc::illegal_generation, kGroup, ConsumerAction::rejoin_as_new},
    {errc::unknown_member_id, kGroup, ConsumerAction::rejoin_as_new},
    {errc::fenced_instance_id, kAll, ConsumerAction::fatal},
    {errc::group_authorization_failed, kAll, ConsumerAction::fatal},
    {errc::invalid_session_timeout, kAll, ConsumerAction::fatal},
    {errc::inconsistent_group_protocol, kAll, ConsumerAction::fatal},
    {errc::group_max_size_reached, kAll, ConsumerAction::fatal},
    {errc::invalid_group_id, kAll, ConsumerAction::fatal},
    {errc::unstable_offset_commit, bit(ConsumerOp::offset_fetch), ConsumerAction::retry},
    {errc::offset_metadata_too_large, bit(ConsumerOp::offset_commit), ConsumerAction::fail},
    {errc::invalid_commit_offset_size, bit(ConsumerOp::offset_commit), ConsumerAction::fail},
};

}  // namespace

const char* consumer_action_name(ConsumerAction a) noexcept {
    switch (a) {
        case ConsumerAction::none: return "none";
        case ConsumerAction::retry: return "retry";
        case ConsumerAction::refresh_metadata: return "refresh_metadata";
        case ConsumerAction::find_coordinator: return "find_coordinator";
        case ConsumerAction::rejoin: return "rejoin";
        case ConsumerAction::rejoin_as_new: return "rejoin_as_new";
        case ConsumerAction::rejoin_with_id: return "rejoin_with_id";
        case ConsumerAction::reset_offset: return "reset_offset";
        case ConsumerAction::reset_fetch_session: return "reset_fetch_session";
        case ConsumerAction::fail: return "fail";
        case ConsumerAction::fatal: return "fatal";
    }
    return "?";
}

ConsumerAction consumer_action(ConsumerOp op, std::error_code ec) noexcept {
    if (!ec) return ConsumerAction::none;
    if (ec.category() == client_category()) {
        // Local failures: the connection died or the request timed out.
        switch (static_cast<client_errc>(ec.value())) {
            case client_errc::connection_lost_not_sent:
            case client_errc::connection_lost_after_send:
            case client_errc::timed_out:
            case client_errc::connect_failed:
            case client_errc::resolve_failed:
            case client_errc::correlation_mismatch:
            case client_errc::frame_too_large:
                // A coordinator we cannot reach is treated as moved; a
                // leader we cannot reach gets its metadata refreshed.
                if (op == ConsumerOp::fetch || op == ConsumerOp::list_offsets) return ConsumerAction::refresh_metadata;
                if (op == ConsumerOp::find_coordinator) return ConsumerAction::retry;
                return ConsumerAction::find_coordinator;
            case client_errc::malformed:
                // The librdkafka mock answers a SyncGroup that comes after the
                // leader's with REBALANCE_IN_PROGRESS and a null assignment,
                // which no valid response has: join again, as for that error.
                return op == ConsumerOp::sync_group ? ConsumerAction::rejoin : ConsumerAction::fail;
            case client_errc::shutting_down:
            case client_errc::no_version_in_common:
            case client_errc::authentication_failed:
                return ConsumerAction::fatal;
            default:
                return ConsumerAction::fail;
        }
    }
    if (ec.category() != broker_category()) return ConsumerAction::fail;
    auto code = static_cast<errc>(ec.value());
    for (const Row& row : kTable)
        if (row.code == code && (row.ops & bit(op))) return row.action;
    return is_retriable(code) ? ConsumerAction::retry : ConsumerAction::fail;
}

}  // namespace kafka
