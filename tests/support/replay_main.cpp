// The replay broker as a process, for shell-level tests of kcli:
//
//   replay_broker [--verbatim] [--require-all] [--ignore PATH]... [-s SECONDS] FILE.kcap
//
// Prints "127.0.0.1:PORT" on the first line of stdout, then serves FILE until
// stdin closes, SIGINT/SIGTERM, or SECONDS pass (default 600). Brokers in
// Metadata and FindCoordinator responses point back at the replay, so a
// client that follows them stays on it (--verbatim: the recorded bytes).
// At the end it prints the failures (and the recorded requests never served)
// on stderr. Exit status: 0 when every request matched (and, with
// --require-all, every recorded request was served), 1 otherwise, 2 on a
// usage or file error.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "tests/support/replay_broker.hpp"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int usage(const char* argv0) {
    std::fprintf(stderr, "usage: %s [--verbatim] [--require-all] [--ignore PATH]... [-s SECONDS] FILE.kcap\n", argv0);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    kafka::test::ReplayOptions options;
    options.rewrite_broker_addresses = true;
    bool require_all = false;
    int seconds = 600;
    std::string file;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--verbatim") {
            options.rewrite_broker_addresses = false;
        } else if (a == "--require-all") {
            require_all = true;
        } else if (a == "--ignore" && i + 1 < argc) {
            options.ignore.push_back(argv[++i]);
        } else if (a == "-s" && i + 1 < argc) {
            seconds = std::atoi(argv[++i]);
        } else if (!a.empty() && a[0] == '-') {
            return usage(argv[0]);
        } else if (file.empty()) {
            file = a;
        } else {
            return usage(argv[0]);
        }
    }
    if (file.empty()) return usage(argv[0]);

    kafka::KcapFile recording;
    try {
        recording = kafka::test::load_kcap_file(file);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "replay_broker: %s\n", e.what());
        return 2;
    }

    kafka::test::ReplayBroker broker(std::move(recording), options);
    std::printf("%s\n", broker.address().c_str());
    std::fflush(stdout);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!g_stop && std::chrono::steady_clock::now() < end) {
        pollfd p{0, POLLIN, 0};
        int n = poll(&p, 1, 200);
        if (n > 0) {
            char buf[256];
            if (read(0, buf, sizeof buf) <= 0) break;  // stdin closed
        }
    }

    auto failures = broker.failures();
    auto unserved = broker.unserved();
    for (const auto& f : failures) std::fprintf(stderr, "replay failure: %s\n", f.c_str());
    for (const auto& u : unserved) std::fprintf(stderr, "not served: %s\n", u.c_str());
    if (!failures.empty() || (require_all && !unserved.empty())) return 1;
    return 0;
}
