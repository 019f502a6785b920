#include "client/consumer_config.hpp"

#include <set>

#include "client/assignor.hpp"

namespace kafka {

namespace {

const std::set<std::string>& consumer_keys() {
    static const std::set<std::string> keys{
        "group.id", "group.instance.id", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms",
        "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "max.poll.records",
        "partition.assignment.strategy", "fetch.min.bytes", "fetch.max.wait.ms", "fetch.max.bytes",
        "max.partition.fetch.bytes", "queued.max.messages.kbytes", "isolation.level", "enable.partition.eof",
        "check.crcs", "client.rack", "retry.backoff.ms", "default.api.timeout.ms", "consumer.timeout.ms",
        // Accepted for compatibility, no effect here.
        "exclude.internal.topics", "api.version.request", "enable.auto.offset.store", "auto.commit.enable",
    };
    return keys;
}

// Java class names and librdkafka's names map to Kafka's assignor names.
std::string assignor_name(const std::string& s) {
    if (s == "org.apache.kafka.clients.consumer.RangeAssignor") return "range";
    if (s == "org.apache.kafka.clients.consumer.RoundRobinAssignor") return "roundrobin";
    if (s == "org.apache.kafka.clients.consumer.CooperativeStickyAssignor") return "cooperative-sticky";
    return s;
}

}  // namespace

const char* offset_reset_name(OffsetReset r) noexcept {
    switch (r) {
        case OffsetReset::earliest: return "earliest";
        case OffsetReset::latest: return "latest";
        case OffsetReset::none: return "none";
    }
    return "?";
}

Result<ConsumerConfig> ConsumerConfig::from(const Properties& props, std::string* error) {
    ConsumerConfig c;
    std::string err;
    auto fail = [&](std::string msg) -> Result<ConsumerConfig> {
        if (error) *error = std::move(msg);
        return client_errc::invalid_config;
    };

    for (const auto& [k, v] : props.all()) {
        std::error_code ec;
        if (c.net.set(k, v, ec)) {
            if (ec) return fail("bad value for " + k);
            continue;
        }
        if (!consumer_keys().count(k)) return fail("unknown consumer setting " + k);
    }
    if (c.net.bootstrap_servers.empty()) return fail("bootstrap.servers is required");

    c.group_id = props.string("group.id", "");
    if (auto v = props.get("group.instance.id"); v && !v->empty()) c.group_instance_id = *v;

    std::string reset = props.string("auto.offset.reset", "latest");
    if (reset == "earliest" || reset == "smallest" || reset == "beginning") c.auto_offset_reset = OffsetReset::earliest;
    else if (reset == "latest" || reset == "largest" || reset == "end") c.auto_offset_reset = OffsetReset::latest;
    else if (reset == "none" || reset == "error") c.auto_offset_reset = OffsetReset::none;
    else return fail("auto.offset.reset: expected earliest, latest or none");

    c.enable_auto_commit = props.boolean("enable.auto.commit", props.boolean("auto.commit.enable", true, &err), &err);
    c.auto_commit_interval = std::chrono::milliseconds(props.integer("auto.commit.interval.ms", 5000, &err, 1));
    c.session_timeout = std::chrono::milliseconds(props.integer("session.timeout.ms", 45000, &err, 1, INT32_MAX));
    c.heartbeat_interval = std::chrono::milliseconds(props.integer("heartbeat.interval.ms", 3000, &err, 1, INT32_MAX));
    c.max_poll_interval =
        std::chrono::milliseconds(props.integer("max.poll.interval.ms", 300000, &err, 1, INT32_MAX));
    c.max_poll_records = static_cast<int32_t>(props.integer("max.poll.records", 500, &err, 1, INT32_MAX));
    c.fetch_min_bytes = static_cast<int32_t>(props.integer("fetch.min.bytes", 1, &err, 0, INT32_MAX));
    c.fetch_max_wait = std::chrono::milliseconds(props.integer("fetch.max.wait.ms", 500, &err, 0, INT32_MAX));
    c.fetch_max_bytes = static_cast<int32_t>(props.integer("fetch.max.bytes", 52428800, &err, 1, INT32_MAX));
    c.max_partition_fetch_bytes =
        static_cast<int32_t>(props.integer("max.partition.fetch.bytes", 1048576, &err, 1, INT32_MAX));
    c.queued_max_bytes =
        static_cast<size_t>(props.integer("queued.max.messages.kbytes", 65536, &err, 1, INT32_MAX)) * 1024;
    c.enable_partition_eof = props.boolean("enable.partition.eof", false, &err);
    c.check_crcs = props.boolean("check.crcs", true, &err);
    c.client_rack = props.string("client.rack", "");
    c.retry_backoff = std::chrono::milliseconds(props.integer("retry.backoff.ms", 100, &err, 0, INT32_MAX));
    c.default_api_timeout =
        std::chrono::milliseconds(props.integer("default.api.timeout.ms", 60000, &err, 1, INT32_MAX));
    c.consumer_timeout = std::chrono::milliseconds(props.integer("consumer.timeout.ms", -1, &err, -1));
    if (!err.empty()) return fail(err);

    std::string iso = props.string("isolation.level", "read_uncommitted");
    if (iso == "read_uncommitted") c.isolation_level = IsolationLevel::read_uncommitted;
    else if (iso == "read_committed") c.isolation_level = IsolationLevel::read_committed;
    else return fail("isolation.level: expected read_uncommitted or read_committed");

    if (props.has("partition.assignment.strategy")) {
        c.assignment_strategies.clear();
        for (auto& s : props.list("partition.assignment.strategy")) {
            std::string name = assignor_name(s);
            if (!make_assignor(name)) return fail("partition.assignment.strategy: unknown assignor " + s);
            c.assignment_strategies.push_back(name);
        }
        if (c.assignment_strategies.empty()) return fail("partition.assignment.strategy is empty");
    }
    if (c.heartbeat_interval >= c.session_timeout)
        return fail("heartbeat.interval.ms must be lower than session.timeout.ms");
    if (c.group_instance_id && c.group_id.empty()) return fail("group.instance.id needs group.id");
    return c;
}

}  // namespace kafka
