// The example programs (examples/*.cpp) as a user runs them: each binary of
// this build is started as a child process against a 3-broker mock cluster
// started here, and its output and its effects on the cluster are checked.
// A build without the examples (KAFKA_BUILD_EXAMPLES=OFF, as the sanitizer
// build does) skips these with a message. Every run is bounded in time and
// every process started is stopped (test_kcli_admin_support.hpp).
#include <ostream>

#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/admin.hpp"
#include "client/consumer.hpp"
#include "mock_cluster.hpp"
#include "test_kcli_admin_support.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

// <build>/examples/NAME; "" after saying so when this build has no such
// program (the caller then skips).
std::string example(const std::string& name) {
    std::string path = build_root() + "/examples/" + name;
    if (access(path.c_str(), X_OK) == 0) return path;
    const std::string why = name == "produce_coro" ? "KAFKA_BUILD_EXAMPLES=OFF, or no C++20 coroutines"
                                                   : "KAFKA_BUILD_EXAMPLES=OFF";
    MESSAGE("skipped: " << path << " is not built (" << why << ")");
    return {};
}

std::unique_ptr<Admin> connect(const MockCluster& mock) {
    auto a = Admin::create({{"bootstrap.servers", mock.bootstraps()}, {"default.api.timeout.ms", "10000"}});
    REQUIRE_MESSAGE(a.ok(), a.message);
    return std::move(a.value);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// The sum of a topic's end offsets: how many records it holds (the mock
// never deletes or compacts).
int64_t records_in(Admin& admin, const std::string& topic, int partitions) {
    std::vector<TopicPartition> tps;
    for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
    auto end = admin.end_offsets(tps);
    REQUIRE_MESSAGE(end.ok(), end.message);
    int64_t n = 0;
    for (const auto& [tp, offset] : end.value) n += offset;
    return n;
}

std::string dash(int64_t n) { return n >= 0 ? std::to_string(n) : "-"; }

// lag_monitor's table (one round) as rows of words, keyed by "topic partition"
// and "total".
std::map<std::string, std::vector<std::string>> lag_rows(const std::string& out) {
    std::map<std::string, std::vector<std::string>> rows;
    for (const auto& line : lines_of(out)) {
        auto w = words_of(line);
        if (w.empty() || w[0] == "topic") continue;
        if (w[0] == "total") rows["total"] = w;
        else if (w.size() == 5) rows[w[0] + " " + w[1]] = w;
    }
    return rows;
}

// Checks lag_monitor's rows against the admin client's group_lag.
void check_lag_table(const std::string& out, const GroupLag& want) {
    auto rows = lag_rows(out);
    CHECK(rows.size() == want.partitions.size() + 1);
    for (const auto& p : want.partitions) {
        const std::string key = p.partition.topic + " " + std::to_string(p.partition.partition);
        CAPTURE(key);
        REQUIRE(rows.count(key) == 1);
        CHECK(rows[key] == std::vector<std::string>{p.partition.topic, std::to_string(p.partition.partition),
                                                    dash(p.end_offset), dash(p.committed_offset), dash(p.lag)});
    }
    CHECK(rows["total"] == std::vector<std::string>{"total", std::to_string(want.total_end),
                                                    std::to_string(want.total_committed),
                                                    std::to_string(want.total_lag)});
}

// group_share's "NAME: assigned t-0 t-1" lines: the last assignment of each member.
std::map<std::string, std::set<std::string>> assignments(const std::string& out) {
    std::map<std::string, std::set<std::string>> last;
    for (const auto& line : lines_of(out)) {
        auto at = line.find(": assigned ");
        if (at == std::string::npos) continue;
        auto w = words_of(line.substr(at + 11));
        last[line.substr(0, at)] = std::set<std::string>(w.begin(), w.end());
    }
    return last;
}

// group_share's "NAME: read N record(s), t-0 offsets A-B (n), ..." line of
// one member: partition -> {first, last, count}; the total in `total`.
struct Range {
    int64_t first = 0, last = 0, count = 0;
};
std::map<std::string, Range> reads_of(const std::string& out, const std::string& member, long& total) {
    std::map<std::string, Range> ranges;
    total = -1;
    for (const auto& line : lines_of(out)) {
        const std::string prefix = member + ": read ";
        if (line.compare(0, prefix.size(), prefix) != 0) continue;
        CHECK_MESSAGE(line.find("read again") == std::string::npos, line);
        total = std::stol(line.substr(prefix.size()));
        // ", shared-0 offsets 0-165 (166)" pieces
        for (size_t at = line.find(", "); at != std::string::npos; at = line.find(", ", at + 2)) {
            auto w = words_of(line.substr(at + 2));
            if (w.size() < 4 || w[1] != "offsets") continue;
            Range r;
            auto dash_at = w[2].find('-');
            r.first = std::stoll(w[2].substr(0, dash_at));
            r.last = std::stoll(w[2].substr(dash_at + 1));
            r.count = std::stoll(w[3].substr(1));
            ranges[w[0]] = r;
        }
    }
    return ranges;
}

}  // namespace

TEST_CASE("examples: produce_numbers then consume_numbers sink 0..499 once, and a second run stores nothing") {
    const std::string produce = example("produce_numbers");
    if (produce.empty()) return;
    const std::string consume = example("consume_numbers");
    if (consume.empty()) return;
    MockCluster mock(3);
    mock.create_topic("testnum", 3, 3);
    TempDir dir;
    const std::string store = dir.file("numbers.store");

    auto p = run({produce, mock.bootstraps(), "testnum"}, {}, 60s);
    REQUIRE_MESSAGE(p.code == 0, p.err);
    auto produced = lines_of(p.out);
    CHECK(produced.size() == 500);
    CHECK(count_of(p.out, " -> testnum [") == 500);
    CHECK(line_starting(p.out, "{\"num\": 0} -> testnum [") != "");
    CHECK(line_starting(p.out, "{\"num\": 499} -> testnum [") != "");
    auto admin = connect(mock);
    CHECK(records_in(*admin, "testnum", 3) == 500);

    // It stops after 10 s without a record.
    auto first = run({consume, mock.bootstraps(), "testnum", store, "sink"}, {}, 60s);
    REQUIRE_MESSAGE(first.code == 0, first.err);
    CHECK(first.out.find("stored 500 number(s) in " + store) != std::string::npos);
    auto stored = lines_of(slurp(store));
    REQUIRE(stored.size() == 500);
    std::set<long> numbers;
    long sum = 0;
    for (const auto& s : stored) {
        numbers.insert(std::stol(s));
        sum += std::stol(s);
    }
    CHECK(numbers.size() == 500);
    CHECK(*numbers.begin() == 0);
    CHECK(*numbers.rbegin() == 499);
    CHECK(sum == 124750);

    // Every offset is committed: the group has no lag, and a second run reads nothing.
    auto lag = admin->group_lag("sink", {"testnum"});
    REQUIRE_MESSAGE(lag.ok(), lag.message);
    CHECK(lag.value.total_committed == 500);
    CHECK(lag.value.total_lag == 0);
    auto second = run({consume, mock.bootstraps(), "testnum", store, "sink"}, {}, 60s);
    REQUIRE_MESSAGE(second.code == 0, second.err);
    CHECK(second.out.find("stored 0 number(s)") != std::string::npos);
    CHECK(lines_of(slurp(store)).size() == 500);
}

TEST_CASE("examples: produce_callbacks reports where the synchronous send landed, and the callbacks fire") {
    const std::string callbacks = example("produce_callbacks");
    if (callbacks.empty()) return;
    MockCluster mock(3);
    mock.create_topic("events", 3, 3);

    auto r = run({callbacks, mock.bootstraps(), "events"}, {}, 60s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());
    // "synchronous: events [P] @ OFFSET"
    auto sync = words_of(line_starting(r.out, "synchronous: "));
    REQUIRE(sync.size() == 5);
    CHECK(sync[1] == "events");
    const int32_t partition = std::stoi(sync[2].substr(1));
    const int64_t offset = std::stoll(sync[4]);
    CHECK(partition >= 0);
    CHECK(partition < 3);
    CHECK(offset >= 0);
    CHECK(line_starting(r.out, "callbacks: ") == "callbacks: 10 delivered");

    // 1 fire-and-forget + 1 synchronous + 10 with a callback, and the
    // synchronous one is where it said.
    auto admin = connect(mock);
    CHECK(records_in(*admin, "events", 3) == 12);
    auto end = admin->end_offsets({{"events", partition}});
    REQUIRE(end.ok());
    CHECK(offset < end.value[{"events", partition}]);
    Consumer reader({{"bootstrap.servers", mock.bootstraps()}});
    reader.assign({{"events", partition}});
    REQUIRE(!reader.seek({"events", partition}, offset));
    std::string value;
    for (int i = 0; i < 100 && value.empty(); ++i)
        for (const auto& rec : reader.poll(100ms))
            if (rec.offset() == offset) value = std::string(rec.key()) + "=" + std::string(rec.value());
    CHECK(value == "user-42=synchronous");
    reader.close();
}

TEST_CASE("examples: produce_coro delivers from a coroutine") {
    const std::string coro = example("produce_coro");
    if (coro.empty()) return;
    MockCluster mock(3);
    mock.create_topic("events", 3, 3);

    auto r = run({coro, mock.bootstraps(), "events"}, {}, 60s);
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.empty());
    CHECK(count_of(r.out, "events [") == 5);
    auto admin = connect(mock);
    CHECK(records_in(*admin, "events", 3) == 5);
}

TEST_CASE("examples: lag_monitor prints what the admin client computes, after a partial consume") {
    const std::string produce = example("produce_numbers");
    if (produce.empty()) return;
    const std::string monitor = example("lag_monitor");
    if (monitor.empty()) return;
    MockCluster mock(3);
    mock.create_topic("testnum", 3, 3);
    auto p = run({produce, mock.bootstraps(), "testnum", "keyed"}, {}, 60s);
    REQUIRE_MESSAGE(p.code == 0, p.err);

    // Read part of partitions 0 and 1 (a poll of at most 50 records), commit
    // the positions; partition 2 gets no commit.
    {
        Consumer c({{"bootstrap.servers", mock.bootstraps()},
                    {"group.id", "half"},
                    {"auto.offset.reset", "earliest"},
                    {"enable.auto.commit", "false"},
                    {"max.poll.records", "50"}});
        c.assign({{"testnum", 0}, {"testnum", 1}});
        size_t read = 0;
        for (int i = 0; i < 100 && read == 0; ++i) read += c.poll(100ms).size();
        REQUIRE(read > 0);
        for (int i = 0; i < 3; ++i) read += c.poll(100ms).size();
        REQUIRE(!c.commit_sync());
        c.close();
    }
    auto admin = connect(mock);
    auto all = admin->group_lag("half", {"testnum"});
    REQUIRE_MESSAGE(all.ok(), all.message);
    REQUIRE(all.value.partitions.size() == 3);
    CHECK(all.value.total_end == 500);
    CHECK(all.value.total_committed > 0);
    CHECK(all.value.total_lag > 0);
    CHECK(all.value.partitions[2].committed_offset == -1);

    // With the topic: every partition of it.
    auto with_topic = run({monitor, mock.bootstraps(), "half", "testnum"}, {}, 60s);
    REQUIRE_MESSAGE(with_topic.code == 0, with_topic.err);
    CHECK(with_topic.out.find("partition") != std::string::npos);
    check_lag_table(with_topic.out, all.value);

    // Without: the committed partitions.
    auto committed = admin->group_lag("half");
    REQUIRE(committed.ok());
    CHECK(committed.value.partitions.size() == 2);
    auto bare = run({monitor, mock.bootstraps(), "half"}, {}, 60s);
    REQUIRE_MESSAGE(bare.code == 0, bare.err);
    check_lag_table(bare.out, committed.value);

    // --interval and --count: that many tables, each after a time line.
    auto twice = run({monitor, mock.bootstraps(), "half", "--interval", "200", "--count", "2"}, {}, 60s);
    REQUIRE_MESSAGE(twice.code == 0, twice.err);
    CHECK(count_of(twice.out, "\ntotal ") == 2);
    CHECK(count_of(twice.out, "  group half\n") == 2);

    // A topic the cluster lacks: an error, exit 1.
    auto missing = run({monitor, mock.bootstraps(), "half", "nope"}, {}, 60s);
    CHECK(missing.code == 1);
    CHECK(missing.err.find("nope") != std::string::npos);
    CHECK(run({monitor, mock.bootstraps()}).code == 2);
}

TEST_CASE("examples: group_share splits the partitions between two consumers, none read twice") {
    const std::string produce = example("produce_numbers");
    if (produce.empty()) return;
    const std::string share = example("group_share");
    if (share.empty()) return;
    MockCluster mock(3);
    mock.create_topic("shared", 3, 3);
    auto p = run({produce, mock.bootstraps(), "shared", "keyed"}, {}, 60s);
    REQUIRE_MESSAGE(p.code == 0, p.err);
    auto admin = connect(mock);
    std::map<std::string, int64_t> end;  // "shared-P" -> end offset
    for (int32_t i = 0; i < 3; ++i) {
        auto e = admin->end_offsets({{"shared", i}});
        REQUIRE(e.ok());
        end["shared-" + std::to_string(i)] = e.value[{"shared", i}];
        CHECK(e.value[{"shared", i}] > 0);  // keyed: every partition has records
    }

    SUBCASE("two threads") {
        auto r = run({share, mock.bootstraps(), "shared", "threads"}, {}, 90s);
        REQUIRE_MESSAGE(r.code == 0, r.out << r.err);
        CHECK(r.out.find("together: 500 of 500 record(s), 0 missing, 0 read twice") != std::string::npos);
        auto got = assignments(r.out);
        REQUIRE(got.size() == 2);
        CHECK(!got["a"].empty());
        CHECK(!got["b"].empty());
        std::set<std::string> both = got["a"];
        both.insert(got["b"].begin(), got["b"].end());
        CHECK(both.size() == 3);  // a split, nothing given to both
        long a = 0, b = 0;
        reads_of(r.out, "a", a);
        reads_of(r.out, "b", b);
        CHECK(a > 0);
        CHECK(b > 0);
        CHECK(a + b == 500);
        auto lag = admin->group_lag("threads", {"shared"});
        REQUIRE(lag.ok());
        CHECK(lag.value.total_committed == 500);
    }

    SUBCASE("two processes, --member x and --member y, started together") {
        TempDir dir;
        {
            Process x({share, mock.bootstraps(), "shared", "procs", "--member", "x"}, dir.file("x.out"),
                      dir.file("x.err"));
            Process y({share, mock.bootstraps(), "shared", "procs", "--member", "y"}, dir.file("y.out"),
                      dir.file("y.err"));
            CHECK(x.wait(90s) == 0);
            CHECK(y.wait(90s) == 0);
        }  // stopped here if they did not end
        const std::string out = slurp(dir.file("x.out")) + slurp(dir.file("y.out"));
        INFO(out << slurp(dir.file("x.err")) << slurp(dir.file("y.err")));
        auto got = assignments(out);
        CHECK(!got["x"].empty());
        CHECK(!got["y"].empty());
        long nx = 0, ny = 0;
        auto rx = reads_of(out, "x", nx);
        auto ry = reads_of(out, "y", ny);
        CHECK(nx > 0);
        CHECK(ny > 0);
        CHECK(nx + ny == 500);
        // Per partition: the two members' ranges cover 0..end-1, each offset once.
        for (const auto& [tp, last] : end) {
            CAPTURE(tp);
            std::vector<Range> pieces;
            if (rx.count(tp)) pieces.push_back(rx[tp]);
            if (ry.count(tp)) pieces.push_back(ry[tp]);
            REQUIRE(!pieces.empty());
            std::sort(pieces.begin(), pieces.end(), [](const Range& l, const Range& r) { return l.first < r.first; });
            int64_t next = 0;
            for (const auto& piece : pieces) {
                CHECK(piece.first == next);
                CHECK(piece.count == piece.last - piece.first + 1);
                next = piece.last + 1;
            }
            CHECK(next == last);
        }
        auto lag = admin->group_lag("procs", {"shared"});
        REQUIRE(lag.ok());
        CHECK(lag.value.total_committed == 500);
        CHECK(lag.value.total_lag == 0);
    }
}
