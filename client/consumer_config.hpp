// Consumer settings, with Kafka's names and the Java client's defaults.
//
//   group.id                       (none)     join a group; without it, assign() only
//   group.instance.id              (none)     static membership, KIP-345
//   auto.offset.reset              latest     earliest | latest | none (also smallest,
//                                             largest, beginning, end as kcat/librdkafka say)
//   enable.auto.commit             true
//   auto.commit.interval.ms        5000
//   session.timeout.ms             45000
//   heartbeat.interval.ms          3000
//   max.poll.interval.ms           300000     also the JoinGroup rebalance timeout
//   max.poll.records               500
//   partition.assignment.strategy  range,cooperative-sticky   (first is preferred)
//   fetch.min.bytes                1
//   fetch.max.wait.ms              500
//   fetch.max.bytes                52428800
//   max.partition.fetch.bytes      1048576
//   queued.max.messages.kbytes     65536      bound on prefetched, not yet polled data
//   isolation.level                read_uncommitted | read_committed
//   enable.partition.eof           false
//   check.crcs                     true
//   client.rack                    (none)     Fetch v11+ rack id (KIP-392)
//   retry.backoff.ms               100
//   default.api.timeout.ms         60000      committed(), offsets lookups, close()
//   consumer.timeout.ms            -1         stream(): stop after this long without a record
// plus the network settings of net/config.hpp (bootstrap.servers, client.id, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "client/properties.hpp"
#include "net/config.hpp"
#include "protocol/result.hpp"

namespace kafka {

enum class OffsetReset : uint8_t { earliest, latest, none };
enum class IsolationLevel : int8_t { read_uncommitted = 0, read_committed = 1 };

struct ConsumerConfig {
    net::NetConfig net;

    std::string group_id;
    std::optional<std::string> group_instance_id;
    OffsetReset auto_offset_reset = OffsetReset::latest;
    bool enable_auto_commit = true;
    std::chrono::milliseconds auto_commit_interval{5000};
    std::chrono::milliseconds session_timeout{45000};
    std::chrono::milliseconds heartbeat_interval{3000};
    std::chrono::milliseconds max_poll_interval{300000};
    int32_t max_poll_records = 500;
    std::vector<std::string> assignment_strategies{"range", "cooperative-sticky"};
    int32_t fetch_min_bytes = 1;
    std::chrono::milliseconds fetch_max_wait{500};
    int32_t fetch_max_bytes = 52428800;
    int32_t max_partition_fetch_bytes = 1048576;
    size_t queued_max_bytes = size_t{65536} * 1024;
    IsolationLevel isolation_level = IsolationLevel::read_uncommitted;
    bool enable_partition_eof = false;
    bool check_crcs = true;
    std::string client_rack;
    std::chrono::milliseconds retry_backoff{100};
    std::chrono::milliseconds default_api_timeout{60000};
    std::chrono::milliseconds consumer_timeout{-1};

    // Reads every key; a key neither the consumer nor the network layer
    // knows, or a bad value, is an error whose message names the key (never
    // the value).
    static Result<ConsumerConfig> from(const Properties& props, std::string* error = nullptr);
};

const char* offset_reset_name(OffsetReset r) noexcept;

}  // namespace kafka
