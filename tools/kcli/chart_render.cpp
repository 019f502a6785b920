#include "chart_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kcli::chart {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The whole of `s` as a finite number, or nullopt ("12abc", "nan", "" are not).
std::optional<double> to_number(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 64) return std::nullopt;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
            return std::nullopt;  // no "inf", "nan" or hex: strtod takes those
    const std::string copy(s);
    char* end = nullptr;
    const double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

// A small JSON reader: just enough to walk an object's members and keep the
// numeric ones; nested objects become "outer.inner", arrays are skipped.
class JsonReader {
public:
    explicit JsonReader(std::string_view s) : s_(s) {}

    bool object(const std::string& prefix, std::vector<Entry>& out, int depth) {
        if (depth > 32 || !eat('{')) return false;
        skip_ws();
        if (eat('}')) return true;
        for (;;) {
            std::string key;
            skip_ws();
            if (!string(key)) return false;
            skip_ws();
            if (!eat(':')) return false;
            skip_ws();
            if (!member(prefix + key, out, depth)) return false;
            skip_ws();
            if (eat('}')) return true;
            if (!eat(',')) return false;
        }
    }

    // A top-level array: every element keeps its place ("#N"), numeric or not.
    bool array(std::vector<Entry>& out) {
        if (!eat('[')) return false;
        skip_ws();
        if (eat(']')) return true;
        for (;;) {
            skip_ws();
            Entry e{"#" + std::to_string(out.size() + 1), std::nullopt};
            if (peek() == '"') {
                std::string text;
                if (!string(text)) return false;
                e.value = to_number(text);
            } else if (peek() == '-' || (peek() >= '0' && peek() <= '9')) {
                e.value = number();
                if (!e.value) return false;
            } else if (!skip_value(0)) {
                return false;
            }
            out.push_back(std::move(e));
            skip_ws();
            if (eat(']')) return true;
            if (!eat(',')) return false;
        }
    }

    bool at_end() {
        skip_ws();
        return i_ == s_.size();
    }

private:
    bool member(const std::string& name, std::vector<Entry>& out, int depth) {
        const char c = peek();
        if (c == '{') return object(name + ".", out, depth + 1);
        if (c == '"') {
            std::string text;
            if (!string(text)) return false;
            if (auto v = to_number(text)) out.push_back({name, v});
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            auto v = number();
            if (!v) return false;
            out.push_back({name, v});
            return true;
        }
        return skip_value(depth);
    }

    std::optional<double> number() {
        const size_t start = i_;
        while (i_ < s_.size() && std::string_view("+-.eE0123456789").find(s_[i_]) != std::string_view::npos) ++i_;
        return to_number(s_.substr(start, i_ - start));
    }

    // true, false, null, arrays and objects we do not plot.
    bool skip_value(int depth) {
        if (depth > 32) return false;
        const char c = peek();
        if (c == '"') {
            std::string ignored;
            return string(ignored);
        }
        if (c == '[' || c == '{') {
            const char close = c == '[' ? ']' : '}';
            ++i_;
            skip_ws();
            if (eat(close)) return true;
            for (;;) {
                skip_ws();
                if (close == '}') {
                    std::string key;
                    if (!string(key)) return false;
                    skip_ws();
                    if (!eat(':')) return false;
                    skip_ws();
                }
                if (!skip_value(depth + 1)) return false;
                skip_ws();
                if (eat(close)) return true;
                if (!eat(',')) return false;
            }
        }
        for (std::string_view word : {"true", "false", "null"}) {
            if (s_.substr(i_, word.size()) == word) {
                i_ += word.size();
                return true;
            }
        }
        if (c == '-' || (c >= '0' && c <= '9')) return number().has_value();
        return false;
    }

    bool string(std::string& out) {
        if (!eat('"')) return false;
        while (i_ < s_.size()) {
            const char c = s_[i_++];
            if (c == '"') return true;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) return false;
            const char e = s_[i_++];
            switch (e) {
                case '"': case '\\': case '/': out += e; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    if (i_ + 4 > s_.size()) return false;
                    unsigned cp = 0;
                    for (int k = 0; k < 4; ++k) {
                        const char h = s_[i_++];
                        cp <<= 4;
                        if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
                        else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
                        else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
                        else return false;
                    }
                    // UTF-8; a lone surrogate half becomes '?' (names only need to match what was typed).
                    if (cp < 0x80) {
                        out += static_cast<char>(cp);
                    } else if (cp < 0x800) {
                        out += static_cast<char>(0xC0 | (cp >> 6));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                        out += '?';
                    } else {
                        out += static_cast<char>(0xE0 | (cp >> 12));
                        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                        out += static_cast<char>(0x80 | (cp & 0x3F));
                    }
                    break;
                }
                default: return false;
            }
        }
        return false;
    }

    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool eat(char c) {
        if (peek() != c) return false;
        ++i_;
        return true;
    }
    void skip_ws() {
        while (i_ < s_.size() && is_space(s_[i_])) ++i_;
    }

    std::string_view s_;
    size_t i_ = 0;
};

}  // namespace

// ---- reading values ------------------------------------------------------------

std::optional<std::vector<Field>> parse_fields(std::string_view list, std::string* error) {
    std::vector<Field> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        const std::string_view item = trim(list.substr(start, comma - start));
        if (item.empty()) {
            if (error) *error = "--fields has an empty item (want e.g. 2,3 or temp1,temp2)";
            return std::nullopt;
        }
        if (std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            const long n = item.size() > 6 ? 0 : std::strtol(std::string(item).c_str(), nullptr, 10);
            if (n <= 0) {
                if (error) *error = "--fields positions count from 1";
                return std::nullopt;
            }
            out.push_back({"#" + std::to_string(n), static_cast<int>(n)});
        } else {
            out.push_back({std::string(item), 0});
        }
        start = comma + 1;
    }
    return out;
}

std::optional<Parsed> parse_value(std::string_view value) {
    const std::string_view v = trim(value);
    Parsed p;
    if (!v.empty() && (v.front() == '{' || v.front() == '[')) {
        JsonReader r(v);
        p.json = v.front() == '{';
        const bool ok = p.json ? r.object("", p.entries, 0) : r.array(p.entries);
        if (!ok || !r.at_end()) return std::nullopt;
        return p;
    }
    // CSV: commas, with "quoted, fields" and "" for a quote inside one.
    std::string field;
    bool quoted = false;
    auto push = [&] {
        p.entries.push_back({"#" + std::to_string(p.entries.size() + 1), to_number(field)});
        field.clear();
    };
    for (size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        if (quoted) {
            if (c == '"' && i + 1 < v.size() && v[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            push();
        } else {
            field += c;
        }
    }
    push();
    return p;
}

std::vector<std::optional<double>> select(const Parsed& parsed, const std::vector<Field>& fields) {
    std::vector<std::optional<double>> out;
    out.reserve(fields.size());
    for (const Field& f : fields) {
        std::optional<double> v;
        if (f.index > 0) {
            if (static_cast<size_t>(f.index) <= parsed.entries.size()) v = parsed.entries[f.index - 1].value;
        } else if (parsed.json) {
            for (const Entry& e : parsed.entries)
                if (e.name == f.name) v = e.value;  // a repeated key: the last one, as most parsers do
        }
        out.push_back(v);
    }
    return out;
}

std::vector<Field> default_fields(const Parsed& parsed, size_t max) {
    std::vector<Field> out;
    for (size_t i = 0; i < parsed.entries.size() && out.size() < max; ++i) {
        const Entry& e = parsed.entries[i];
        if (!e.value) continue;
        if (parsed.json) out.push_back({e.name, 0});
        else out.push_back({e.name, static_cast<int>(i + 1)});
    }
    return out;
}

std::optional<int64_t> parse_duration_ms(std::string_view text) {
    text = trim(text);
    size_t unit_at = 0;
    while (unit_at < text.size() && ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.'))
        ++unit_at;
    const auto number = to_number(text.substr(0, unit_at));
    const std::string_view unit = text.substr(unit_at);
    double scale;
    if (unit.empty() || unit == "s") scale = 1000;
    else if (unit == "ms") scale = 1;
    else if (unit == "m") scale = 60000;
    else if (unit == "h") scale = 3600000;
    else return std::nullopt;
    if (!number || *number <= 0 || *number * scale > 1e12) return std::nullopt;
    const auto ms = static_cast<int64_t>(std::llround(*number * scale));
    if (ms <= 0) return std::nullopt;
    return ms;
}

std::string format_duration(int64_t ms) {
    if (ms >= 2 * 3600000 && ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
    if (ms >= 2 * 60000 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_number(double v) {
    if (!std::isfinite(v)) return "nan";
    if (v == 0) return "0";
    // Two digits after the leading integer digits; %g drops trailing zeros.
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    const int precision = std::min(std::max(magnitude + 1, 1) + 2, 10);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    return buf;
}

// ---- the window --------------------------------------------------------------

Window::Window(std::vector<std::string> names, int64_t span_ms, size_t max_points)
    : span_ms_(span_ms), max_points_(std::max<size_t>(max_points, 1)) {
    for (auto& n : names) series_.push_back({std::move(n), {}, std::nullopt});
}

void Window::add(size_t series, int64_t t_ms, double v) {
    if (series >= series_.size() || !std::isfinite(v)) return;
    Series& s = series_[series];
    s.last = v;
    if (s.points.empty() || s.points.back().t_ms <= t_ms) {
        s.points.push_back({t_ms, v});
    } else {
        auto at = std::upper_bound(s.points.begin(), s.points.end(), t_ms,
                                   [](int64_t t, const Point& p) { return t < p.t_ms; });
        s.points.insert(at, {t_ms, v});
    }
    while (s.points.size() > max_points_) s.points.pop_front();
    newest_ = std::max(newest_, t_ms);
}

void Window::trim(int64_t end_ms) {
    const int64_t start = end_ms - span_ms_;
    for (Series& s : series_)
        while (!s.points.empty() && s.points.front().t_ms < start) s.points.pop_front();
}

int64_t Window::end_for(int64_t now_ms) const {
    if (newest_ == INT64_MIN || now_ms - newest_ <= span_ms_) return now_ms;
    return newest_;
}

// ---- drawing -------------------------------------------------------------------

char glyph(size_t series) {
    static const char kGlyphs[kStyles] = {'*', 'o', '+', 'x', '#', '@', '%', '&'};
    return kGlyphs[series % kStyles];
}

int colour(size_t series) {
    static const int kColours[kStyles] = {32, 33, 36, 35, 31, 34, 37, 32};
    return kColours[series % kStyles];
}

void Canvas::text(int x, int y, std::string_view s, int8_t colour) {
    if (y < 0 || y >= height_) return;
    for (size_t i = 0; i < s.size(); ++i) {
        const int cx = x + static_cast<int>(i);
        if (cx < 0) continue;
        if (cx >= width_) break;
        at(cx, y) = {s[i], colour};
    }
}

std::string Canvas::plain() const {
    std::string out;
    for (int y = 0; y < height_; ++y) {
        std::string line;
        for (int x = 0; x < width_; ++x) line += at(x, y).ch;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line;
        out += '\n';
    }
    return out;
}

std::string Canvas::ansi(bool use_colour) const {
    std::string out;
    for (int y = 0; y < height_; ++y) {
        out += "\x1b[" + std::to_string(y + 1) + ";1H";
        int last = width_ - 1;
        while (last >= 0 && at(last, y).ch == ' ') --last;
        int8_t current = -1;
        for (int x = 0; x <= last; ++x) {
            const Cell& c = at(x, y);
            const int8_t want = use_colour ? c.colour : int8_t{-1};
            if (want != current && (c.ch != ' ' || want == -1)) {
                out += want < 0 ? std::string("\x1b[0m") : "\x1b[" + std::to_string(want) + "m";
                current = want;
            }
            out += c.ch;
        }
        if (current != -1) out += "\x1b[0m";
        out += "\x1b[K";  // the rest of the row: whatever the last frame had there goes
    }
    return out;
}

Canvas render(const Window& w, int64_t end_ms, int width, int height, std::string_view title, bool live) {
    Canvas c(std::max(width, 1), std::max(height, 1));
    c.text(0, 0, title);
    const int64_t span = w.span_ms();
    const int64_t start = end_ms - span;

    // The legend, wrapped to the width: "* temp1 21.5   o temp2 19.02".
    std::vector<std::vector<std::pair<std::string, int8_t>>> legend(1);
    int used = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        const auto last = w.last(i);
        std::string entry = std::string(1, glyph(i)) + " " + w.name(i) + " " + (last ? format_number(*last) : "-");
        const int need = static_cast<int>(entry.size()) + (used ? 3 : 0);
        if (used && used + need > c.width()) {
            legend.emplace_back();
            used = 0;
        }
        legend.back().push_back({std::move(entry), static_cast<int8_t>(colour(i))});
        used += static_cast<int>(legend.back().back().first.size()) + (used ? 3 : 0);
    }

    // The value range over what is in the window.
    double lo = 0, hi = 0;
    bool any = false;
    for (size_t i = 0; i < w.size(); ++i)
        for (const Point& p : w.points(i)) {
            if (p.t_ms < start) continue;
            lo = any ? std::min(lo, p.v) : p.v;
            hi = any ? std::max(hi, p.v) : p.v;
            any = true;
        }
    if (any && hi == lo) {
        const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.05;
        lo -= pad;
        hi += pad;
    }

    const int plot_rows = c.height() - 1 - 2 - static_cast<int>(legend.size());
    // The middle label names the value its own row stands for.
    const int mid_row = std::max(plot_rows - 1, 0) / 2;
    const double mid_value = plot_rows > 1 ? hi - (hi - lo) * mid_row / (plot_rows - 1) : hi;
    const std::string top = any ? format_number(hi) : "", bottom = any ? format_number(lo) : "",
                      middle = any ? format_number(mid_value) : "";
    const int label_w = static_cast<int>(std::max({top.size(), bottom.size(), middle.size(), size_t{1}}));
    const int plot_x = label_w + 1;
    const int plot_w = c.width() - plot_x;
    if (plot_rows < 3 || plot_w < 10) {
        c.text(0, std::min(1, c.height() - 1), "terminal too small");
        return c;
    }
    const int plot_y = 1;
    const int axis_y = plot_y + plot_rows;

    // Y axis with max, middle and min labels, right-aligned.
    for (int y = plot_y; y < axis_y; ++y) c.at(label_w, y).ch = '|';
    c.text(label_w - static_cast<int>(top.size()), plot_y, top);
    c.text(label_w - static_cast<int>(bottom.size()), axis_y - 1, bottom);
    if (plot_rows >= 5) c.text(label_w - static_cast<int>(middle.size()), plot_y + mid_row, middle);

    // X axis: "+-----", then "-60s ... -30s ... now".
    c.at(label_w, axis_y).ch = '+';
    for (int x = plot_x; x < c.width(); ++x) c.at(x, axis_y).ch = '-';
    const std::string left = "-" + format_duration(span), mid = "-" + format_duration(span / 2),
                      right = live ? "now" : "newest";
    c.text(plot_x, axis_y + 1, left);
    if (plot_w >= static_cast<int>(left.size() + mid.size() + right.size()) + 4)
        c.text(plot_x + plot_w / 2 - static_cast<int>(mid.size()) / 2, axis_y + 1, mid);
    c.text(c.width() - static_cast<int>(right.size()), axis_y + 1, right);

    if (!any) {
        c.text(plot_x + 2, plot_y + plot_rows / 2, "waiting for records...");
    } else {
        auto row_of = [&](double v) {
            const double f = (hi - v) / (hi - lo);
            return plot_y + std::clamp(static_cast<int>(std::lround(f * (plot_rows - 1))), 0, plot_rows - 1);
        };
        // Per series and column: the lowest, highest and latest value; a
        // column's vertical run reaches back to the previous column's latest
        // value, so that the points join into a line.
        struct Column {
            bool has = false;
            double lo = 0, hi = 0, last = 0;
        };
        std::vector<Column> cols(static_cast<size_t>(plot_w));
        for (size_t i = 0; i < w.size(); ++i) {
            std::fill(cols.begin(), cols.end(), Column{});
            for (const Point& p : w.points(i)) {
                if (p.t_ms < start) continue;
                const int64_t offset = std::min(p.t_ms - start, span);
                const auto x = static_cast<size_t>(std::min<int64_t>(offset * plot_w / span, plot_w - 1));
                Column& col = cols[x];
                col.lo = col.has ? std::min(col.lo, p.v) : p.v;
                col.hi = col.has ? std::max(col.hi, p.v) : p.v;
                col.last = p.v;  // points are sorted by time
                col.has = true;
            }
            const Cell mark{glyph(i), static_cast<int8_t>(colour(i))};
            for (size_t x = 0; x < cols.size(); ++x) {
                if (!cols[x].has) continue;
                int r0 = row_of(cols[x].hi), r1 = row_of(cols[x].lo);
                if (x > 0 && cols[x - 1].has) {
                    // Join the previous column's latest value: fill the rows between.
                    const int prev = row_of(cols[x - 1].last);
                    if (prev < r0) r0 = prev + 1;
                    else if (prev > r1) r1 = prev - 1;
                }
                for (int y = r0; y <= r1; ++y) c.at(plot_x + static_cast<int>(x), y) = mark;
            }
        }
    }

    int y = axis_y + 2;
    for (const auto& line : legend) {
        int x = 0;
        for (const auto& [entry, col] : line) {
            // Glyph and name in the series' colour, the value plain.
            const size_t value_at = entry.rfind(' ');
            c.text(x, y, entry.substr(0, value_at), col);
            c.text(x + static_cast<int>(value_at), y, entry.substr(value_at));
            x += static_cast<int>(entry.size()) + 3;
        }
        ++y;
    }
    return c;
}

}  // namespace kcli::chart
