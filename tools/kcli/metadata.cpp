// kcli metadata: brokers, topics, partitions, leaders, replicas and ISR, and
// the API versions each broker supports, like kcat -L.
#include <cstdio>
#include <memory>

#include "args.hpp"
#include "client/admin.hpp"
#include "client/admin_format.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage: kcli -b BROKERS metadata [-t TOPIC]... [--no-api-versions] [-J] [-X key=value]... [-F FILE]\n"
    "  Lists the brokers (the controller marked), every topic (or the -t ones) with its partitions,\n"
    "  leaders, replicas and ISR, and the API versions each broker supports next to the ones this\n"
    "  client implements. Asking for a topic never creates it.\n"
    "flags:\n"
    "  -b BROKERS          bootstrap servers, host:port[,host:port...]\n"
    "  -t TOPIC            only this topic (repeatable); exit status 1 if one is missing\n"
    "  --no-api-versions   skip the per-broker ApiVersions requests\n"
    "  -J                  one JSON object\n"
    "  -X key=value        any client setting (security.protocol, sasl.mechanism, sasl.username,\n"
    "                      sasl.password, request.timeout.ms, debug=protocol, ...)\n"
    "  -F FILE             settings from a key=value file\n";

}  // namespace

int cmd_metadata(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t"}));
    if (args.has("--help") || args.has("-h")) {
        std::printf("%s", kHelp);
        return 0;
    }
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli metadata: %s\n", args.error().c_str());
        return 2;
    }
    if (auto bad = args.unknown({"-J", "--no-api-versions"}); !bad.empty() || !args.positional().empty()) {
        std::fprintf(stderr, "kcli metadata: unknown argument '%s'\n%s",
                     (bad.empty() ? args.positional()[0] : bad[0]).c_str(), kHelp);
        return 2;
    }
    const bool json = args.has("-J");
    kafka::Properties props;
    if (!client_properties(args, props, "metadata")) return 2;

    auto admin = kafka::Admin::create(props);
    if (!admin) {
        if (json) std::printf("%s\n", kafka::format_error_json(admin.error, admin.message).c_str());
        std::fprintf(stderr, "kcli metadata: %s\n", admin.message.c_str());
        return 1;
    }
    kafka::DescribeClusterOptions options;
    options.topics = args.all("-t");
    options.api_versions = !args.has("--no-api-versions");
    auto cluster = admin.value->describe_cluster(options);
    if (!cluster) {
        if (json) std::printf("%s\n", kafka::format_error_json(cluster.error, cluster.message).c_str());
        std::fprintf(stderr, "kcli metadata: %s\n", cluster.message.c_str());
        return 1;
    }
    if (json) std::printf("%s\n", kafka::format_cluster_json(cluster.value).c_str());
    else std::printf("%s", kafka::format_cluster_text(cluster.value).c_str());
    int status = 0;
    if (!options.topics.empty())
        for (const auto& t : cluster.value.topics)
            if (t.error) {
                std::fprintf(stderr, "kcli metadata: topic '%s': %s\n", t.name.c_str(), t.error.message().c_str());
                status = 1;
            }
    return status;
}

}  // namespace kcli
