// kcli: one binary for Kafka from the shell.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.hpp"

namespace {

struct Command {
    const char* name;
    int (*run)(int, char**);
    const char* summary;
};

constexpr Command kCommands[] = {
    {"decode", kcli::cmd_decode, "decode captured Kafka frames (kcap), single frames, or record batches"},
    {"consume", kcli::cmd_consume, "print a topic's records; with -G, consume in a group and commit"},
    {"produce", kcli::cmd_produce, "send each line of stdin or of files as a record (-K key delimiter)"},
    {"metadata", kcli::cmd_metadata, "brokers, topics, partitions, leaders, replicas, ISR and API versions"},
    {"topics", kcli::cmd_topics, "list, create or delete topics"},
    {"groups", kcli::cmd_groups, "list and describe consumer groups; committed offsets and lag"},
    {"proxy", kcli::cmd_proxy, "relay a client's traffic to a broker, printing and/or recording it (kcap)"},
    {"chart", kcli::cmd_chart, "a live terminal chart of the numbers in a topic's records (CSV or JSON)"},
    {"bench", kcli::cmd_bench, "measure producing or consuming: msg/s, MB/s, CPU per message, peak RSS"},
};

void usage(FILE* out) {
    std::fprintf(out, "usage: kcli [global flags] <command> [flags]\n\ncommands:\n");
    for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
    std::fprintf(out, "\n'kcli <command> --help' describes each command.\n");
}

}  // namespace

int main(int argc, char** argv) {
    // Global flags (-b, -X) may come before the command: find the first known command name.
    for (int i = 1; i < argc; ++i) {
        for (const auto& c : kCommands) {
            if (std::strcmp(argv[i], c.name) == 0) {
                // Pass the command everything but argv[0] and the command name, globals first.
                std::string name = c.name;
                for (int j = i; j > 1; --j) argv[j] = argv[j - 1];
                argv[1] = const_cast<char*>(c.name);
                return c.run(argc - 2, argv + 2);
            }
        }
    }
    if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
