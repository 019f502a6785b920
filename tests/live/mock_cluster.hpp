// An in-process librdkafka mock cluster for live tests, on 127.0.0.1.
// librdkafka is a test peer only: the kafka library never links it.
//
//     kafka::test::MockCluster mock(3);          // brokers 1, 2, 3
//     mock.create_topic("t", 4);
//     mock.set_leader("t", 0, 2);
//     mock.push_errors(kafka::ApiKey{3}, {kafka::errc::not_leader_or_follower});
//     connect to mock.bootstraps() ...
//
// The cluster is destroyed when the object goes out of scope. The Debian mock
// is librdkafka 2.0.2: Metadata 0..2, Produce ..7, Fetch ..11, no SASL.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocol/errors.hpp"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace kafka::test {

class MockCluster {
public:
    explicit MockCluster(int brokers = 3);
    ~MockCluster();
    MockCluster(const MockCluster&) = delete;
    MockCluster& operator=(const MockCluster&) = delete;

    int broker_count() const { return brokers_; }
    // "127.0.0.1:p1,127.0.0.1:p2,..." as librdkafka gives it.
    const std::string& bootstraps() const { return bootstraps_; }
    std::vector<std::string> bootstrap_list() const;

    // Topics. Replication is capped at the broker count.
    void create_topic(const std::string& topic, int partitions, int replication = 1);
    void set_leader(const std::string& topic, int32_t partition, int32_t broker_id);
    // Every request for the topic fails with `error` (errc::none clears it).
    void set_topic_error(const std::string& topic, errc error);

    // Brokers (ids 1..N).
    void broker_down(int32_t broker_id);
    void broker_up(int32_t broker_id);
    void set_rtt(int32_t broker_id, std::chrono::milliseconds rtt);

    // The next requests with `api_key`, on any broker, fail with these errors in turn.
    void push_errors(int16_t api_key, const std::vector<errc>& errors);
    // The same on one broker, each with a response delay.
    void push_broker_errors(int32_t broker_id, int16_t api_key,
                            const std::vector<std::pair<errc, std::chrono::milliseconds>>& errors);
    // The next request with `api_key` makes the broker drop the connection.
    void push_disconnect(int16_t api_key);
    void clear_errors(int16_t api_key);

    // Coordinators: key_type "group" or "transaction".
    void set_coordinator(const std::string& key_type, const std::string& key, int32_t broker_id);
    // The versions the mock advertises for an API (-1, -1 removes it).
    void set_api_version(int16_t api_key, int16_t min_version, int16_t max_version);

    rd_kafka_mock_cluster_s* raw() const { return mock_; }

private:
    int brokers_;
    rd_kafka_s* rk_ = nullptr;
    rd_kafka_mock_cluster_s* mock_ = nullptr;
    std::string bootstraps_;
};

}  // namespace kafka::test
