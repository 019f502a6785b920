#include "common.hpp"

#include <atomic>
#include <csignal>
#include <fstream>
#include <sstream>

#include "client/consumer.hpp"

namespace kcli {

bool client_properties(const Args& args, kafka::Properties& out, const char* command) {
    if (auto file = args.get("-F")) {
        std::ifstream in(*file);
        if (!in) {
            std::fprintf(stderr, "kcli %s: cannot read %s\n", command, file->c_str());
            return false;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        std::string err;
        auto p = kafka::Properties::parse(ss.str(), &err);
        if (!p) {
            std::fprintf(stderr, "kcli %s: %s: %s\n", command, file->c_str(), err.c_str());
            return false;
        }
        out = std::move(*p);
    }
    if (auto b = args.get("-b")) out.set("bootstrap.servers", *b);
    for (const auto& kv : args.all("-X")) {
        if (out.set_line(kv)) {
            std::fprintf(stderr, "kcli %s: -X wants key=value, got '%s'\n", command,
                         kv.substr(0, kv.find('=')).c_str());
            return false;
        }
    }
    if (!out.has("bootstrap.servers")) {
        std::fprintf(stderr, "kcli %s: no brokers: give -b host:port (or -X bootstrap.servers=...)\n", command);
        return false;
    }
    return true;
}

namespace {
std::atomic<bool> g_stop{false};
std::atomic<kafka::Consumer*> g_consumer{nullptr};

extern "C" void on_stop_signal(int) {
    g_stop = true;
    if (kafka::Consumer* c = g_consumer.load()) c->wakeup();
}
}  // namespace

void stop_on_signals(std::initializer_list<int> more) {
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    for (int sig : more) std::signal(sig, on_stop_signal);
}
bool stop_requested() { return g_stop; }
void request_stop() { g_stop = true; }
void watch_consumer(kafka::Consumer* consumer) { g_consumer = consumer; }

}  // namespace kcli
