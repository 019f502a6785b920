#include "mock_cluster.hpp"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>

namespace kafka::test {
namespace {

void check(rd_kafka_resp_err_t err, const char* what) {
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw std::runtime_error(std::string(what) + ": " + rd_kafka_err2str(err));
}

}  // namespace

MockCluster::MockCluster(int brokers) : brokers_(brokers) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // Quiet: the handle only hosts the mock, it never talks to a broker.
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk_) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("rd_kafka_new: ") + err);
    }
    mock_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (!mock_) {
        rd_kafka_destroy(rk_);
        throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mock_);
}

MockCluster::~MockCluster() {
    if (mock_) rd_kafka_mock_cluster_destroy(mock_);
    if (rk_) rd_kafka_destroy(rk_);
}

std::vector<std::string> MockCluster::bootstrap_list() const {
    std::vector<std::string> out;
    std::string s = bootstraps_;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

void MockCluster::create_topic(const std::string& topic, int partitions, int replication) {
    if (replication > brokers_) replication = brokers_;
    check(rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication), "topic_create");
}

void MockCluster::set_leader(const std::string& topic, int32_t partition, int32_t broker_id) {
    check(rd_kafka_mock_partition_set_leader(mock_, topic.c_str(), partition, broker_id), "partition_set_leader");
}

void MockCluster::set_topic_error(const std::string& topic, errc error) {
    rd_kafka_mock_topic_set_error(mock_, topic.c_str(), static_cast<rd_kafka_resp_err_t>(error));
}

void MockCluster::broker_down(int32_t broker_id) { check(rd_kafka_mock_broker_set_down(mock_, broker_id), "broker_set_down"); }

void MockCluster::broker_up(int32_t broker_id) { check(rd_kafka_mock_broker_set_up(mock_, broker_id), "broker_set_up"); }

void MockCluster::set_rtt(int32_t broker_id, std::chrono::milliseconds rtt) {
    check(rd_kafka_mock_broker_set_rtt(mock_, broker_id, static_cast<int>(rtt.count())), "broker_set_rtt");
}

void MockCluster::push_errors(int16_t api_key, const std::vector<errc>& errors) {
    std::vector<rd_kafka_resp_err_t> errs;
    for (auto e : errors) errs.push_back(static_cast<rd_kafka_resp_err_t>(e));
    rd_kafka_mock_push_request_errors_array(mock_, api_key, errs.size(), errs.data());
}

void MockCluster::push_broker_errors(int32_t broker_id, int16_t api_key,
                                     const std::vector<std::pair<errc, std::chrono::milliseconds>>& errors) {
    // The C API takes (err, rtt) pairs as varargs; push them one at a time.
    for (const auto& [e, rtt] : errors)
        check(rd_kafka_mock_broker_push_request_error_rtts(mock_, broker_id, api_key, 1,
                                                           static_cast<rd_kafka_resp_err_t>(e),
                                                           static_cast<int>(rtt.count())),
              "broker_push_request_error_rtts");
}

void MockCluster::push_disconnect(int16_t api_key) {
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TRANSPORT;
    rd_kafka_mock_push_request_errors_array(mock_, api_key, 1, &e);
}

void MockCluster::clear_errors(int16_t api_key) { rd_kafka_mock_clear_request_errors(mock_, api_key); }

void MockCluster::set_coordinator(const std::string& key_type, const std::string& key, int32_t broker_id) {
    check(rd_kafka_mock_coordinator_set(mock_, key_type.c_str(), key.c_str(), broker_id), "coordinator_set");
}

void MockCluster::set_api_version(int16_t api_key, int16_t min_version, int16_t max_version) {
    check(rd_kafka_mock_set_apiversion(mock_, api_key, min_version, max_version), "set_apiversion");
}

}  // namespace kafka::test
