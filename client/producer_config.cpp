#include "client/producer_config.hpp"

#include <algorithm>
#include <set>

#include "protocol/errors.hpp"

namespace kafka {
namespace {

// librdkafka spellings -> Kafka's.
std::string canonical(const std::string& key) {
    if (key == "compression.codec") return "compression.type";
    if (key == "queue.buffering.max.ms") return "linger.ms";
    if (key == "message.timeout.ms") return "delivery.timeout.ms";
    if (key == "request.required.acks") return "acks";
    if (key == "message.send.max.retries") return "retries";
    if (key == "max.in.flight") return "max.in.flight.requests.per.connection";
    return key;
}

const std::set<std::string>& producer_keys() {
    static const std::set<std::string> keys{
        "acks",
        "linger.ms",
        "batch.size",
        "buffer.memory",
        "queue.buffering.max.kbytes",
        "max.block.ms",
        "compression.type",
        "max.in.flight.requests.per.connection",
        "request.timeout.ms",
        "delivery.timeout.ms",
        "retries",
        "retry.backoff.ms",
        "retry.backoff.max.ms",
        "enable.idempotence",
        "max.request.size",
        "partitioner.ignore.keys",
        "partitioner.adaptive.partitioning.enable",
        // Java class names that mean nothing here but are harmless in shared files.
        "key.serializer",
        "value.serializer",
    };
    return keys;
}

}  // namespace

Result<ProducerConfig> ProducerConfig::from(const Properties& in, std::string* error) {
    std::string err;
    auto fail = [&](std::string msg) -> Result<ProducerConfig> {
        if (error) *error = std::move(msg);
        return client_errc::invalid_config;
    };

    // Canonical names; later spellings of the same setting win in key order,
    // so the Kafka spelling is preferred when both are given.
    Properties p;
    for (const auto& [k, v] : in.all()) {
        std::string c = canonical(k);
        if (c != k && in.has(c)) continue;
        p.set(c, v);
    }

    ProducerConfig cfg;
    for (const auto& [key, value] : p.all()) {
        std::error_code ec;
        bool net_key = cfg.net.set(key, value, ec);
        if (ec) return fail(key + ": bad value");
        if (!net_key && !producer_keys().count(key)) {
            if (key == "transactional.id") return fail("transactional.id: transactions are not supported");
            return fail("unknown producer setting: " + key);
        }
    }

    if (auto acks = p.get("acks")) {
        if (*acks == "all" || *acks == "-1") cfg.acks = -1;
        else if (*acks == "0") cfg.acks = 0;
        else if (*acks == "1") cfg.acks = 1;
        else return fail("acks: expected all, -1, 0 or 1");
    }
    cfg.linger = std::chrono::milliseconds(p.integer("linger.ms", 5, &err, 0, 900000));
    cfg.batch_size = static_cast<size_t>(p.integer("batch.size", 16384, &err, 0, INT32_MAX));
    cfg.buffer_memory = static_cast<size_t>(p.integer("buffer.memory", 33554432, &err, 1, INT64_MAX / 2));
    if (!p.has("buffer.memory") && p.has("queue.buffering.max.kbytes"))
        cfg.buffer_memory = static_cast<size_t>(p.integer("queue.buffering.max.kbytes", 32768, &err, 1, INT32_MAX)) * 1024;
    cfg.max_block = std::chrono::milliseconds(p.integer("max.block.ms", 60000, &err, 0, INT32_MAX));
    if (auto c = p.get("compression.type")) {
        auto parsed = parse_compression(*c);
        if (!parsed) return fail("compression.type: expected none, gzip, snappy, lz4 or zstd");
        if (!compression_available(*parsed)) return fail("compression.type: " + *c + " is not built in");
        cfg.compression = *parsed;
    }
    cfg.max_in_flight = static_cast<int>(p.integer("max.in.flight.requests.per.connection", 5, &err, 1, 1000));
    cfg.request_timeout = std::chrono::milliseconds(p.integer("request.timeout.ms", 30000, &err, 1, INT32_MAX));
    cfg.delivery_timeout = std::chrono::milliseconds(p.integer("delivery.timeout.ms", 120000, &err, 1, INT32_MAX));
    cfg.retries = static_cast<int32_t>(p.integer("retries", INT32_MAX, &err, 0, INT32_MAX));
    cfg.retry_backoff = std::chrono::milliseconds(p.integer("retry.backoff.ms", 100, &err, 0, INT32_MAX));
    cfg.retry_backoff_max = std::chrono::milliseconds(p.integer("retry.backoff.max.ms", 1000, &err, 0, INT32_MAX));
    cfg.max_request_size = static_cast<size_t>(p.integer("max.request.size", 1048576, &err, 1, INT32_MAX));
    cfg.partitioner_ignore_keys = p.boolean("partitioner.ignore.keys", false, &err);
    cfg.partitioner_adaptive = p.boolean("partitioner.adaptive.partitioning.enable", true, &err);
    bool idempotence = p.boolean("enable.idempotence", true, &err);
    if (!err.empty()) return fail(err);
    cfg.retry_backoff_max = std::max(cfg.retry_backoff_max, cfg.retry_backoff);

    // The same settings reach the connections.
    cfg.net.connection.request_timeout = cfg.request_timeout;
    cfg.net.connection.max_in_flight = static_cast<size_t>(cfg.max_in_flight);

    // Idempotence needs acks=all, retries and at most 5 requests in flight
    // (the broker keeps the last 5 batches per producer for de-duplication).
    const bool conflicts = cfg.acks != -1 || cfg.retries == 0 || cfg.max_in_flight > 5;
    if (p.has("enable.idempotence") && idempotence && conflicts) {
        if (cfg.acks != -1) return fail("enable.idempotence=true needs acks=all");
        if (cfg.retries == 0) return fail("enable.idempotence=true needs retries > 0");
        return fail("enable.idempotence=true needs max.in.flight.requests.per.connection <= 5");
    }
    cfg.enable_idempotence = idempotence && !conflicts;

    // Java's rule: a record must be allowed to linger and then wait for one request.
    if (cfg.delivery_timeout < cfg.linger + cfg.request_timeout) {
        if (p.has("delivery.timeout.ms"))
            return fail("delivery.timeout.ms must be at least linger.ms + request.timeout.ms");
        cfg.delivery_timeout = cfg.linger + cfg.request_timeout;
    }
    return cfg;
}

std::string ProducerConfig::describe() const {
    std::string out = net.describe();
    auto line = [&](const char* k, const std::string& v) { out += std::string(k) + "=" + v + "\n"; };
    line("acks", acks == -1 ? "all" : std::to_string(acks));
    line("linger.ms", std::to_string(linger.count()));
    line("batch.size", std::to_string(batch_size));
    line("buffer.memory", std::to_string(buffer_memory));
    line("max.block.ms", std::to_string(max_block.count()));
    line("compression.type", std::string(compression_name(compression)));
    line("delivery.timeout.ms", std::to_string(delivery_timeout.count()));
    line("retries", std::to_string(retries));
    line("retry.backoff.ms", std::to_string(retry_backoff.count()));
    line("retry.backoff.max.ms", std::to_string(retry_backoff_max.count()));
    line("enable.idempotence", enable_idempotence ? "true" : "false");
    line("max.request.size", std::to_string(max_request_size));
    line("partitioner.ignore.keys", partitioner_ignore_keys ? "true" : "false");
    line("partitioner.adaptive.partitioning.enable", partitioner_adaptive ? "true" : "false");
    return out;
}

}  // namespace kafka
