#include "client/admin_format.hpp"

#include <algorithm>
#include <set>

#include "protocol/api_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/field_node.hpp"
#include "protocol/registry.hpp"

namespace kafka {

// ---------------------------------------------------------------- table

TextTable::TextTable(std::vector<std::string> header, std::vector<bool> right) : right_(std::move(right)) {
    right_.resize(header.size(), false);
    rows_.push_back(std::move(header));
}

void TextTable::add(std::vector<std::string> row) {
    row.resize(rows_.front().size());
    rows_.push_back(std::move(row));
}

std::string TextTable::render(size_t indent) const {
    std::vector<size_t> width(rows_.front().size(), 0);
    for (const auto& row : rows_)
        for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    std::string out;
    for (const auto& row : rows_) {
        std::string line(indent, ' ');
        for (size_t i = 0; i < row.size(); ++i) {
            const size_t pad = width[i] - row[i].size();
            const bool last = i + 1 == row.size();
            if (right_[i]) line += std::string(pad, ' ') + row[i];
            else line += row[i] + (last ? "" : std::string(pad, ' '));
            if (!last) line += "  ";
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

namespace {

std::string join(const std::vector<int32_t>& v, const char* sep = ",") {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + std::to_string(v[i]);
    return s;
}

std::string json_ints(const std::vector<int32_t>& v) { return "[" + join(v) + "]"; }

// Kafka's name for an error ("UNKNOWN_TOPIC_OR_PARTITION"), or our message for local errors.
std::string error_name(std::error_code ec) {
    if (!ec) return {};
    if (ec.category() == broker_category()) return std::string(broker_error_name(static_cast<int16_t>(ec.value())));
    return ec.message();
}

// The error and its message, without saying the same thing twice.
std::string error_text(std::error_code ec, const std::string& message) {
    if (message.empty()) return ec.message();
    if (ec.category() == broker_category()) {
        std::string name = error_name(ec);
        if (message.find(name) == std::string::npos) return name + ": " + message;
    }
    return message;
}

std::string json_error(std::error_code ec) { return ec ? json_quote(error_name(ec)) : "null"; }

std::string json_opt(const std::optional<std::string>& s) { return s ? json_quote(*s) : "null"; }

std::string num_or_dash(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

std::string json_num_or_null(int64_t v) { return v < 0 ? "null" : std::to_string(v); }

}  // namespace

// ---------------------------------------------------------------- cluster

std::string format_cluster_text(const ClusterDescription& c) {
    std::string out = "Metadata";
    if (c.cluster_id) out += " for cluster " + *c.cluster_id;
    if (c.metadata_version >= 0) out += " (Metadata v" + std::to_string(c.metadata_version) + ")";
    out += ":\n " + std::to_string(c.brokers.size()) + " broker" + (c.brokers.size() == 1 ? "" : "s") + ":\n";
    for (const auto& b : c.brokers) {
        out += "  broker " + std::to_string(b.node_id) + " at " + b.host + ":" + std::to_string(b.port);
        if (b.rack) out += " rack " + *b.rack;
        if (b.is_controller) out += " (controller)";
        out += "\n";
    }
    out += " " + std::to_string(c.topics.size()) + " topic" + (c.topics.size() == 1 ? "" : "s") + ":\n";
    for (const auto& t : c.topics) {
        out += "  topic \"" + t.name + "\" with " + std::to_string(t.partitions.size()) + " partition" +
               (t.partitions.size() == 1 ? "" : "s");
        if (t.is_internal) out += " (internal)";
        if (t.error) out += ": " + error_name(t.error);
        out += "\n";
        if (t.partitions.empty()) continue;
        const bool errors = std::any_of(t.partitions.begin(), t.partitions.end(),
                                        [](const PartitionDescription& p) { return bool(p.error); });
        std::vector<std::string> header{"partition", "leader", "replicas", "isr"};
        if (errors) header.push_back("error");
        TextTable table(header, {true, true, false, false, false});
        for (const auto& p : t.partitions) {
            std::vector<std::string> row{std::to_string(p.partition), std::to_string(p.leader), join(p.replicas),
                                         join(p.isr)};
            if (errors) row.push_back(error_name(p.error));
            table.add(std::move(row));
        }
        out += table.render(4);
    }

    // One table: a row per API any broker lists, a column per broker, and the
    // versions this client implements.
    std::set<int16_t> keys;
    bool any = false;
    for (const auto& b : c.brokers) {
        for (const auto& v : b.api_versions) keys.insert(v.api_key);
        any |= !b.api_versions.empty() || b.api_versions_error;
    }
    if (!any) return out;
    out += " API versions:\n";
    std::vector<std::string> header{"api", "key"};
    std::vector<bool> right{false, true};
    for (const auto& b : c.brokers) {
        header.push_back("broker " + std::to_string(b.node_id));
        right.push_back(false);
    }
    header.push_back("client");
    right.push_back(false);
    TextTable table(header, right);
    for (int16_t k : keys) {
        std::vector<std::string> row{api_name(k), std::to_string(k)};
        for (const auto& b : c.brokers) {
            auto it = std::find_if(b.api_versions.begin(), b.api_versions.end(),
                                   [k](const ApiVersionRange& r) { return r.api_key == k; });
            row.push_back(it == b.api_versions.end() ? "-"
                                                      : std::to_string(it->min_version) + "-" + std::to_string(it->max_version));
        }
        const ApiCodec* codec = find_codec(k);
        row.push_back(codec ? std::to_string(codec->versions.min) + "-" + std::to_string(codec->versions.max) : "-");
        table.add(std::move(row));
    }
    out += table.render(2);
    for (const auto& b : c.brokers)
        if (b.api_versions_error)
            out += "  broker " + std::to_string(b.node_id) + ": no API versions (" + b.api_versions_error.message() + ")\n";
    return out;
}

std::string format_cluster_json(const ClusterDescription& c) {
    std::string s = "{\"cluster_id\":" + json_opt(c.cluster_id) + ",\"controller_id\":" + std::to_string(c.controller_id) +
                    ",\"metadata_version\":" + std::to_string(c.metadata_version) + ",\"brokers\":[";
    for (size_t i = 0; i < c.brokers.size(); ++i) {
        const auto& b = c.brokers[i];
        s += i ? "," : "";
        s += "{\"id\":" + std::to_string(b.node_id) + ",\"host\":" + json_quote(b.host) + ",\"port\":" +
             std::to_string(b.port) + ",\"rack\":" + json_opt(b.rack) + ",\"controller\":" +
             (b.is_controller ? "true" : "false") + ",\"api_versions\":[";
        for (size_t j = 0; j < b.api_versions.size(); ++j) {
            const auto& v = b.api_versions[j];
            s += j ? "," : "";
            s += "{\"api_key\":" + std::to_string(v.api_key) + ",\"name\":" + json_quote(api_name(v.api_key)) +
                 ",\"min_version\":" + std::to_string(v.min_version) + ",\"max_version\":" + std::to_string(v.max_version) +
                 "}";
        }
        s += "]";
        if (b.api_versions_error) s += ",\"api_versions_error\":" + json_quote(b.api_versions_error.message());
        s += "}";
    }
    s += "],\"topics\":[";
    for (size_t i = 0; i < c.topics.size(); ++i) {
        const auto& t = c.topics[i];
        s += i ? "," : "";
        s += "{\"name\":" + json_quote(t.name) + ",\"internal\":" + (t.is_internal ? "true" : "false") +
             ",\"error\":" + json_error(t.error) + ",\"partitions\":[";
        for (size_t j = 0; j < t.partitions.size(); ++j) {
            const auto& p = t.partitions[j];
            s += j ? "," : "";
            s += "{\"partition\":" + std::to_string(p.partition) + ",\"leader\":" + std::to_string(p.leader) +
                 ",\"replicas\":" + json_ints(p.replicas) + ",\"isr\":" + json_ints(p.isr) +
                 ",\"error\":" + json_error(p.error) + "}";
        }
        s += "]}";
    }
    return s + "]}";
}

// ---------------------------------------------------------------- topics

std::string format_topic_list_text(const std::vector<TopicListing>& topics) {
    TextTable table({"topic", "partitions", "replication"}, {false, true, true});
    for (const auto& t : topics)
        table.add({t.name + (t.is_internal ? " (internal)" : ""), std::to_string(t.partitions),
                   std::to_string(t.replication_factor)});
    return table.render();
}

std::string format_topic_list_json(const std::vector<TopicListing>& topics) {
    std::string s = "{\"topics\":[";
    for (size_t i = 0; i < topics.size(); ++i) {
        const auto& t = topics[i];
        s += i ? "," : "";
        s += "{\"name\":" + json_quote(t.name) + ",\"internal\":" + (t.is_internal ? "true" : "false") +
             ",\"partitions\":" + std::to_string(t.partitions) + ",\"replication_factor\":" +
             std::to_string(t.replication_factor) + "}";
    }
    return s + "]}";
}

std::string format_topic_results_text(const std::vector<TopicResult>& results, const std::string& verb) {
    std::string out;
    for (const auto& r : results) {
        if (r.error) {
            out += "topic \"" + r.name + "\" not " + verb + ": " + error_text(r.error, r.message) + "\n";
            continue;
        }
        out += "topic \"" + r.name + "\" " + verb;
        if (r.num_partitions >= 0)
            out += " with " + std::to_string(r.num_partitions) + " partition" + (r.num_partitions == 1 ? "" : "s");
        if (r.replication_factor >= 0) out += ", replication factor " + std::to_string(r.replication_factor);
        out += "\n";
        if (!r.settings_applied || r.auto_created) out += "  note: " + r.message + "\n";
    }
    return out;
}

std::string format_topic_results_json(const std::vector<TopicResult>& results) {
    std::string s = "{\"topics\":[";
    for (size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        s += i ? "," : "";
        s += "{\"name\":" + json_quote(r.name) + ",\"error\":" + json_error(r.error) +
             ",\"message\":" + (r.message.empty() ? "null" : json_quote(r.message)) +
             ",\"partitions\":" + json_num_or_null(r.num_partitions) +
             ",\"replication_factor\":" + json_num_or_null(r.replication_factor) +
             ",\"auto_created\":" + (r.auto_created ? "true" : "false") +
             ",\"settings_applied\":" + (r.settings_applied ? "true" : "false") + "}";
    }
    return s + "]}";
}

// ---------------------------------------------------------------- groups

std::string format_group_list_text(const std::vector<GroupListing>& groups) {
    TextTable table({"group", "protocol type", "state", "coordinator"}, {false, false, false, true});
    for (const auto& g : groups)
        table.add({g.group_id, g.protocol_type, g.state.empty() ? "-" : g.state, std::to_string(g.coordinator)});
    return table.render();
}

std::string format_group_list_json(const std::vector<GroupListing>& groups) {
    std::string s = "{\"groups\":[";
    for (size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        s += i ? "," : "";
        s += "{\"group\":" + json_quote(g.group_id) + ",\"protocol_type\":" + json_quote(g.protocol_type) +
             ",\"state\":" + (g.state.empty() ? "null" : json_quote(g.state)) +
             ",\"coordinator\":" + std::to_string(g.coordinator) + "}";
    }
    return s + "]}";
}

namespace {

std::string partitions_text(const std::vector<TopicPartition>& tps) {
    // "orders[0,1,2] payments[3]"
    std::string s;
    for (size_t i = 0; i < tps.size();) {
        size_t j = i;
        std::vector<int32_t> ps;
        while (j < tps.size() && tps[j].topic == tps[i].topic) ps.push_back(tps[j++].partition);
        s += (s.empty() ? "" : " ") + tps[i].topic + "[" + join(ps) + "]";
        i = j;
    }
    return s;
}

}  // namespace

std::string format_group_descriptions_text(const std::vector<GroupDescription>& groups) {
    std::string out;
    for (const auto& g : groups) {
        out += "group \"" + g.group_id + "\"";
        if (g.error) {
            out += ": " + error_text(g.error, g.message) + "\n";
            continue;
        }
        out += ": state " + g.state + ", protocol type " + (g.protocol_type.empty() ? "-" : g.protocol_type) +
               ", protocol " + (g.protocol.empty() ? "-" : g.protocol) + ", coordinator " + std::to_string(g.coordinator) +
               " (" + g.coordinator_host + ":" + std::to_string(g.coordinator_port) + ")\n";
        out += " " + std::to_string(g.members.size()) + " member" + (g.members.size() == 1 ? "" : "s") + "\n";
        if (g.members.empty()) continue;
        TextTable table({"member", "client id", "host", "assignment"});
        for (const auto& m : g.members) {
            std::string assignment = partitions_text(m.assignment);
            if (m.decode_error) assignment = "(not consumer protocol: " + m.decode_error.message() + ")";
            table.add({m.member_id + (m.group_instance_id ? " (static " + *m.group_instance_id + ")" : ""), m.client_id,
                       m.client_host, assignment.empty() ? "-" : assignment});
        }
        out += table.render(2);
    }
    return out;
}

std::string format_group_descriptions_json(const std::vector<GroupDescription>& groups) {
    std::string s = "{\"groups\":[";
    for (size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        s += i ? "," : "";
        s += "{\"group\":" + json_quote(g.group_id) + ",\"error\":" + json_error(g.error) +
             ",\"message\":" + (g.message.empty() ? "null" : json_quote(g.message)) + ",\"state\":" + json_quote(g.state) +
             ",\"protocol_type\":" + json_quote(g.protocol_type) + ",\"protocol\":" + json_quote(g.protocol) +
             ",\"coordinator\":" + std::to_string(g.coordinator) + ",\"members\":[";
        for (size_t j = 0; j < g.members.size(); ++j) {
            const auto& m = g.members[j];
            s += j ? "," : "";
            s += "{\"member_id\":" + json_quote(m.member_id) + ",\"group_instance_id\":" + json_opt(m.group_instance_id) +
                 ",\"client_id\":" + json_quote(m.client_id) + ",\"client_host\":" + json_quote(m.client_host) +
                 ",\"subscription\":[";
            for (size_t k = 0; k < m.subscribed_topics.size(); ++k)
                s += (k ? "," : "") + json_quote(m.subscribed_topics[k]);
            s += "],\"assignment\":[";
            for (size_t k = 0; k < m.assignment.size(); ++k)
                s += std::string(k ? "," : "") + "{\"topic\":" + json_quote(m.assignment[k].topic) +
                     ",\"partition\":" + std::to_string(m.assignment[k].partition) + "}";
            s += "]";
            if (m.decode_error) s += ",\"decode_error\":" + json_quote(m.decode_error.message());
            s += "}";
        }
        s += "]}";
    }
    return s + "]}";
}

// ---------------------------------------------------------------- lag

std::string format_group_lag_text(const GroupLag& lag) {
    std::string out = "group \"" + lag.group_id + "\"";
    if (!lag.state.empty()) out += ", state " + lag.state;
    if (lag.coordinator >= 0) out += ", coordinator " + std::to_string(lag.coordinator);
    out += "\n";
    const bool members = lag.members_note.empty();
    std::vector<std::string> header{"topic", "partition", "end offset", "committed", "lag"};
    std::vector<bool> right{false, true, true, true, true};
    if (members) {
        header.insert(header.end(), {"member", "client id", "host"});
        right.insert(right.end(), {false, false, false});
    }
    TextTable table(header, right);
    for (const auto& p : lag.partitions) {
        std::vector<std::string> row{p.partition.topic, std::to_string(p.partition.partition), num_or_dash(p.end_offset),
                                     num_or_dash(p.committed_offset), num_or_dash(p.lag)};
        if (members) row.insert(row.end(), {p.member_id.empty() ? "-" : p.member_id, p.client_id, p.client_host});
        if (p.error) row.back() += (row.back().empty() ? "" : " ") + std::string("(") + error_name(p.error) + ")";
        table.add(std::move(row));
    }
    // With nothing committed there is no lag to add up: "-", as in the rows.
    bool any_committed = false;
    for (const auto& p : lag.partitions) any_committed = any_committed || p.committed_offset >= 0;
    std::vector<std::string> total{"total", "", std::to_string(lag.total_end),
                                   any_committed ? std::to_string(lag.total_committed) : "-",
                                   any_committed ? std::to_string(lag.total_lag) : "-"};
    if (members) total.insert(total.end(), {"", "", ""});
    table.add(std::move(total));
    out += table.render();
    if (lag.partitions.empty()) out += "(no committed offsets)\n";
    if (!members) out += "members: unknown (" + lag.members_note + ")\n";
    return out;
}

std::string format_group_lag_json(const GroupLag& lag) {
    std::string s = "{\"group\":" + json_quote(lag.group_id) + ",\"state\":" +
                    (lag.state.empty() ? "null" : json_quote(lag.state)) + ",\"coordinator\":" +
                    std::to_string(lag.coordinator) + ",\"partitions\":[";
    for (size_t i = 0; i < lag.partitions.size(); ++i) {
        const auto& p = lag.partitions[i];
        s += i ? "," : "";
        s += "{\"topic\":" + json_quote(p.partition.topic) + ",\"partition\":" + std::to_string(p.partition.partition) +
             ",\"end_offset\":" + json_num_or_null(p.end_offset) + ",\"committed_offset\":" +
             json_num_or_null(p.committed_offset) + ",\"lag\":" + json_num_or_null(p.lag) +
             ",\"member_id\":" + (p.member_id.empty() ? "null" : json_quote(p.member_id)) +
             ",\"client_id\":" + (p.client_id.empty() ? "null" : json_quote(p.client_id)) +
             ",\"error\":" + json_error(p.error) + "}";
    }
    s += "],\"total_end_offset\":" + std::to_string(lag.total_end) + ",\"total_committed\":" +
         std::to_string(lag.total_committed) + ",\"total_lag\":" + std::to_string(lag.total_lag);
    s += ",\"members_note\":" + (lag.members_note.empty() ? std::string("null") : json_quote(lag.members_note));
    return s + "}";
}

std::string format_error_json(std::error_code ec, const std::string& message) {
    return "{\"error\":" + json_quote(error_name(ec)) + ",\"message\":" + json_quote(message) + "}";
}

}  // namespace kafka
