// Producer settings, with the Java client's names and defaults (Kafka 4.x):
//
//   bootstrap.servers, client.id, security.*, sasl.*  the network layer's (net/config.hpp)
//   acks                          all | -1 | 0 | 1                        default all
//   linger.ms                                                             5
//   batch.size                    bytes per partition batch               16384
//   buffer.memory                 bytes of batches held at once           33554432
//   max.block.ms                  send() waits this long for memory       60000
//   compression.type              none | gzip | snappy | lz4 | zstd       none
//   max.in.flight.requests.per.connection                                 5
//   request.timeout.ms                                                    30000
//   delivery.timeout.ms           send() to success or failure            120000
//   retries                                                               2147483647
//   retry.backoff.ms, retry.backoff.max.ms   exponential, with jitter     100, 1000
//   enable.idempotence                                                    true
//   max.request.size                                                      1048576
//   partitioner.ignore.keys       keyed records go sticky too             false
//   partitioner.adaptive.partitioning.enable  KIP-794                     true
//
// As in the Java client, idempotence left at its default turns itself off
// when acks is not all, retries is 0 or more than 5 requests may be in
// flight; asked for explicitly, those settings are an error.
// A few librdkafka spellings kcat users type are accepted too:
// compression.codec, queue.buffering.max.ms, message.timeout.ms,
// request.required.acks, message.send.max.retries, queue.buffering.max.kbytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/properties.hpp"
#include "net/config.hpp"
#include "protocol/compression.hpp"
#include "protocol/result.hpp"

namespace kafka {

struct ProducerConfig {
    net::NetConfig net;
    int16_t acks = -1;
    std::chrono::milliseconds linger{5};
    size_t batch_size = 16384;
    size_t buffer_memory = 33554432;
    std::chrono::milliseconds max_block{60000};
    Compression compression = Compression::none;
    int max_in_flight = 5;
    std::chrono::milliseconds request_timeout{30000};
    std::chrono::milliseconds delivery_timeout{120000};
    int32_t retries = INT32_MAX;
    std::chrono::milliseconds retry_backoff{100};
    std::chrono::milliseconds retry_backoff_max{1000};
    bool enable_idempotence = true;
    size_t max_request_size = 1048576;
    bool partitioner_ignore_keys = false;
    bool partitioner_adaptive = true;

    // Reads every key of `props`; an unknown key or a bad value is
    // client_errc::invalid_config with `error` naming the key (never a value).
    static Result<ProducerConfig> from(const Properties& props, std::string* error = nullptr);
    // The settings as key=value lines (sasl.password masked).
    std::string describe() const;
};

}  // namespace kafka
