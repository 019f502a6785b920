// kcli chart against the librdkafka mock (3 brokers). In a real terminal:
// tmux runs kcli on a 100x30 screen of its own (its own server socket,
// killed at the end whatever happens) and capture-pane reads back what the
// screen shows. Without a terminal: the chart is printed once, as text.
// The readings are what examples/produce_sensors writes.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "client/producer.hpp"
#include "test_kcli_admin_support.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

bool have_tmux() { return run({"sh", "-c", "command -v tmux"}, {}, 10s).code == 0; }

// A tmux server of our own, on its own socket (-L) so that no other session
// is touched; kill-server when this goes out of scope, on failure too, and
// the socket file goes with it. Sessions are named; "chart" unless told.
class Tmux {
public:
    Tmux() : socket_("kcli-chart-test-" + std::to_string(::getpid())) {}
    ~Tmux() {
        if (socket_path_.empty()) return;
        run({"tmux", "-L", socket_, "kill-server"}, {}, 10s);
        ::unlink(socket_path_.c_str());
    }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    // A detached session running `command` (through the shell) on a width x height screen.
    RunResult start(const std::string& session, const std::string& command, int width, int height) {
        auto r = cmd({"new-session", "-d", "-x", std::to_string(width), "-y", std::to_string(height), "-s", session,
                      command});
        if (r.code == 0 && socket_path_.empty()) socket_path_ = show("#{socket_path}", session);
        return r;
    }
    RunResult cmd(std::vector<std::string> args) {
        args.insert(args.begin(), {"tmux", "-L", socket_, "-f", "/dev/null"});
        return run(args, {}, 10s);
    }
    std::string screen(const std::string& session = "chart", bool escapes = false) {
        if (escapes) return cmd({"capture-pane", "-p", "-e", "-t", session}).out;
        return cmd({"capture-pane", "-p", "-t", session}).out;
    }
    std::string show(const std::string& format, const std::string& session = "chart") {
        auto r = cmd({"display-message", "-p", "-t", session, format});
        while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
        return r.out;
    }
    // Polls the screen (bounded) until `ok` says yes; returns the last one.
    template <class Ok>
    std::string wait_for(Ok ok, std::chrono::milliseconds limit = 20s, const std::string& session = "chart") {
        const auto end = std::chrono::steady_clock::now() + limit;
        std::string s;
        while (std::chrono::steady_clock::now() < end) {
            s = screen(session);
            if (ok(s)) break;
            std::this_thread::sleep_for(200ms);
        }
        return s;
    }

private:
    std::string socket_;
    std::string socket_path_;  // known once the server runs
};

// Readings like examples/produce_sensors writes, every 50 ms on a thread of
// its own until stopped: temp1 within 20..23, temp2 within 16..18.
class Sensors {
public:
    Sensors(const MockCluster& mock, std::string topic)
        : topic_(std::move(topic)), producer_({{"bootstrap.servers", mock.bootstraps()}, {"linger.ms", "0"}}) {
        producer_.send_sync(ProducerRecord(topic_, reading(0)));  // the topic is there and reachable
        thread_ = std::thread([this] {
            for (int i = 1; !stop_ && i < 2000; ++i) {
                producer_.send(ProducerRecord(topic_, reading(i)));
                std::this_thread::sleep_for(50ms);
            }
        });
    }
    ~Sensors() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        producer_.close(5s);
    }

    static std::string reading(int i) {
        const double temp1 = 21.5 + 1.5 * std::sin(i / 10.0);
        const double temp2 = 17.0 + 1.0 * std::cos(i / 7.0);
        char json[128];
        std::snprintf(json, sizeof json, "{\"ts\": %lld, \"temp1\": %.2f, \"temp2\": %.2f}",
                      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count()),
                      temp1, temp2);
        return json;
    }

private:
    std::string topic_;
    Producer producer_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
        size_t nl = text.find('\n', at);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(at, nl - at));
        at = nl + 1;
    }
    return out;
}

// The number a legend entry such as "* temp1 21.53" shows, or NAN.
double legend_value(const std::string& screen, const std::string& entry) {
    const size_t at = screen.find(entry);
    if (at == std::string::npos) return NAN;
    return std::strtod(screen.c_str() + at + entry.size(), nullptr);
}

// The y axis labels: the number left of '|' on the first and last plot rows.
struct Axis {
    double max = NAN, min = NAN;
    size_t first_row = 0, last_row = 0;  // plot rows
    size_t width = 0;                    // of the x axis line, "+---..."
};

Axis axis_of(const std::vector<std::string>& rows) {
    Axis a;
    for (size_t y = 1; y < rows.size(); ++y) {
        const size_t plus = rows[y].find("+---");
        if (plus == std::string::npos || rows[y].find_first_not_of(' ') != plus) continue;
        a.width = rows[y].size();
        a.first_row = 1;
        a.last_row = y - 1;
        a.max = std::strtod(rows[1].c_str(), nullptr);
        a.min = std::strtod(rows[y - 1].c_str(), nullptr);
        break;
    }
    return a;
}

size_t count_in_plot(const std::vector<std::string>& rows, const Axis& a, char glyph) {
    size_t n = 0;
    for (size_t y = a.first_row; y <= a.last_row && y < rows.size(); ++y) {
        const size_t bar = rows[y].find('|');
        if (bar == std::string::npos) continue;
        for (size_t x = bar + 1; x < rows[y].size(); ++x) n += rows[y][x] == glyph;
    }
    return n;
}

long records_in_title(const std::string& screen) {
    const size_t at = screen.find("  window 30s  ");
    return at == std::string::npos ? -1 : std::strtol(screen.c_str() + at + 14, nullptr, 10);
}

}  // namespace

TEST_CASE("live kcli chart: in tmux, two series, axes, legend, live updates, resize, Ctrl-C, SIGTERM") {
    if (!have_tmux()) {
        MESSAGE("tmux is not installed: kcli chart's terminal test is skipped (tools/dev installs it)");
        return;
    }
    MockCluster mock(3);
    mock.create_topic("sensors", 3);
    Sensors sensors(mock, "sensors");
    std::this_thread::sleep_for(500ms);  // some readings before the chart starts

    Tmux tmux;
    const std::string command = "'" + kcli_path() + "' -b " + mock.bootstraps() +
                                " chart -t sensors --fields temp1,temp2 --window 30s -o beginning --max-seconds 60;"
                                " echo kcli-exit=$?; sleep 60";
    auto started = tmux.start("chart", command, 100, 30);
    REQUIRE_MESSAGE(started.code == 0, started.err);
    CHECK(tmux.show("#{pane_width}x#{pane_height}") == "100x30");

    // The chart fills in: both series plotted, both in the legend.
    std::string screen = tmux.wait_for([](const std::string& s) {
        auto rows = lines_of(s);
        Axis a = axis_of(rows);
        return s.find("* temp1 ") != std::string::npos && s.find("o temp2 ") != std::string::npos &&
               a.width > 0 && count_in_plot(rows, a, '*') >= 3 && count_in_plot(rows, a, 'o') >= 3;
    });
    INFO("screen:\n" << screen);
    auto rows = lines_of(screen);
    REQUIRE(rows.size() >= 28);
    CHECK(rows[0].rfind("kcli chart  sensors  window 30s  ", 0) == 0);
    const Axis a = axis_of(rows);
    REQUIRE(a.width > 0);
    CHECK(a.width == 100);  // the x axis spans the screen
    CHECK(count_in_plot(rows, a, '*') >= 3);
    CHECK(count_in_plot(rows, a, 'o') >= 3);
    // Axis labels: the highest value shown is a temp1 (20..23), the lowest a temp2 (16..18).
    CHECK(a.max >= 20.0);
    CHECK(a.max <= 23.0);
    CHECK(a.min >= 16.0);
    CHECK(a.min <= 18.0);
    CHECK(a.last_row - a.first_row >= 15);
    // temp1's glyphs sit above temp2's.
    size_t lowest_star = 0, highest_o = rows.size();
    for (size_t y = a.first_row; y <= a.last_row; ++y) {
        const size_t bar = rows[y].find('|');
        if (rows[y].find('*', bar) != std::string::npos) lowest_star = y;
        if (rows[y].find('o', bar) != std::string::npos && highest_o == rows.size()) highest_o = y;
    }
    CHECK(lowest_star < highest_o);
    // The time axis and the legend's last values.
    CHECK(rows[a.last_row + 2].find("-30s") != std::string::npos);
    CHECK(rows[a.last_row + 2].find("-15s") != std::string::npos);
    CHECK(rows[a.last_row + 2].size() == 100);
    CHECK(rows[a.last_row + 2].substr(97) == "now");
    const double t1 = legend_value(screen, "* temp1 "), t2 = legend_value(screen, "o temp2 ");
    CHECK(t1 >= 20.0);
    CHECK(t1 <= 23.0);
    CHECK(t2 >= 16.0);
    CHECK(t2 <= 18.0);
    // Colours: green stars, yellow circles; the alternate screen, cursor hidden.
    const std::string coloured = tmux.screen("chart", true);
    CHECK(coloured.find("\x1b[32m*") != std::string::npos);
    CHECK(coloured.find("\x1b[33mo") != std::string::npos);
    CHECK(tmux.show("#{alternate_on} #{cursor_flag}") == "1 0");

    // Live: the record count in the title goes up as readings come in.
    const long before = records_in_title(screen);
    CHECK(before > 0);
    const std::string later =
        tmux.wait_for([&](const std::string& s) { return records_in_title(s) > before + 5; }, 10s);
    CHECK(records_in_title(later) > before + 5);

    // A smaller terminal: the chart follows.
    REQUIRE(tmux.cmd({"resize-window", "-t", "chart", "-x", "80", "-y", "24"}).code == 0);
    const std::string small = tmux.wait_for([](const std::string& s) { return axis_of(lines_of(s)).width == 80; }, 10s);
    CHECK(axis_of(lines_of(small)).width == 80);
    CHECK(small.find("o temp2 ") != std::string::npos);

    // Ctrl-C: kcli exits 0 and gives the screen and the cursor back.
    REQUIRE(tmux.cmd({"send-keys", "-t", "chart", "C-c"}).code == 0);
    const std::string after =
        tmux.wait_for([](const std::string& s) { return s.find("kcli-exit=") != std::string::npos; }, 15s);
    INFO("after Ctrl-C:\n" << after);
    CHECK(after.find("kcli-exit=0") != std::string::npos);
    CHECK(after.find("* temp1") == std::string::npos);  // the chart was on the alternate screen
    CHECK(after.find("without numbers") != std::string::npos);  // the summary, on the normal screen
    CHECK(tmux.show("#{alternate_on} #{cursor_flag}") == "0 1");

    // SIGTERM and --max-seconds give the screen and the cursor back too.
    TempDir dir;
    const std::string chart = "'" + kcli_path() + "' -b " + mock.bootstraps() + " chart -t sensors --fields temp1,temp2";
    spit(dir.file("term.sh"), "echo $$ > '" + dir.file("kcli.pid") + "'\nexec " + chart + " --max-seconds 60\n");
    REQUIRE(tmux.start("term", "sh '" + dir.file("term.sh") + "'; echo kcli-exit=$?; sleep 60", 80, 24).code == 0);
    REQUIRE(tmux.start("timed", chart + " --max-seconds 2; echo kcli-exit=$?; sleep 60", 80, 24).code == 0);
    auto drawn = [](const std::string& s) { return s.find("o temp2 ") != std::string::npos; };
    CHECK(drawn(tmux.wait_for(drawn, 15s, "term")));
    const pid_t pid = static_cast<pid_t>(std::atol(slurp(dir.file("kcli.pid")).c_str()));
    REQUIRE(pid > 1);
    REQUIRE(::kill(pid, SIGTERM) == 0);
    auto exited = [](const std::string& s) { return s.find("kcli-exit=") != std::string::npos; };
    const std::string termed = tmux.wait_for(exited, 15s, "term");
    INFO("after SIGTERM:\n" << termed);
    CHECK(termed.find("kcli-exit=0") != std::string::npos);
    CHECK(termed.find("o temp2") == std::string::npos);
    CHECK(tmux.show("#{alternate_on} #{cursor_flag}", "term") == "0 1");
    const std::string timed = tmux.wait_for(exited, 15s, "timed");
    INFO("after --max-seconds:\n" << timed);
    CHECK(timed.find("kcli-exit=0") != std::string::npos);
    CHECK(timed.find("without numbers") != std::string::npos);
    CHECK(timed.find("o temp2") == std::string::npos);
    CHECK(tmux.show("#{alternate_on} #{cursor_flag}", "timed") == "0 1");
    sensors.stop();
}

TEST_CASE("live kcli chart: without a terminal, --max-seconds prints the chart once, CSV and default fields") {
    MockCluster mock(3);
    mock.create_topic("sensors", 3);
    mock.create_topic("csv", 2);
    {
        Producer p({{"bootstrap.servers", mock.bootstraps()}, {"linger.ms", "0"}});
        for (int i = 0; i < 30; ++i) {
            p.send(ProducerRecord("sensors", Sensors::reading(i)));
            p.send(ProducerRecord("csv", std::to_string(i) + "," + std::to_string(100 - i) + ",x"));
        }
        p.send(ProducerRecord("csv", std::string_view("not,numbers")));
        REQUIRE(!p.close(10s));
    }
    const std::string b = mock.bootstraps();

    SUBCASE("JSON by name; the screen is restored only where there is one") {
        auto r = kcli({"-b", b, "chart", "-t", "sensors", "--fields", "temp1,temp2", "-o", "beginning",
                       "--max-seconds", "2"},
                      {}, 30s);
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out.find('\x1b') == std::string::npos);  // no escape codes into a file
        CHECK(r.out.rfind("kcli chart  sensors  window 60s  30 records", 0) == 0);
        CHECK(r.out.find("* temp1 ") != std::string::npos);
        CHECK(r.out.find("o temp2 ") != std::string::npos);
        CHECK(r.out.find("-60s") != std::string::npos);
        CHECK(r.err.find("% 30 record(s), 0 without numbers") != std::string::npos);
        auto rows = lines_of(r.out);
        CHECK(rows.size() == 24);  // 80x24 when there is no terminal to ask
        Axis a = axis_of(rows);
        CHECK(a.width == 80);
        CHECK(count_in_plot(rows, a, '*') > 0);
        CHECK(count_in_plot(rows, a, 'o') > 0);
    }
    SUBCASE("in a group (-G): the group assigns the partitions") {
        // The mock holds a new group's first join for 3 s.
        auto r = kcli({"-b", b, "chart", "-t", "sensors", "-G", "chart-group", "--fields", "temp1", "-o", "beginning",
                       "--max-seconds", "8"},
                      {}, 30s);
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out.find("  30 records") != std::string::npos);
        CHECK(r.out.find("* temp1 ") != std::string::npos);
    }
    SUBCASE("without --fields: every numeric member of the first record") {
        auto r = kcli({"-b", b, "chart", "-t", "sensors", "-o", "beginning", "--max-seconds", "2", "-q"}, {}, 30s);
        CHECK(r.code == 0);
        CHECK(r.out.find("* ts ") != std::string::npos);
        CHECK(r.out.find("o temp1 ") != std::string::npos);
        CHECK(r.out.find("+ temp2 ") != std::string::npos);
        CHECK(r.err.empty());
    }
    SUBCASE("CSV by position; a record without numbers is counted, not plotted") {
        auto r = kcli({"-b", b, "chart", "-t", "csv", "--fields", "2,1", "-o", "beginning", "--max-seconds", "2"},
                      {}, 30s);
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out.find("31 records (1 without numbers)") != std::string::npos);
        // The last value of each depends on which partition came last; both are in range.
        const double c2 = legend_value(r.out, "* #2 "), c1 = legend_value(r.out, "o #1 ");
        CHECK(c2 >= 71);
        CHECK(c2 <= 100);
        CHECK(c1 >= 0);
        CHECK(c1 <= 29);
        Axis a = axis_of(lines_of(r.out));
        CHECK(a.max == 100);
        CHECK(a.min == 0);
    }
    SUBCASE("bad flags") {
        CHECK(kcli({"-b", b, "chart"}).code == 2);
        CHECK(kcli({"-b", b, "chart", "-t", "csv", "--fields", "0"}).code == 2);
        CHECK(kcli({"-b", b, "chart", "-t", "csv", "--window", "soon"}).code == 2);
        CHECK(kcli({"-b", b, "chart", "-t", "csv", "-o", "42"}).code == 2);
        CHECK(kcli({"-b", b, "chart", "-t", "csv", "--max-seconds", "0"}).code == 2);
        CHECK(kcli({"chart", "-t", "csv"}).err.find("no brokers") != std::string::npos);
        auto h = kcli({"chart", "--help"});
        CHECK(h.code == 0);
        CHECK(h.out.find("--fields") != std::string::npos);
    }
}

TEST_CASE("live examples/produce_sensors: JSON readings kcli chart can plot") {
    const std::string example = build_root() + "/examples/produce_sensors";
    if (access(example.c_str(), X_OK) != 0) {
        MESSAGE("examples/produce_sensors is not built here (KAFKA_BUILD_EXAMPLES=OFF?): skipped");
        return;
    }
    MockCluster mock(3);
    mock.create_topic("sensors", 3);
    auto r = run({example, mock.bootstraps(), "sensors", "20", "5"}, {}, 30s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.find("5 reading(s) sent to sensors, 0 failed") != std::string::npos);
    auto c = kcli({"-b", mock.bootstraps(), "consume", "-t", "sensors", "-o", "beginning", "-e", "-q"}, {}, 30s);
    REQUIRE(c.code == 0);
    auto lines = lines_of(c.out);
    REQUIRE(lines.size() == 5);
    CHECK(json_eval(lines[0], "sorted(d.keys())") == "[\"temp1\", \"temp2\", \"ts\"]");
    CHECK(json_eval(lines[4], "all(isinstance(d[k], (int, float)) for k in d)") == "true");
    CHECK(json_eval(lines[4], "10 < d['temp1'] < 30 and 10 < d['temp2'] < 30") == "true");
}
