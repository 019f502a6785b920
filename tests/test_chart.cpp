// kcli chart's pure part: reading numbers out of record values, the sliding
// window, and the chart drawn into characters (tools/kcli/chart_render.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tools/kcli/chart_render.hpp"

using namespace kcli::chart;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t nl = text.find('\n', at);
        out.push_back(text.substr(at, nl - at));
        at = nl + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("chart: --fields lists positions and names") {
    std::string err;
    auto f = parse_fields("2, 3", &err);
    REQUIRE(f.has_value());
    REQUIRE(f->size() == 2);
    CHECK((*f)[0].index == 2);
    CHECK((*f)[0].name == "#2");
    CHECK((*f)[1].index == 3);

    f = parse_fields("temp1,temp2,4", &err);
    REQUIRE(f.has_value());
    CHECK((*f)[0].name == "temp1");
    CHECK((*f)[0].index == 0);
    CHECK((*f)[1].name == "temp2");
    CHECK((*f)[2].index == 4);

    CHECK_FALSE(parse_fields("", &err).has_value());
    CHECK(err.find("empty") != std::string::npos);
    CHECK_FALSE(parse_fields("a,,b", &err).has_value());
    CHECK_FALSE(parse_fields("a,", &err).has_value());
    CHECK_FALSE(parse_fields("0", &err).has_value());
    CHECK(err.find("from 1") != std::string::npos);
    CHECK_FALSE(parse_fields("99999999999", &err).has_value());
}

TEST_CASE("chart: CSV values, by column") {
    auto p = parse_value("21.5, 19 ,abc,\"1,5\",\"3.25\",-2e3,nan,inf,0x10\r\n");
    REQUIRE(p.has_value());
    CHECK_FALSE(p->json);
    REQUIRE(p->entries.size() == 9);
    CHECK(p->entries[0].name == "#1");
    CHECK(*p->entries[0].value == 21.5);
    CHECK(*p->entries[1].value == 19);
    CHECK_FALSE(p->entries[2].value.has_value());  // not a number, keeps its place
    CHECK_FALSE(p->entries[3].value.has_value());  // "1,5" is one quoted field
    CHECK(*p->entries[4].value == 3.25);           // quoted numbers count
    CHECK(*p->entries[5].value == -2000);
    CHECK_FALSE(p->entries[6].value.has_value());  // no nan, inf or hex
    CHECK_FALSE(p->entries[7].value.has_value());
    CHECK_FALSE(p->entries[8].value.has_value());

    auto one = parse_value("42");
    REQUIRE(one.has_value());
    REQUIRE(one->entries.size() == 1);
    CHECK(*one->entries[0].value == 42);

    const std::vector<Field> fields{{"#1", 1}, {"#5", 5}, {"#3", 3}, {"#20", 20}, {"temp1", 0}};
    auto v = select(*p, fields);
    REQUIRE(v.size() == 5);
    CHECK(*v[0] == 21.5);
    CHECK(*v[1] == 3.25);
    CHECK_FALSE(v[2].has_value());
    CHECK_FALSE(v[3].has_value());  // beyond the last column
    CHECK_FALSE(v[4].has_value());  // CSV has no names

    auto d = default_fields(*p, 8);
    REQUIRE(d.size() == 4);  // the numeric columns only
    CHECK(d[0].index == 1);
    CHECK(d[1].index == 2);
    CHECK(d[2].index == 5);
    CHECK(d[2].name == "#5");
    CHECK(d[3].index == 6);
    CHECK(default_fields(*p, 2).size() == 2);
}

TEST_CASE("chart: JSON objects, by name or by position among the numeric members") {
    auto p = parse_value(R"( {"ts": 1700000000000, "temp1": 21.5, "name": "kitchen", "s": "2.5", "ok": true,
                             "none": null, "nested": {"a": -1, "arr": [1, {"x": 2}]}, "arr": [3],
                             "t\u0065mp2": 1e1, "q\"k": 7} )");
    REQUIRE(p.has_value());
    CHECK(p->json);
    std::vector<std::string> names;
    for (const auto& e : p->entries) names.push_back(e.name);
    CHECK(names == std::vector<std::string>{"ts", "temp1", "s", "nested.a", "temp2", "q\"k"});

    const std::vector<Field> fields{{"temp1", 0}, {"temp2", 0}, {"#2", 2}, {"nested.a", 0}, {"name", 0},
                                    {"missing", 0}, {"#7", 7}};
    auto v = select(*p, fields);
    CHECK(*v[0] == 21.5);
    CHECK(*v[1] == 10);
    CHECK(*v[2] == 21.5);  // the second numeric member
    CHECK(*v[3] == -1);
    CHECK_FALSE(v[4].has_value());  // a string that is no number
    CHECK_FALSE(v[5].has_value());
    CHECK_FALSE(v[6].has_value());

    auto d = default_fields(*p, 3);
    REQUIRE(d.size() == 3);
    CHECK(d[0].name == "ts");
    CHECK(d[1].name == "temp1");
    CHECK(d[2].name == "s");
    CHECK(d[2].index == 0);

    // A repeated key: the last one.
    auto dup = parse_value(R"({"a": 1, "a": 2})");
    REQUIRE(dup.has_value());
    CHECK(*select(*dup, {{"a", 0}})[0] == 2);

    auto empty = parse_value("{}");
    REQUIRE(empty.has_value());
    CHECK(empty->entries.empty());
}

TEST_CASE("chart: JSON arrays keep positions, malformed JSON is no value") {
    auto a = parse_value(R"([1.5, "2", null, [4], -3])");
    REQUIRE(a.has_value());
    CHECK_FALSE(a->json);
    REQUIRE(a->entries.size() == 5);
    CHECK(*a->entries[0].value == 1.5);
    CHECK(*a->entries[1].value == 2);
    CHECK_FALSE(a->entries[2].value.has_value());
    CHECK_FALSE(a->entries[3].value.has_value());
    CHECK(*a->entries[4].value == -3);

    for (const char* bad : {R"({"a": 1,)", R"({"a" 1})", R"({"a": 1} x)", R"({"a": tru})", R"({"a": "x)",
                            R"({"a": [1, 2)", R"({"a": 1.2.3})", R"({"a": "\q"})", R"({a: 1})", "[1,", "{"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_value(bad).has_value());
    }
    // Deep nesting is refused, not recursed into without end.
    std::string deep(100, '[');
    deep += std::string(100, ']');
    CHECK_FALSE(parse_value("{\"a\": " + deep + "}").has_value());
}

TEST_CASE("chart: durations and numbers as text") {
    CHECK(parse_duration_ms("60s") == 60000);
    CHECK(parse_duration_ms("5m") == 300000);
    CHECK(parse_duration_ms("1h") == 3600000);
    CHECK(parse_duration_ms("500ms") == 500);
    CHECK(parse_duration_ms("2") == 2000);
    CHECK(parse_duration_ms("1.5s") == 1500);
    for (const char* bad : {"", "0", "-1s", "10x", "s", "1e9h", "0.0001ms"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration_ms(bad).has_value());
    }
    CHECK(format_duration(60000) == "60s");
    CHECK(format_duration(30000) == "30s");
    CHECK(format_duration(120000) == "2m");
    CHECK(format_duration(90000) == "90s");
    CHECK(format_duration(7200000) == "2h");
    CHECK(format_duration(3600000) == "60m");
    CHECK(format_duration(1500) == "1500ms");

    CHECK(format_number(0) == "0");
    CHECK(format_number(21.5) == "21.5");
    CHECK(format_number(21.534) == "21.53");
    CHECK(format_number(-3.25) == "-3.25");
    CHECK(format_number(0.005) == "0.005");
    CHECK(format_number(1234.5678) == "1234.57");
    CHECK(format_number(100) == "100");
    CHECK(format_number(1.7e12) == "1.7e+12");
    CHECK(format_number(NAN) == "nan");
}

TEST_CASE("chart: the window keeps each series sorted, bounded and within its span") {
    Window w({"a", "b"}, 10000, 5);
    CHECK(w.size() == 2);
    CHECK(w.name(1) == "b");
    CHECK_FALSE(w.last(0).has_value());
    CHECK(w.end_for(50000) == 50000);  // nothing yet: now

    w.add(0, 1000, 1);
    w.add(0, 3000, 3);
    w.add(0, 2000, 2);  // out of order (another partition)
    w.add(0, 2000, NAN);
    w.add(7, 2000, 1);  // no such series
    REQUIRE(w.points(0).size() == 3);
    CHECK(w.points(0)[0].t_ms == 1000);
    CHECK(w.points(0)[1].t_ms == 2000);
    CHECK(w.points(0)[2].t_ms == 3000);
    CHECK(*w.last(0) == 2);  // the latest to arrive, not the latest in time

    for (int i = 0; i < 5; ++i) w.add(1, 4000 + i, i);
    w.add(1, 9000, 9);
    CHECK(w.points(1).size() == 5);  // max_points: the oldest went
    CHECK(w.points(1).front().t_ms == 4001);

    // Live: the newest point is within a window of now.
    CHECK(w.end_for(12000) == 12000);
    CHECK(w.live(12000));
    w.trim(12000);  // keeps t >= 2000
    CHECK(w.points(0).size() == 2);
    CHECK(w.points(0).front().t_ms == 2000);
    // Old records: the window stays on the newest.
    CHECK(w.end_for(100000) == 9000);
    CHECK_FALSE(w.live(100000));
}

TEST_CASE("chart: render draws axes, labels, both series and the legend") {
    Window w({"temp1", "temp2"}, 60000);
    const int64_t now = 1'000'000'000;
    // temp1 rises from 20 to 22 over the window; temp2 goes 18.5, 18, 18.5, ...
    for (int i = 0; i <= 60; ++i) {
        const int64_t t = now - 60000 + i * 1000;
        w.add(0, t, 20.0 + 2.0 * i / 60);
        w.add(1, t, i % 2 ? 18.0 : 18.5);
    }
    // 19 rows: title, 15 plot rows, x axis, x labels, legend.
    const Canvas c = render(w, now, 70, 19, "kcli chart  sensors", true);
    const auto rows = lines_of(c.plain());
    REQUIRE(rows.size() == 19);
    CHECK(rows[0] == "kcli chart  sensors");

    // Y axis: max on the first plot row, min on the last, the middle row's value between.
    CHECK(rows[1].rfind("22|", 0) == 0);
    CHECK(rows[8].rfind("20|", 0) == 0);
    CHECK(rows[15].rfind("18|", 0) == 0);
    for (size_t y = 1; y <= 15; ++y) CHECK(rows[y].substr(2, 1) == "|");
    // X axis and its labels.
    CHECK(rows[16].rfind("  +---", 0) == 0);
    CHECK(rows[16].size() == 70);
    CHECK(rows[17].find("-60s") == 3);
    CHECK(rows[17].find("-30s") == 34);
    CHECK(rows[17].size() == 70);
    CHECK(rows[17].substr(67) == "now");
    // Legend: glyph, name, last value.
    CHECK(rows[18] == "* temp1 22   o temp2 18.5");

    // Both glyphs plotted: temp1 from the middle row (20) at the left to the
    // top right (22); temp2 only in the rows of 18..18.5.
    size_t stars = 0, circles = 0, columns_with_star = 0;
    for (size_t x = 3; x < 70; ++x) {
        bool star = false;
        for (size_t y = 1; y <= 15; ++y) {
            const char ch = x < rows[y].size() ? rows[y][x] : ' ';
            stars += ch == '*';
            circles += ch == 'o';
            star = star || ch == '*';
            if (ch == 'o') CHECK(y >= 13);
        }
        columns_with_star += star;
    }
    CHECK(stars >= 61);
    CHECK(circles >= 61);
    CHECK(columns_with_star >= 61);  // one point a second, 67 columns for 60 s
    CHECK(rows[8][3] == '*');
    CHECK(rows[1].back() == '*');
    CHECK(rows[1].size() == 70);

    // ANSI: each row placed, series coloured, the rest of each row erased.
    const std::string ansi = c.ansi(true);
    CHECK(ansi.find("\x1b[1;1Hkcli chart  sensors\x1b[K") == 0);
    CHECK(ansi.find("\x1b[19;1H") != std::string::npos);
    CHECK(ansi.find("\x1b[32m*") != std::string::npos);
    CHECK(ansi.find("\x1b[33mo") != std::string::npos);
    CHECK(ansi.find("\x1b[32m* temp1\x1b[0m 22") != std::string::npos);
    CHECK(ansi.find('\n') == std::string::npos);
    const std::string mono = c.ansi(false);
    CHECK(mono.find("\x1b[32m") == std::string::npos);
    CHECK(mono.find("\x1b[33m") == std::string::npos);
    CHECK(mono.find("* temp1 22") != std::string::npos);
}

TEST_CASE("chart: render of an exact small chart") {
    Window w({"a"}, 10000);
    // 12 columns of 10000/12 ms; values 0..5 over six rows, one row each.
    w.add(0, 0, 0);        // column 0
    w.add(0, 2500, 5);     // column 3
    w.add(0, 3400, 3);     // column 4: joined to column 3's 5 by the rows between
    w.add(0, 5000, 2);     // column 6: column 5 is empty, no join
    w.add(0, 9999, 1);     // column 11
    const std::string text = render(w, 10000, 14, 10, "t", true).plain();
    CHECK(text ==
          "t\n"
          "5|   *\n"
          " |    *\n"
          "3|    *\n"
          " |      *\n"
          " |           *\n"
          "0|*\n"
          " +------------\n"
          "  -10s     now\n"
          "* a 1\n");
}

TEST_CASE("chart: render with no points, one value, old data and a tiny screen") {
    Window empty({"a", "b"}, 60000);
    auto rows = lines_of(render(empty, 1000, 60, 12, "title", true).plain());
    bool waiting = false;
    for (const auto& r : rows) waiting = waiting || r.find("waiting for records...") != std::string::npos;
    CHECK(waiting);
    CHECK(rows.back() == "* a -   o b -");

    // One value: the axis spans it +-5% instead of collapsing.
    Window flat({"v"}, 60000);
    flat.add(0, 500, 100);
    rows = lines_of(render(flat, 1000, 40, 11, "", true).plain());
    CHECK(rows[1].rfind("105|", 0) == 0);
    CHECK(rows[4].rfind("100|", 0) == 0);
    CHECK(rows[7].rfind(" 95|", 0) == 0);
    CHECK(rows[9].find("now") != std::string::npos);

    // Not live: the right end is the newest point.
    rows = lines_of(render(flat, 500, 40, 11, "", false).plain());
    CHECK(rows[9].find("newest") != std::string::npos);

    // Too small to draw a chart.
    const std::string tiny = render(flat, 1000, 30, 5, "x", true).plain();
    CHECK(tiny.find("terminal too small") != std::string::npos);
    CHECK(lines_of(tiny).size() == 5);

    // A legend that does not fit one line wraps.
    Window many({"alpha-long-name", "beta-long-name", "gamma-long-name"}, 60000);
    rows = lines_of(render(many, 1000, 40, 14, "", true).plain());
    CHECK(rows[12] == "* alpha-long-name -   o beta-long-name -");
    CHECK(rows[13] == "+ gamma-long-name -");
}
