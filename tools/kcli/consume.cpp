// kcli consume: the console consumer (kcat -C / -G, kafka-console-consumer).
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "args.hpp"
#include "client/consumer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "protocol/field_node.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage: kcli -b BROKERS consume -t TOPIC [-G GROUP] [-p PARTITION] [-o beginning|end|OFFSET|-N|s@MS]\n"
    "                               [-e] [-c N] [-f FORMAT | -J] [-X key=value]... [-F FILE]\n"
    "  prints the records of a topic, one per line (the value, unless -f or -J).\n"
    "  Without -G: every partition of the topic (or -p), from -o (default: end).\n"
    "  With -G: joins the consumer group, which assigns the partitions; offsets are\n"
    "  committed as configured (enable.auto.commit, default on) and again on exit.\n"
    "flags:\n"
    "  -t TOPIC              the topic (repeatable with -G)\n"
    "  -G GROUP              consume in this group (group.id)\n"
    "  -p PARTITION          only this partition (without -G)\n"
    "  -o WHERE              beginning | end | an offset | -N (N before the end) |\n"
    "                        s@MS (the first record at or after a timestamp, ms since the epoch);\n"
    "                        with -G only beginning/end, which set auto.offset.reset\n"
    "  --from-beginning      the same as -o beginning\n"
    "  -e                    exit when every assigned partition has reached its end\n"
    "  -c N                  exit after N records\n"
    "  -f FORMAT             kcat-style format: %t topic, %p partition, %o offset, %k key,\n"
    "                        %s value, %K/%S key/value length, %h headers (k=v,...),\n"
    "                        %T timestamp (ms), %%; \\n \\t \\\\ escapes\n"
    "  -J                    one JSON object per record\n"
    "  -q                    no informational messages on stderr\n"
    "  -X key=value          any consumer setting (auto.offset.reset, fetch.max.bytes, ...)\n"
    "  -F FILE               settings from a key=value file\n";

// A -f format, parsed once.
struct Token {
    char kind;  // 0: literal, else the letter after %
    std::string text;
};

std::vector<Token> parse_format(const std::string& f) {
    std::vector<Token> out;
    std::string lit;
    auto flush = [&] {
        if (!lit.empty()) out.push_back({0, std::exchange(lit, {})});
    };
    for (size_t i = 0; i < f.size(); ++i) {
        char c = f[i];
        if (c == '\\' && i + 1 < f.size()) {
            char n = f[++i];
            lit += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n == '0' ? '\0' : n;
        } else if (c == '%' && i + 1 < f.size()) {
            char n = f[++i];
            if (n == '%') {
                lit += '%';
            } else {
                flush();
                out.push_back({n, {}});
            }
        } else {
            lit += c;
        }
    }
    flush();
    return out;
}

void json_string(std::string& out, std::string_view s) { kafka::append_json_string(out, s); }

void append_number(std::string& out, int64_t v) {
    char buf[24];
    int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
    out.append(buf, static_cast<size_t>(n));
}

void format_record(std::string& out, const std::vector<Token>& fmt, const kafka::ConsumerRecord& r) {
    for (const Token& t : fmt) {
        switch (t.kind) {
            case 0: out += t.text; break;
            case 't': out += r.topic(); break;
            case 'p': append_number(out, r.partition()); break;
            case 'o': append_number(out, r.offset()); break;
            case 'k': out += r.key(); break;
            case 's': out += r.value(); break;
            case 'K': append_number(out, r.key_is_null() ? -1 : static_cast<int64_t>(r.key().size())); break;
            case 'S': append_number(out, r.value_is_null() ? -1 : static_cast<int64_t>(r.value().size())); break;
            case 'T': append_number(out, r.timestamp()); break;
            case 'h': {
                bool first = true;
                for (const auto& h : r.headers()) {
                    if (!first) out += ',';
                    first = false;
                    out += h.key;
                    out += '=';
                    if (!h.value_is_null) out += h.value;
                }
                break;
            }
            default:
                out += '%';
                out += t.kind;
        }
    }
}

void json_record(std::string& out, const kafka::ConsumerRecord& r) {
    out += "{\"topic\":";
    json_string(out, r.topic());
    out += ",\"partition\":";
    append_number(out, r.partition());
    out += ",\"offset\":";
    append_number(out, r.offset());
    out += ",\"tstype\":\"";
    out += r.timestamp_type() == kafka::TimestampType::log_append_time ? "logappend"
           : r.timestamp_type() == kafka::TimestampType::create_time ? "create"
                                                                      : "none";
    out += "\",\"ts\":";
    append_number(out, r.timestamp());
    out += ",\"headers\":[";
    bool first = true;
    for (const auto& h : r.headers()) {
        if (!first) out += ',';
        first = false;
        json_string(out, h.key);
        out += ',';
        if (h.value_is_null) out += "null";
        else json_string(out, h.value);
    }
    out += "],\"key\":";
    if (r.key_is_null()) out += "null";
    else json_string(out, r.key());
    out += ",\"payload\":";
    if (r.value_is_null()) out += "null";
    else json_string(out, r.value());
    out += "}\n";
}

// -o: an offset, -N (N before the end), or s@MS (a timestamp). True when
// `where` is one of them; `offset` gets the number of the first two.
bool parse_where(const std::string& where, long long* offset) {
    const bool time = where.rfind("s@", 0) == 0;
    const char* digits = where.c_str() + (time ? 2 : 0);
    if (!*digits) return false;
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(digits, &end, 10);
    if (errno || !end || *end || (time && v < 0)) return false;
    if (!time) *offset = v;
    return true;
}

}  // namespace

int cmd_consume(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t", "-G", "-p", "-o", "-c", "-f"}));
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli consume: %s\n", args.error().c_str());
        return 2;
    }
    if (args.has("--help") || args.has("-h")) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    auto unknown = args.unknown({"-e", "-J", "-q", "--from-beginning", "--help", "-h"});
    if (!unknown.empty() || !args.positional().empty()) {
        std::fprintf(stderr, "kcli consume: unknown argument %s\n%s",
                     unknown.empty() ? args.positional()[0].c_str() : unknown[0].c_str(), kHelp);
        return 2;
    }
    auto topics = args.all("-t");
    if (topics.empty()) {
        std::fprintf(stderr, "kcli consume: -t TOPIC is required\n");
        return 2;
    }
    kafka::Properties props;
    if (!client_properties(args, props, "consume")) return 2;
    bool quiet = args.has("-q");
    auto group = args.get("-G");
    std::string where = args.has("--from-beginning") ? "beginning" : args.get("-o").value_or("");
    long long where_offset = 0;
    if (!where.empty() && where != "beginning" && where != "end" && !parse_where(where, &where_offset)) {
        std::fprintf(stderr, "kcli consume: -o wants beginning, end, an offset, -N or s@TIMESTAMP_MS, not %s\n",
                     where.c_str());
        return 2;
    }
    if (group && !where.empty() && where != "beginning" && where != "end") {
        std::fprintf(stderr,
                     "kcli consume: with -G a partition starts at the group's committed offset; -o takes only "
                     "beginning or end there (where a partition without one starts)\n");
        return 2;
    }
    if (group) props.set("group.id", *group);
    bool exit_at_end = args.has("-e");
    if (exit_at_end) props.set("enable.partition.eof", "true");
    if (!props.has("client.id")) props.set("client.id", "kcli");
    // With a group, -o beginning/end is where a partition without a committed offset starts.
    if (where == "beginning" || where == "end") props.set("auto.offset.reset", where == "beginning" ? "earliest" : "latest");
    else if (!group && !props.has("auto.offset.reset")) props.set("auto.offset.reset", "latest");

    int64_t limit = -1;
    if (auto c = args.get("-c")) limit = std::strtoll(c->c_str(), nullptr, 10);
    std::vector<Token> fmt;
    bool json = args.has("-J");
    if (auto f = args.get("-f")) fmt = parse_format(*f);
    else fmt = parse_format("%s\\n");

    std::unique_ptr<kafka::Consumer> consumer;
    try {
        consumer = std::make_unique<kafka::Consumer>(props);
    } catch (const kafka::ConfigError& e) {
        std::fprintf(stderr, "kcli consume: %s\n", e.what());
        return 2;
    }
    watch_consumer(consumer.get());
    stop_on_signals();
    std::signal(SIGPIPE, SIG_IGN);

    std::set<kafka::TopicPartition> at_end;
    std::set<kafka::TopicPartition> assigned;
    int rc = 0;
    if (group) {
        kafka::RebalanceListener l;
        l.on_assigned = [&](const std::vector<kafka::TopicPartition>& ps) {
            for (const auto& tp : ps) assigned.insert(tp);
            if (!quiet) std::fprintf(stderr, "%% assigned %zu partition(s)\n", ps.size());
        };
        l.on_revoked = [&](const std::vector<kafka::TopicPartition>& ps) {
            for (const auto& tp : ps) {
                assigned.erase(tp);
                at_end.erase(tp);
            }
        };
        try {
            consumer->subscribe(topics, l);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kcli consume: %s\n", e.what());
            return 2;
        }
    } else {
        if (topics.size() != 1) {
            std::fprintf(stderr, "kcli consume: one -t without -G\n");
            return 2;
        }
        std::vector<kafka::TopicPartition> parts;
        if (auto p = args.get("-p")) {
            parts.push_back({topics[0], static_cast<int32_t>(std::strtol(p->c_str(), nullptr, 10))});
        } else {
            auto ids = consumer->partitions_for(topics[0]);
            if (!ids) {
                std::fprintf(stderr, "kcli consume: topic %s: %s\n", topics[0].c_str(), ids.error().message().c_str());
                return 1;
            }
            for (int32_t id : *ids) parts.push_back({topics[0], id});
        }
        consumer->assign(parts);
        assigned.insert(parts.begin(), parts.end());
        if (where.rfind("s@", 0) == 0) {
            // kcat's s@MS: each partition from its first record at or after MS;
            // a partition with none starts at its end.
            std::map<kafka::TopicPartition, int64_t> times;
            for (const auto& tp : parts) times[tp] = std::strtoll(where.c_str() + 2, nullptr, 10);
            auto found = consumer->offsets_for_times(times);
            if (!found) {
                std::fprintf(stderr, "kcli consume: %s\n", found.error().message().c_str());
                return 1;
            }
            auto ends = consumer->end_offsets(parts);
            if (!ends) {
                std::fprintf(stderr, "kcli consume: %s\n", ends.error().message().c_str());
                return 1;
            }
            for (const auto& tp : parts) {
                auto it = found->find(tp);
                consumer->seek(tp, it != found->end() && it->second ? it->second->offset : (*ends)[tp]);
            }
        } else if (!where.empty() && where != "beginning" && where != "end") {
            long long off = 0;
            parse_where(where, &off);
            std::map<kafka::TopicPartition, int64_t> ends;
            if (off < 0) {
                auto e = consumer->end_offsets(parts);
                if (!e) {
                    std::fprintf(stderr, "kcli consume: %s\n", e.error().message().c_str());
                    return 1;
                }
                ends = *e;
            }
            for (const auto& tp : parts) {
                int64_t o = off >= 0 ? off : std::max<int64_t>(0, ends[tp] + off);
                consumer->seek(tp, o);
            }
        }
    }

    std::string out;
    out.reserve(1 << 20);
    int64_t count = 0;
    while (!stop_requested()) {
        auto recs = consumer->poll(std::chrono::milliseconds(200));
        for (const auto& r : recs) {
            if (json) json_record(out, r);
            else format_record(out, fmt, r);
            if (++count == limit) break;
            if (out.size() > (1 << 19)) {
                std::fwrite(out.data(), 1, out.size(), stdout);
                out.clear();
            }
        }
        for (const auto& ev : recs.events()) {
            if (ev.type == kafka::ConsumerEvent::Type::partition_eof) {
                at_end.insert(ev.partition);
                if (!quiet)
                    std::fprintf(stderr, "%% reached end of %s at offset %lld\n", ev.partition.to_string().c_str(),
                                 static_cast<long long>(ev.offset));
            } else {
                std::fprintf(stderr, "%% %s: %s\n", ev.fatal ? "fatal" : "error", ev.message.c_str());
                if (ev.fatal) {
                    rc = 1;
                    request_stop();
                }
            }
        }
        if (recs.empty() && !out.empty()) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
            std::fflush(stdout);
        }
        if (limit >= 0 && count >= limit) break;
        if (exit_at_end && !assigned.empty()) {
            bool all = true;
            for (const auto& tp : assigned) all = all && at_end.count(tp);
            if (all) break;
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    if (group && consumer->config().enable_auto_commit == false && !quiet)
        std::fprintf(stderr, "%% enable.auto.commit=false: offsets not committed\n");
    consumer->close();  // commits (auto commit) and leaves the group
    watch_consumer(nullptr);
    if (!quiet) std::fprintf(stderr, "%% %lld record(s)\n", static_cast<long long>(count));
    return rc;
}

}  // namespace kcli
