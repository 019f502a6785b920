// kcli topics create|delete|list.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "args.hpp"
#include "client/admin.hpp"
#include "client/admin_format.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage:\n"
    "  kcli -b BROKERS topics list [--internal] [-J]\n"
    "  kcli -b BROKERS topics create -t NAME [-t NAME]... [--partitions N] [--replication-factor R]\n"
    "                  [--config key=value]... [--validate-only] [--auto-create] [-J]\n"
    "  kcli -b BROKERS topics delete -t NAME [-t NAME]... [-J]\n"
    "flags:\n"
    "  -t NAME                 the topic (repeatable)\n"
    "  --partitions N          partition count (default: the broker's, on brokers that allow it)\n"
    "  --replication-factor R  replicas per partition (default: the broker's)\n"
    "  --config key=value      a topic config, e.g. retention.ms=86400000 (repeatable)\n"
    "  --validate-only         ask the broker to check the request without creating anything\n"
    "  --auto-create           if the broker lacks CreateTopics, have it auto-create the topic\n"
    "                          (Metadata with allow_auto_topic_creation): it then picks the partition\n"
    "                          count and replication factor itself. -X allow.auto.create.topics=true\n"
    "                          asks for the same.\n"
    "  --internal              list internal topics too (__consumer_offsets, ...)\n"
    "  -J                      JSON\n"
    "  -b, -X key=value, -F FILE: as for every networked command (see 'kcli metadata --help')\n"
    "Exit status: 0 when every topic succeeded, 1 when one failed, 2 for bad usage.\n";

int usage_error(const std::string& what) {
    std::fprintf(stderr, "kcli topics: %s\n%s", what.c_str(), kHelp);
    return 2;
}

bool parse_int(const std::string& s, long min, long max, long& out) {
    char* end = nullptr;
    out = std::strtol(s.c_str(), &end, 10);
    return end && !*end && !s.empty() && out >= min && out <= max;
}

std::unique_ptr<kafka::Admin> open_admin(const kafka::Properties& props, bool json) {
    auto admin = kafka::Admin::create(props);
    if (!admin) {
        if (json) std::printf("%s\n", kafka::format_error_json(admin.error, admin.message).c_str());
        std::fprintf(stderr, "kcli topics: %s\n", admin.message.c_str());
        return nullptr;
    }
    return std::move(admin.value);
}

int report(const kafka::AdminResult<std::vector<kafka::TopicResult>>& r, bool json, const char* verb) {
    if (json) std::printf("%s\n", r.value.empty() && r.error ? kafka::format_error_json(r.error, r.message).c_str()
                                                             : kafka::format_topic_results_json(r.value).c_str());
    else std::printf("%s", kafka::format_topic_results_text(r.value, verb).c_str());
    if (r.error) std::fprintf(stderr, "kcli topics: %s\n", r.message.c_str());
    return r.error ? 1 : 0;
}

}  // namespace

int cmd_topics(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t", "--partitions", "--replication-factor", "--config"}));
    if (args.has("--help") || args.has("-h")) {
        std::printf("%s", kHelp);
        return 0;
    }
    if (!args.error().empty()) return usage_error(args.error());
    if (auto bad = args.unknown({"-J", "--internal", "--validate-only", "--auto-create"}); !bad.empty())
        return usage_error("unknown flag '" + bad[0] + "'");
    if (args.positional().size() != 1) return usage_error("say list, create or delete");
    const std::string action = args.positional()[0];
    const bool json = args.has("-J");
    const auto names = args.all("-t");
    kafka::Properties props;
    if (!client_properties(args, props, "topics")) return 2;

    if (action == "list") {
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        auto r = admin->list_topics(args.has("--internal"));
        if (!r) {
            if (json) std::printf("%s\n", kafka::format_error_json(r.error, r.message).c_str());
            std::fprintf(stderr, "kcli topics: %s\n", r.message.c_str());
            return 1;
        }
        if (json) std::printf("%s\n", kafka::format_topic_list_json(r.value).c_str());
        else std::printf("%s", kafka::format_topic_list_text(r.value).c_str());
        return 0;
    }

    if (action == "create") {
        if (names.empty()) return usage_error("create needs -t NAME");
        kafka::NewTopic proto;
        long n = 0;
        if (auto p = args.get("--partitions")) {
            if (!parse_int(*p, 1, 1000000, n)) return usage_error("--partitions wants a positive number");
            proto.num_partitions = static_cast<int32_t>(n);
        }
        if (auto rf = args.get("--replication-factor")) {
            if (!parse_int(*rf, 1, 32767, n)) return usage_error("--replication-factor wants a positive number");
            proto.replication_factor = static_cast<int16_t>(n);
        }
        for (const auto& kv : args.all("--config")) {
            auto eq = kv.find('=');
            if (eq == std::string::npos || eq == 0) return usage_error("--config wants key=value");
            proto.configs[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        kafka::CreateTopicsOptions options;
        options.validate_only = args.has("--validate-only");
        options.fall_back_to_auto_create = args.has("--auto-create");
        // allow.auto.create.topics=true given explicitly (-X or -F) asks for
        // the same; the setting's default does not.
        std::string bad;
        if (props.has("allow.auto.create.topics") && props.boolean("allow.auto.create.topics", false, &bad))
            options.fall_back_to_auto_create = true;
        std::vector<kafka::NewTopic> topics;
        for (const auto& name : names) {
            topics.push_back(proto);
            topics.back().name = name;
        }
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        auto r = admin->create_topics(topics, options);
        if (r.error == kafka::client_errc::no_version_in_common && !options.fall_back_to_auto_create)
            r.message += "; add --auto-create to have the broker create it by auto-creation, with its default "
                         "partition count";
        return report(r, json, options.validate_only ? "validated" : "created");
    }

    if (action == "delete") {
        if (names.empty()) return usage_error("delete needs -t NAME");
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        return report(admin->delete_topics(names), json, "deleted");
    }
    return usage_error("unknown action '" + action + "'");
}

}  // namespace kcli
