// The pure part of `kcli chart`: numbers out of a record value, the sliding
// window of points, and the chart drawn into a grid of characters. No I/O,
// no clocks (times come in as arguments), so all of it is unit-tested.
//
//   value        CSV ("21.5,19.0") or a JSON object ({"temp1": 21.5, ...})
//   fields       "2,3" (1-based: CSV columns, or the object's numeric members
//                in order), "temp1,temp2" (JSON member names), or mixed
//   window       per series, the points of the last `span` milliseconds
//   canvas       title, y axis with max/mid/min labels, the plot, x axis with
//                time labels, legend; plain text or ANSI-coloured
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kcli::chart {

// ---- reading values ------------------------------------------------------------

// One requested field: by 1-based position (index > 0) or by JSON member name.
struct Field {
    std::string name;  // as shown in the legend
    int index = 0;     // > 0: by position
};

// Parses "--fields": comma-separated names and/or 1-based positions. Empty
// list: nullopt with `error` set; so are empty items and position 0.
std::optional<std::vector<Field>> parse_fields(std::string_view list, std::string* error);

// The numeric members of a value, in order: JSON members holding a number
// (or a string that is one), named by their key; or CSV columns named "#N",
// where a column that is not a number keeps its place with no value.
struct Entry {
    std::string name;
    std::optional<double> value;
};
struct Parsed {
    bool json = false;
    std::vector<Entry> entries;
};
// nullopt when the value is neither a JSON object nor text (e.g. malformed JSON).
std::optional<Parsed> parse_value(std::string_view value);

// The number for each field (nullopt: absent or not a number). Positions
// count CSV columns, or a JSON object's numeric members.
std::vector<std::optional<double>> select(const Parsed& parsed, const std::vector<Field>& fields);

// Without --fields: every numeric member of the first value (at most `max`),
// JSON members by name, CSV columns by position.
std::vector<Field> default_fields(const Parsed& parsed, size_t max);

// "60s", "5m", "1h", "500ms", or a plain number of seconds; nullopt when bad or <= 0.
std::optional<int64_t> parse_duration_ms(std::string_view text);
// A duration back as text, in the largest unit that divides it ("60s", "2m", "1500ms").
std::string format_duration(int64_t ms);
// An axis or legend number: a few significant digits, no exponent below 1e10.
std::string format_number(double v);

// ---- the window --------------------------------------------------------------

struct Point {
    int64_t t_ms;
    double v;
};

// Series of points over a sliding time window. Points may come out of order
// (several partitions): each series stays sorted by time.
class Window {
public:
    // `max_points` bounds each series' memory whatever the record rate.
    Window(std::vector<std::string> names, int64_t span_ms, size_t max_points = 20000);

    void add(size_t series, int64_t t_ms, double v);
    // Drops the points older than end_ms - span.
    void trim(int64_t end_ms);
    // Where the window ends: `now_ms`, or the newest point when that is older
    // than a whole window (reading old records: the chart stays on them).
    int64_t end_for(int64_t now_ms) const;
    bool live(int64_t now_ms) const { return end_for(now_ms) == now_ms; }

    int64_t span_ms() const { return span_ms_; }
    size_t size() const { return series_.size(); }
    const std::string& name(size_t i) const { return series_[i].name; }
    const std::deque<Point>& points(size_t i) const { return series_[i].points; }
    // The latest value by arrival (what the legend shows), if any yet.
    std::optional<double> last(size_t i) const { return series_[i].last; }

private:
    struct Series {
        std::string name;
        std::deque<Point> points;
        std::optional<double> last;
    };
    std::vector<Series> series_;
    int64_t span_ms_;
    size_t max_points_;
    int64_t newest_ = INT64_MIN;
};

// ---- drawing -------------------------------------------------------------------

// Glyph and ANSI colour of series i (they repeat after kStyles).
constexpr size_t kStyles = 8;
char glyph(size_t series);
int colour(size_t series);  // 31..37, for "\x1b[<colour>m"

struct Cell {
    char ch = ' ';
    int8_t colour = -1;  // -1: the terminal's default
};

class Canvas {
public:
    Canvas(int width, int height) : width_(width), height_(height), cells_(static_cast<size_t>(width * height)) {}
    int width() const { return width_; }
    int height() const { return height_; }
    Cell& at(int x, int y) { return cells_[static_cast<size_t>(y * width_ + x)]; }
    const Cell& at(int x, int y) const { return cells_[static_cast<size_t>(y * width_ + x)]; }
    // Writes `text` from (x, y), clipped at the right edge.
    void text(int x, int y, std::string_view s, int8_t colour = -1);

    // One line per row, trailing spaces dropped, '\n' after each.
    std::string plain() const;
    // A full-screen frame: each row placed with a cursor move and written
    // whole (no clear, so no flicker); colours unless `colour` is false.
    std::string ansi(bool colour) const;

private:
    int width_, height_;
    std::vector<Cell> cells_;
};

// The chart of `w` over [end_ms - span, end_ms] on a width x height screen.
// `title` is the first line; the right end of the time axis reads "now" when
// `live`, else "newest" (the window ends at the newest point).
Canvas render(const Window& w, int64_t end_ms, int width, int height, std::string_view title, bool live);

}  // namespace kcli::chart
