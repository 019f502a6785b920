// kcli groups list|describe|lag.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "args.hpp"
#include "client/admin.hpp"
#include "client/admin_format.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage:\n"
    "  kcli -b BROKERS groups list [-J]\n"
    "  kcli -b BROKERS groups describe -G GROUP [-G GROUP]... [-J]\n"
    "  kcli -b BROKERS groups lag -G GROUP [-t TOPIC]... [-p PARTITION] [--watch [SECONDS]] [--count N] [-J]\n"
    "  list       every group of every broker, with its protocol type, state and coordinator\n"
    "  describe   state, assignor and members, with each member's assigned partitions\n"
    "  lag        per partition: end offset, committed offset and lag, with totals, and the member\n"
    "             that owns it when the broker can describe groups\n"
    "flags:\n"
    "  -G GROUP          the group (a bare name works too)\n"
    "  -t TOPIC          lag: these topics only, every partition of them (repeatable)\n"
    "  -p PARTITION      lag: this partition only\n"
    "  --watch [SECONDS] lag: refresh every SECONDS (default 2) until interrupted\n"
    "  --count N         with --watch: stop after N refreshes\n"
    "  -J                JSON (with --watch: one object per line)\n"
    "  -b, -X key=value, -F FILE: as for every networked command (see 'kcli metadata --help')\n"
    "Exit status: 0 on success, 1 when the cluster could not answer, 2 for bad usage.\n";


int usage_error(const std::string& what) {
    std::fprintf(stderr, "kcli groups: %s\n%s", what.c_str(), kHelp);
    return 2;
}

bool parse_long(const std::string& s, long min, long& out) {
    char* end = nullptr;
    out = std::strtol(s.c_str(), &end, 10);
    return !s.empty() && end && !*end && out >= min;
}

// "--watch" takes an optional value: "--watch 5" becomes "--watch=5" and a
// bare "--watch" becomes "--watch=2", so the flag parser sees one form.
std::vector<std::string> normalize_watch(int argc, char** argv) {
    std::vector<std::string> out;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--watch") {
            long n = 0;
            if (i + 1 < argc && parse_long(argv[i + 1], 1, n)) {
                out.push_back("--watch=" + std::string(argv[++i]));
            } else {
                out.push_back("--watch=2");
            }
            continue;
        }
        out.push_back(a);
    }
    return out;
}

std::unique_ptr<kafka::Admin> open_admin(const kafka::Properties& props, bool json) {
    auto admin = kafka::Admin::create(props);
    if (!admin) {
        if (json) std::printf("%s\n", kafka::format_error_json(admin.error, admin.message).c_str());
        std::fprintf(stderr, "kcli groups: %s\n", admin.message.c_str());
        return nullptr;
    }
    return std::move(admin.value);
}

template <class T>
int fail(const kafka::AdminResult<T>& r, bool json) {
    if (json) std::printf("%s\n", kafka::format_error_json(r.error, r.message).c_str());
    std::fprintf(stderr, "kcli groups: %s\n", r.message.c_str());
    return 1;
}

std::string now_text() {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
    return buf;
}

int lag(kafka::Admin& admin, const std::string& group, const Args& args, bool json) {
    const auto topics = args.all("-t");
    long only_partition = -1;
    if (auto p = args.get("-p"))
        if (!parse_long(*p, 0, only_partition)) return usage_error("-p wants a partition number");
    long every = 0, count = 0;
    if (auto w = args.get("--watch"))
        if (!parse_long(*w, 1, every)) return usage_error("--watch wants a number of seconds");
    if (auto c = args.get("--count"))
        if (!parse_long(*c, 1, count)) return usage_error("--count wants a positive number");
    const bool tty = !json && isatty(STDOUT_FILENO);
    if (every > 0) {
        stop_on_signals();
    }
    int status = 0;
    for (long round = 1;; ++round) {
        auto r = admin.group_lag(group, topics);
        if (only_partition >= 0) {
            auto& ps = r.value.partitions;
            for (size_t i = 0; i < ps.size();)
                if (ps[i].partition.partition != only_partition) ps.erase(ps.begin() + static_cast<std::ptrdiff_t>(i));
                else ++i;
            r.value.total_end = r.value.total_committed = r.value.total_lag = 0;
            for (const auto& p : ps) {
                if (p.end_offset >= 0) r.value.total_end += p.end_offset;
                if (p.committed_offset >= 0) r.value.total_committed += p.committed_offset;
                if (p.lag >= 0) r.value.total_lag += p.lag;
            }
        }
        const bool hard_failure = r.error && r.value.partitions.empty();
        status = hard_failure ? 1 : 0;
        if (hard_failure) {
            fail(r, json);
        } else {
            if (every > 0 && tty) std::printf("\033[H\033[2J");  // redraw in place
            if (every > 0 && !json) std::printf("%s  every %lds\n", now_text().c_str(), every);
            if (json) std::printf("%s\n", kafka::format_group_lag_json(r.value).c_str());
            else std::printf("%s", kafka::format_group_lag_text(r.value).c_str());
            if (r.error) std::fprintf(stderr, "kcli groups: %s\n", r.message.c_str());
        }
        std::fflush(stdout);
        if (every == 0 || (count > 0 && round >= count)) break;
        // Sleep in slices so that Ctrl-C ends it at once.
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(every);
        while (!stop_requested() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (stop_requested()) break;
        if (!json && !tty) std::printf("\n");
    }
    return status;
}

}  // namespace

int cmd_groups(int argc, char** argv) {
    auto normalized = normalize_watch(argc, argv);
    std::vector<char*> ptrs;
    for (auto& s : normalized) ptrs.push_back(s.data());
    Args args(static_cast<int>(ptrs.size()), ptrs.data(), with_common({"-G", "-t", "-p", "--watch", "--count"}));
    if (args.has("--help") || args.has("-h")) {
        std::printf("%s", kHelp);
        return 0;
    }
    if (!args.error().empty()) return usage_error(args.error());
    if (auto bad = args.unknown({"-J"}); !bad.empty()) return usage_error("unknown flag '" + bad[0] + "'");
    if (args.positional().empty()) return usage_error("say list, describe or lag");
    const std::string action = args.positional()[0];
    std::vector<std::string> groups = args.all("-G");
    groups.insert(groups.end(), args.positional().begin() + 1, args.positional().end());
    const bool json = args.has("-J");
    kafka::Properties props;
    if (!client_properties(args, props, "groups")) return 2;

    if (action == "list") {
        if (!groups.empty()) return usage_error("list takes no group");
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        auto r = admin->list_groups();
        if (!r && r.value.empty()) return fail(r, json);
        if (json) std::printf("%s\n", kafka::format_group_list_json(r.value).c_str());
        else std::printf("%s", kafka::format_group_list_text(r.value).c_str());
        if (r.error) std::fprintf(stderr, "kcli groups: %s\n", r.message.c_str());
        return 0;
    }
    if (action == "describe") {
        if (groups.empty()) return usage_error("describe needs -G GROUP");
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        auto r = admin->describe_groups(groups);
        if (json) std::printf("%s\n", kafka::format_group_descriptions_json(r.value).c_str());
        else std::printf("%s", kafka::format_group_descriptions_text(r.value).c_str());
        if (r.error) std::fprintf(stderr, "kcli groups: %s\n", r.message.c_str());
        return r.error ? 1 : 0;
    }
    if (action == "lag") {
        if (groups.size() != 1) return usage_error("lag needs one -G GROUP");
        auto admin = open_admin(props, json);
        if (!admin) return 1;
        return lag(*admin, groups[0], args, json);
    }
    return usage_error("unknown action '" + action + "'");
}

}  // namespace kcli
