#include "common.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "client/consumer.hpp"

namespace kcli {

bool read_file(const std::string& path, std::string& out) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    out.clear();
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    const bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

LineReader::~LineReader() { std::free(buf_); }

bool LineReader::next(std::string& line) {
    const ssize_t n = ::getline(&buf_, &cap_, in_);
    if (n < 0) return false;
    size_t len = static_cast<size_t>(n);
    if (len > 0 && buf_[len - 1] == '\n') --len;
    if (len > 0 && buf_[len - 1] == '\r') --len;
    line.assign(buf_, len);
    return true;
}

bool client_properties(const Args& args, kafka::Properties& out, const char* command) {
    if (auto file = args.get("-F")) {
        std::string text;
        if (!read_file(*file, text)) {
            std::fprintf(stderr, "kcli %s: cannot read %s\n", command, file->c_str());
            return false;
        }
        std::string err;
        auto p = kafka::Properties::parse(text, &err);
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
