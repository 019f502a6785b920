#include "client/error_action.hpp"

#include "protocol/errors.hpp"

namespace kafka {
namespace {

using O = ErrorAction::Outcome;
using C = ErrorContext;

// Flags, to keep the rows on one line each.
enum : uint8_t {
    kRefresh = 1 << 0,      // refresh_metadata
    kResetProducer = 1 << 1,
    kCoordinator = 1 << 2,  // find_coordinator
    kRejoin = 1 << 3,
    kResetOffset = 1 << 4,
    kMaybeApplied = 1 << 5,
};

struct BrokerRow {
    C context;
    errc code;
    O outcome;
    uint8_t flags;
};

// Broker codes. Context rows come before the `any` row of the same code
// (first match wins). Codes not listed follow Kafka's retriable flag.
constexpr BrokerRow kBrokerRows[] = {
    {C::any, errc::none, O::ok, 0},

    // Stale routing: the leader moved, or the topic/partition is not (yet) there.
    {C::any, errc::unknown_topic_or_partition, O::retry, kRefresh},
    {C::any, errc::leader_not_available, O::retry, kRefresh},
    {C::any, errc::not_leader_or_follower, O::retry, kRefresh},
    {C::any, errc::broker_not_available, O::retry, kRefresh},
    {C::any, errc::replica_not_available, O::retry, kRefresh},
    {C::any, errc::network_exception, O::retry, kRefresh},
    {C::any, errc::kafka_storage_error, O::retry, kRefresh},
    {C::any, errc::fenced_leader_epoch, O::retry, kRefresh},
    {C::any, errc::unknown_leader_epoch, O::retry, kRefresh},
    {C::any, errc::preferred_leader_not_available, O::retry, kRefresh},
    {C::any, errc::not_controller, O::retry, kRefresh},
    {C::any, errc::unknown_topic_id, O::retry, kRefresh},
    {C::any, errc::inconsistent_topic_id, O::retry, kRefresh},
    {C::any, errc::new_leader_elected, O::retry, kRefresh},

    // Transient on the broker's side: the same request later.
    {C::any, errc::request_timed_out, O::retry, 0},
    {C::any, errc::not_enough_replicas, O::retry, 0},
    {C::any, errc::not_enough_replicas_after_append, O::retry, 0},
    {C::any, errc::offset_not_available, O::retry, 0},
    {C::any, errc::throttling_quota_exceeded, O::retry, 0},
    {C::any, errc::concurrent_transactions, O::retry, 0},
    {C::any, errc::coordinator_load_in_progress, O::retry, 0},
    {C::any, errc::coordinator_not_available, O::retry, kCoordinator},
    {C::any, errc::not_coordinator, O::retry, kCoordinator},

    // Produce with idempotence (KIP-98, KIP-360).
    {C::produce, errc::duplicate_sequence_number, O::ok, 0},  // already written: success
    {C::produce, errc::out_of_order_sequence_number, O::retry, kResetProducer},
    {C::produce, errc::unknown_producer_id, O::retry, kResetProducer},
    {C::produce, errc::invalid_producer_epoch, O::retry, kResetProducer},
    {C::produce, errc::corrupt_message, O::fail, 0},  // our own batch: resending the same bytes cannot help
    {C::any, errc::producer_fenced, O::fatal, 0},
    {C::any, errc::transactional_id_authorization_failed, O::fatal, 0},
    {C::init_producer_id, errc::cluster_authorization_failed, O::fatal, 0},
    {C::init_producer_id, errc::invalid_producer_epoch, O::retry, kResetProducer},

    // Consumer positions.
    {C::fetch, errc::offset_out_of_range, O::retry, kResetOffset},
    {C::list_offsets, errc::offset_out_of_range, O::retry, kResetOffset},

    // Group membership: the member is gone or stale, join again.
    {C::group, errc::unknown_member_id, O::retry, kRejoin},
    {C::group, errc::illegal_generation, O::retry, kRejoin},
    {C::group, errc::rebalance_in_progress, O::retry, kRejoin},
    {C::group, errc::member_id_required, O::retry, kRejoin},
    {C::group, errc::fenced_instance_id, O::fatal, 0},
    {C::commit, errc::unknown_member_id, O::fail, kRejoin},
    {C::commit, errc::illegal_generation, O::fail, kRejoin},
    {C::commit, errc::rebalance_in_progress, O::fail, kRejoin},
    {C::commit, errc::fenced_instance_id, O::fatal, 0},
    {C::commit, errc::unstable_offset_commit, O::retry, 0},

    // Refused for good: fail what was asked, keep going.
    {C::any, errc::message_too_large, O::fail, 0},
    {C::any, errc::record_list_too_large, O::fail, 0},
    {C::any, errc::invalid_topic_exception, O::fail, 0},
    {C::any, errc::invalid_record, O::fail, 0},
    {C::any, errc::invalid_timestamp, O::fail, 0},
    {C::any, errc::topic_authorization_failed, O::fail, 0},
    {C::any, errc::group_authorization_failed, O::fail, 0},
    {C::any, errc::cluster_authorization_failed, O::fail, 0},
    {C::any, errc::unsupported_for_message_format, O::fail, 0},
    {C::any, errc::unsupported_compression_type, O::fail, 0},
    {C::any, errc::invalid_required_acks, O::fail, 0},
    {C::any, errc::policy_violation, O::fail, 0},
    {C::any, errc::unsupported_version, O::fail, 0},
    {C::any, errc::sasl_authentication_failed, O::fatal, 0},
};

struct LocalRow {
    client_errc code;
    O outcome;
    uint8_t flags;
};

// Local errors (any context).
constexpr LocalRow kLocalRows[] = {
    // Never written: resending cannot duplicate.
    {client_errc::connection_lost_not_sent, O::retry, kRefresh},
    {client_errc::queue_full, O::retry, 0},
    // Written, fate unknown: idempotence makes the resend safe, without it a
    // resend may duplicate.
    {client_errc::connection_lost_after_send, O::retry, kRefresh | kMaybeApplied},
    {client_errc::timed_out, O::retry, kRefresh | kMaybeApplied},
    // The connection died of a bad response; the request may have been applied.
    {client_errc::correlation_mismatch, O::retry, kRefresh | kMaybeApplied},
    {client_errc::malformed, O::retry, kMaybeApplied},
    {client_errc::truncated, O::retry, kMaybeApplied},
    {client_errc::trailing_bytes, O::retry, kMaybeApplied},
    {client_errc::connect_failed, O::retry, kRefresh},
    {client_errc::resolve_failed, O::retry, kRefresh},
    {client_errc::no_leader, O::retry, kRefresh},
    {client_errc::unknown_topic, O::fail, 0},
    {client_errc::frame_too_large, O::fail, kMaybeApplied},
    {client_errc::record_too_large, O::fail, 0},
    {client_errc::buffer_full, O::fail, 0},
    {client_errc::invalid_argument, O::fail, 0},
    {client_errc::invalid_config, O::fail, 0},
    {client_errc::unsupported_version, O::fail, 0},
    {client_errc::no_version_in_common, O::fail, 0},
    {client_errc::unsupported_compression, O::fail, 0},
    {client_errc::compression_failed, O::fail, 0},
    {client_errc::shutting_down, O::fail, 0},
    {client_errc::authentication_failed, O::fatal, 0},
};

ErrorAction make(O outcome, uint8_t flags) {
    ErrorAction a;
    a.outcome = outcome;
    a.refresh_metadata = flags & kRefresh;
    a.reset_producer = flags & kResetProducer;
    a.find_coordinator = flags & kCoordinator;
    a.rejoin_group = flags & kRejoin;
    a.reset_offset = flags & kResetOffset;
    a.maybe_applied = flags & kMaybeApplied;
    return a;
}

}  // namespace

ErrorAction error_action(int16_t broker_code, ErrorContext context) noexcept {
    const BrokerRow* fallback = nullptr;
    for (const BrokerRow& row : kBrokerRows) {
        if (static_cast<int16_t>(row.code) != broker_code) continue;
        if (row.context == context) return make(row.outcome, row.flags);
        if (row.context == C::any && !fallback) fallback = &row;
    }
    if (fallback) return make(fallback->outcome, fallback->flags);
    return make(is_retriable(static_cast<errc>(broker_code)) ? O::retry : O::fail, 0);
}

ErrorAction error_action(std::error_code ec, ErrorContext context) noexcept {
    if (!ec) return make(O::ok, 0);
    if (ec.category() == broker_category()) return error_action(static_cast<int16_t>(ec.value()), context);
    if (ec.category() == client_category()) {
        for (const LocalRow& row : kLocalRows)
            if (static_cast<int>(row.code) == ec.value()) return make(row.outcome, row.flags);
        return make(O::fail, 0);
    }
    // Operating system errors (sockets): the connection is gone.
    return make(O::retry, kRefresh | kMaybeApplied);
}

std::string_view outcome_name(ErrorAction::Outcome o) noexcept {
    switch (o) {
    case O::ok: return "ok";
    case O::retry: return "retry";
    case O::fail: return "fail";
    case O::fatal: return "fatal";
    }
    return "?";
}

}  // namespace kafka
