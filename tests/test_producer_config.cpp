// Producer settings: Kafka's names and defaults, the idempotence rules.
#include <doctest/doctest.h>

#include <ostream>

#include "client/producer_config.hpp"
#include "protocol/errors.hpp"

using namespace kafka;

TEST_CASE("producer config: Java defaults") {
    auto cfg = ProducerConfig::from(Properties{{"bootstrap.servers", "127.0.0.1:9092"}});
    REQUIRE(cfg);
    CHECK(cfg->acks == -1);
    CHECK(cfg->linger.count() == 5);
    CHECK(cfg->batch_size == 16384);
    CHECK(cfg->buffer_memory == 33554432);
    CHECK(cfg->max_block.count() == 60000);
    CHECK(cfg->compression == Compression::none);
    CHECK(cfg->max_in_flight == 5);
    CHECK(cfg->request_timeout.count() == 30000);
    CHECK(cfg->delivery_timeout.count() == 120000);
    CHECK(cfg->retries == INT32_MAX);
    CHECK(cfg->enable_idempotence);
    CHECK(cfg->max_request_size == 1048576);
    CHECK(cfg->net.bootstrap_servers.size() == 1);
}

TEST_CASE("producer config: settings and librdkafka spellings") {
    auto cfg = ProducerConfig::from(Properties{{"acks", "1"},
                                               {"linger.ms", "0"},
                                               {"compression.codec", "lz4"},
                                               {"message.timeout.ms", "60000"},
                                               {"batch.size", "100000"},
                                               {"client.id", "me"}});
    REQUIRE(cfg);
    CHECK(cfg->acks == 1);
    CHECK(cfg->linger.count() == 0);
    CHECK(cfg->compression == Compression::lz4);
    CHECK(cfg->delivery_timeout.count() == 60000);
    CHECK(cfg->batch_size == 100000);
    CHECK(cfg->net.connection.client_id == "me");
    CHECK_FALSE(cfg->enable_idempotence);  // acks=1 turns the default off
    CHECK(cfg->describe().find("acks=1") != std::string::npos);
}

TEST_CASE("producer config: idempotence asked for explicitly must be possible") {
    std::string error;
    auto bad = ProducerConfig::from(Properties{{"enable.idempotence", "true"}, {"acks", "1"}}, &error);
    CHECK_FALSE(bad);
    CHECK(error.find("acks") != std::string::npos);
    auto off = ProducerConfig::from(Properties{{"enable.idempotence", "false"}, {"acks", "1"}});
    REQUIRE(off);
    CHECK_FALSE(off->enable_idempotence);
    auto inflight = ProducerConfig::from(Properties{{"max.in.flight.requests.per.connection", "10"}});
    REQUIRE(inflight);
    CHECK_FALSE(inflight->enable_idempotence);
    CHECK(inflight->net.connection.max_in_flight == 10);
}

TEST_CASE("producer config: errors name the key") {
    std::string error;
    CHECK(ProducerConfig::from(Properties{{"linger.mss", "5"}}, &error).error() == client_errc::invalid_config);
    CHECK(error.find("linger.mss") != std::string::npos);
    CHECK_FALSE(ProducerConfig::from(Properties{{"acks", "2"}}, &error));
    CHECK_FALSE(ProducerConfig::from(Properties{{"compression.type", "brotli"}}, &error));
    CHECK_FALSE(ProducerConfig::from(Properties{{"batch.size", "-1"}}, &error));
    CHECK_FALSE(ProducerConfig::from(Properties{{"transactional.id", "t"}}, &error));
    CHECK_FALSE(ProducerConfig::from(Properties{{"delivery.timeout.ms", "1000"}}, &error));
    CHECK(error.find("delivery.timeout.ms") != std::string::npos);
    CHECK_FALSE(ProducerConfig::from(Properties{{"request.timeout.ms", "abc"}}, &error));
}
