// kcli chart: a live terminal chart of numbers read from a topic. Each record
// value is CSV or a JSON object; one series per field, over a sliding time
// window, redrawn at most ten times a second with plain ANSI escape codes.
// Parsing, the window and the drawing are in chart_render.hpp; this file is
// the consumer loop and the terminal.
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "chart_render.hpp"
#include "client/consumer.hpp"
#include "commands.hpp"
#include "common.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage: kcli -b BROKERS chart -t TOPIC [--fields N,M|name,name] [--window 60s] [-o beginning|end]\n"
    "                             [-G GROUP] [--max-seconds S] [--no-color] [-q] [-X key=value]... [-F FILE]\n"
    "  draws the numbers in a topic's records as a live chart in the terminal, one line per\n"
    "  field, over a sliding time window (each record at its timestamp). A value is CSV\n"
    "  (\"21.5,19.0\") or a JSON object ({\"temp1\": 21.5, \"temp2\": 19.0}; nested members as\n"
    "  \"outer.inner\"). Ctrl-C quits and restores the screen. When standard output is not a\n"
    "  terminal, the chart is printed once, as plain text, on exit.\n"
    "flags:\n"
    "  -t TOPIC            the topic\n"
    "  --fields LIST       what to plot: 1-based positions (CSV columns, or a JSON object's\n"
    "                      numeric members in order) and/or JSON member names, comma-separated;\n"
    "                      default: every numeric field of the first record (up to 8)\n"
    "  --window DURATION   how much time the chart spans: 500ms, 60s (default), 5m, 1h\n"
    "  -o WHERE            beginning | end (default: end, only new records)\n"
    "  -G GROUP            consume in this group (default: every partition, no group)\n"
    "  --max-seconds S     exit after S seconds\n"
    "  --no-color          no colours (also when NO_COLOR is set)\n"
    "  -q                  no summary on standard error\n"
    "  -X key=value        any consumer setting\n"
    "  -F FILE             settings from a key=value file\n";

constexpr auto kMinFrameInterval = std::chrono::milliseconds(100);  // at most ten redraws a second
constexpr auto kIdleFrameInterval = std::chrono::milliseconds(500);  // the window slides on without records

std::atomic<bool> g_resized{false};
void on_resize(int) { g_resized = true; }

void write_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

// The terminal's size, or 80x24 when it cannot be asked.
void screen_size(int& width, int& height) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        width = ws.ws_col;
        height = ws.ws_row;
    } else {
        width = 80;
        height = 24;
    }
}

// The alternate screen with the cursor hidden, for as long as this lives:
// every way out (Ctrl-C, SIGTERM, --max-seconds, an error) gives back the
// screen and the cursor as they were.
class Screen {
public:
    Screen() { write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?25l\x1b[2J"); }
    ~Screen() { write_all(STDOUT_FILENO, "\x1b[0m\x1b[?25h\x1b[?1049l"); }
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;
};

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct ChartState {
    std::string topic;
    std::vector<chart::Field> fields;  // empty until known (no --fields: from the first record)
    std::unique_ptr<chart::Window> window;
    int64_t span_ms = 60000;
    uint64_t records = 0;
    uint64_t skipped = 0;  // no number for any field
    std::string problem;   // the last consumer error, shown in the title

    void ensure_window() {
        if (window) return;
        std::vector<std::string> names;
        for (const auto& f : fields) names.push_back(f.name);
        window = std::make_unique<chart::Window>(std::move(names), span_ms);
    }

    void add(const kafka::ConsumerRecord& r, int64_t now) {
        ++records;
        auto parsed = r.value_is_null() ? std::nullopt : chart::parse_value(r.value());
        if (!parsed) {
            ++skipped;
            return;
        }
        if (fields.empty()) {
            fields = chart::default_fields(*parsed, chart::kStyles);
            if (fields.empty()) {
                ++skipped;
                return;
            }
        }
        ensure_window();
        const int64_t t = r.timestamp() >= 0 ? r.timestamp() : now;
        const auto values = chart::select(*parsed, fields);
        bool any = false;
        for (size_t i = 0; i < values.size(); ++i) {
            if (!values[i]) continue;
            window->add(i, t, *values[i]);
            any = true;
        }
        if (!any) ++skipped;
    }

    chart::Canvas draw(int width, int height, int64_t now) {
        ensure_window();
        const int64_t end = window->end_for(now);
        window->trim(end);
        std::string title = "kcli chart  " + topic + "  window " + chart::format_duration(span_ms) + "  " +
                            std::to_string(records) + " records";
        if (skipped) title += " (" + std::to_string(skipped) + " without numbers)";
        if (!problem.empty()) title += "  ! " + problem;
        else title += "  Ctrl-C quits";
        return chart::render(*window, end, width, height, title, window->live(now));
    }
};

}  // namespace

int cmd_chart(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t", "-G", "-o", "--fields", "--window", "--max-seconds"}));
    if (args.has("--help") || args.has("-h")) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli chart: %s\n", args.error().c_str());
        return 2;
    }
    if (auto bad = args.unknown({"-q", "--no-color"}); !bad.empty() || !args.positional().empty()) {
        std::fprintf(stderr, "kcli chart: unknown argument %s (see --help)\n",
                     (bad.empty() ? args.positional()[0] : bad[0]).c_str());
        return 2;
    }
    ChartState state;
    state.topic = args.get("-t").value_or("");
    if (state.topic.empty()) {
        std::fprintf(stderr, "kcli chart: give a topic with -t (see --help)\n");
        return 2;
    }
    if (auto f = args.get("--fields")) {
        std::string error;
        auto fields = chart::parse_fields(*f, &error);
        if (!fields) {
            std::fprintf(stderr, "kcli chart: %s\n", error.c_str());
            return 2;
        }
        state.fields = std::move(*fields);
    }
    if (auto w = args.get("--window")) {
        auto ms = chart::parse_duration_ms(*w);
        if (!ms) {
            std::fprintf(stderr, "kcli chart: --window wants a duration such as 30s, 5m or 500ms\n");
            return 2;
        }
        state.span_ms = *ms;
    }
    double max_seconds = 0;
    if (auto s = args.get("--max-seconds")) {
        char* end = nullptr;
        max_seconds = std::strtod(s->c_str(), &end);
        if (s->empty() || *end || !(max_seconds > 0)) {
            std::fprintf(stderr, "kcli chart: --max-seconds wants a positive number\n");
            return 2;
        }
    }
    const std::string where = args.get("-o").value_or("end");
    if (where != "beginning" && where != "end") {
        std::fprintf(stderr, "kcli chart: -o wants beginning or end\n");
        return 2;
    }
    const bool quiet = args.has("-q");
    const char* no_color = std::getenv("NO_COLOR");
    const bool colour = !args.has("--no-color") && !(no_color && *no_color);

    kafka::Properties props;
    if (!client_properties(args, props, "chart")) return 2;
    if (!props.has("client.id")) props.set("client.id", "kcli");
    props.set("auto.offset.reset", where == "beginning" ? "earliest" : "latest");
    const auto group = args.get("-G");
    if (group) props.set("group.id", *group);

    std::unique_ptr<kafka::Consumer> consumer;
    try {
        consumer = std::make_unique<kafka::Consumer>(props);
    } catch (const kafka::ConfigError& e) {
        std::fprintf(stderr, "kcli chart: %s\n", e.what());
        return 2;
    }
    if (group) {
        try {
            consumer->subscribe({state.topic});
        } catch (const std::exception& e) {
            std::fprintf(stderr, "kcli chart: %s\n", e.what());
            return 2;
        }
    } else {
        auto ids = consumer->partitions_for(state.topic);
        if (!ids) {
            std::fprintf(stderr, "kcli chart: topic %s: %s\n", state.topic.c_str(), ids.error().message().c_str());
            return 1;
        }
        std::vector<kafka::TopicPartition> parts;
        for (int32_t id : *ids) parts.push_back({state.topic, id});
        consumer->assign(parts);
    }

    watch_consumer(consumer.get());
    stop_on_signals({SIGHUP});
    std::signal(SIGPIPE, SIG_IGN);
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    if (tty) std::signal(SIGWINCH, on_resize);

    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto deadline = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                        max_seconds > 0 ? max_seconds : 1e9));
    int rc = 0;
    std::string fatal;
    {
        std::unique_ptr<Screen> screen;
        if (tty) screen = std::make_unique<Screen>();
        Clock::time_point drawn{};
        bool dirty = true;
        while (!stop_requested()) {
            const auto now = Clock::now();
            if (now >= deadline) break;
            if (tty && (g_resized.exchange(false) || (dirty && now - drawn >= kMinFrameInterval) ||
                        now - drawn >= kIdleFrameInterval)) {
                int width = 0, height = 0;
                screen_size(width, height);
                write_all(STDOUT_FILENO, state.draw(width, height, now_ms()).ansi(colour));
                drawn = now;
                dirty = false;
            }
            const auto wait = std::min<Clock::duration>(kMinFrameInterval, deadline - now);
            auto records = consumer->poll(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
            const int64_t t = now_ms();
            for (const auto& r : records) {
                state.add(r, t);
                state.problem.clear();
                dirty = true;
            }
            for (const auto& ev : records.events()) {
                if (ev.type != kafka::ConsumerEvent::Type::error) continue;
                state.problem = ev.message;
                dirty = true;
                if (!tty) std::fprintf(stderr, "%% %s: %s\n", ev.fatal ? "fatal" : "error", ev.message.c_str());
                if (ev.fatal) {
                    fatal = ev.message;
                    rc = 1;
                    request_stop();
                }
            }
        }
    }  // the screen is restored here
    if (tty && !fatal.empty()) std::fprintf(stderr, "%% fatal: %s\n", fatal.c_str());
    watch_consumer(nullptr);
    consumer->close();
    if (!tty) {
        int width = 0, height = 0;
        screen_size(width, height);
        std::fputs(state.draw(width, height, now_ms()).plain().c_str(), stdout);
        std::fflush(stdout);
    }
    if (!quiet)
        std::fprintf(stderr, "%% %llu record(s), %llu without numbers\n", static_cast<unsigned long long>(state.records),
                     static_cast<unsigned long long>(state.skipped));
    return rc;
}

}  // namespace kcli
