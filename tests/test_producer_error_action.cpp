// The error-action table: what the clients do about each error.
#include <doctest/doctest.h>

#include <ostream>

#include "client/error_action.hpp"
#include "protocol/errors.hpp"

using namespace kafka;

TEST_CASE("error_action: routing errors retry after a metadata refresh") {
    for (errc e : {errc::not_leader_or_follower, errc::unknown_topic_or_partition, errc::leader_not_available,
                   errc::fenced_leader_epoch, errc::kafka_storage_error}) {
        ErrorAction a = error_action(make_error_code(e), ErrorContext::produce);
        CHECK(a.retriable());
        CHECK(a.refresh_metadata);
        CHECK_FALSE(a.reset_producer);
    }
    ErrorAction t = error_action(make_error_code(errc::request_timed_out), ErrorContext::produce);
    CHECK(t.retriable());
    CHECK_FALSE(t.refresh_metadata);
    CHECK(error_action(make_error_code(errc::not_enough_replicas), ErrorContext::produce).retriable());
    CHECK(error_action(make_error_code(errc::not_enough_replicas_after_append), ErrorContext::produce).retriable());
}

TEST_CASE("error_action: idempotence codes on produce") {
    CHECK(error_action(make_error_code(errc::duplicate_sequence_number), ErrorContext::produce).ok());
    ErrorAction oos = error_action(make_error_code(errc::out_of_order_sequence_number), ErrorContext::produce);
    CHECK(oos.retriable());
    CHECK(oos.reset_producer);
    ErrorAction upi = error_action(make_error_code(errc::unknown_producer_id), ErrorContext::produce);
    CHECK(upi.retriable());
    CHECK(upi.reset_producer);
    // Outside produce, a duplicate sequence is no success.
    CHECK_FALSE(error_action(make_error_code(errc::duplicate_sequence_number)).ok());
    CHECK(error_action(make_error_code(errc::producer_fenced), ErrorContext::produce).fatal());
}

TEST_CASE("error_action: fatal for the record, not the producer") {
    for (errc e : {errc::message_too_large, errc::record_list_too_large, errc::invalid_topic_exception,
                   errc::topic_authorization_failed, errc::invalid_record, errc::corrupt_message}) {
        ErrorAction a = error_action(make_error_code(e), ErrorContext::produce);
        CHECK(a.fatal_for_record());
        CHECK_FALSE(a.fatal());
    }
    CHECK(error_action(make_error_code(errc::cluster_authorization_failed), ErrorContext::init_producer_id).fatal());
}

TEST_CASE("error_action: local errors") {
    ErrorAction lost = error_action(make_error_code(client_errc::connection_lost_after_send));
    CHECK(lost.retriable());
    CHECK(lost.maybe_applied);
    ErrorAction unsent = error_action(make_error_code(client_errc::connection_lost_not_sent));
    CHECK(unsent.retriable());
    CHECK_FALSE(unsent.maybe_applied);
    CHECK(error_action(make_error_code(client_errc::timed_out)).retriable());
    CHECK(error_action(make_error_code(client_errc::record_too_large)).fatal_for_record());
    CHECK(error_action(make_error_code(client_errc::shutting_down)).fatal_for_record());
    CHECK(error_action(make_error_code(client_errc::authentication_failed)).fatal());
    CHECK(error_action(std::make_error_code(std::errc::connection_reset)).retriable());
    CHECK(error_action(std::error_code{}).ok());
}

TEST_CASE("error_action: group and fetch contexts") {
    CHECK(error_action(make_error_code(errc::unknown_member_id), ErrorContext::group).rejoin_group);
    CHECK(error_action(make_error_code(errc::rebalance_in_progress), ErrorContext::group).retriable());
    CHECK(error_action(make_error_code(errc::not_coordinator), ErrorContext::group).find_coordinator);
    CHECK(error_action(make_error_code(errc::offset_out_of_range), ErrorContext::fetch).reset_offset);
    // Unlisted codes follow Kafka's retriable flag.
    CHECK(error_action(int16_t{51}).retriable());         // CONCURRENT_TRANSACTIONS
    CHECK(error_action(int16_t{43}).fatal_for_record());  // UNSUPPORTED_FOR_MESSAGE_FORMAT
    CHECK(error_action(int16_t{9999}).fatal_for_record());  // unknown code
    CHECK(outcome_name(ErrorAction::Outcome::retry) == "retry");
}
