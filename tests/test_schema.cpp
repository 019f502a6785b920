// The pinned Apache Kafka message schemas (protocol/schema/*.json, see the
// README there) against what our codecs declare. Every pinned file is listed
// in protocol/schema/RELEASES with the Kafka release its text comes from.
//
// For the files that are the Kafka 4.1 text (the release the codecs
// implement): our highest version is the schema's highest, our lowest is no
// higher than the schema's (we also speak older versions that the librdkafka
// 2.0.2 mock needs), the first flexible version is the schema's, and every
// tagged field we declare, at any depth, has the schema's tag number and first
// tagged version.
//
// For a file from an older release: our highest version is at least the
// schema's, the first flexible version is the schema's (an old schema with no
// flexible versions only fits if ours start above its highest), and every
// tagged field the old schema declares is one we declare with the same tag
// number and first tagged version. Old low versions we do not speak (Kafka 4
// removed most of them) are reported, not failed.
//
// The schemas are JSON with // comments; a small parser below reads them, so
// no JSON library is needed.
#include <doctest/doctest.h>

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocol/messages/all.hpp"
#include "protocol/registry.hpp"

using namespace kafka;

namespace {

// ---------------------------------------------------------------------------
// A minimal JSON value and a parser for JSON with // and /* */ comments.

struct Json {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string str;
    std::vector<Json> arr;
    std::vector<std::pair<std::string, Json>> obj;

    const Json* get(const std::string& key) const {
        for (const auto& [k, v] : obj)
            if (k == key) return &v;
        return nullptr;
    }
    std::string string_at(const std::string& key) const {
        const Json* v = get(key);
        return v && v->kind == Kind::String ? v->str : std::string();
    }
};

// Comments become spaces (so error offsets stay meaningful); "//" inside a
// string (a URL in an "about") is left alone.
std::string strip_comments(const std::string& in) {
    std::string out = in;
    bool in_string = false;
    for (size_t i = 0; i < out.size(); ++i) {
        char c = out[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
            while (i < out.size() && out[i] != '\n') out[i++] = ' ';
        } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
            size_t end = out.find("*/", i + 2);
            end = end == std::string::npos ? out.size() : end + 2;
            for (; i < end; ++i)
                if (out[i] != '\n') out[i] = ' ';
            --i;
        }
    }
    return out;
}

class JsonParser {
public:
    explicit JsonParser(std::string text) : s_(strip_comments(text)) {}

    // The whole text must be one value.
    bool parse(Json& out) {
        if (!value(out)) return false;
        skip_ws();
        return pos_ == s_.size() || fail("trailing characters");
    }
    const std::string& error() const { return error_; }

private:
    bool fail(const std::string& what) {
        if (error_.empty()) error_ = what + " at offset " + std::to_string(pos_);
        return false;
    }
    void skip_ws() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    bool literal(const char* word) {
        size_t n = std::char_traits<char>::length(word);
        if (s_.compare(pos_, n, word) != 0) return fail(std::string("expected ") + word);
        pos_ += n;
        return true;
    }
    bool value(Json& out) {
        skip_ws();
        if (pos_ >= s_.size()) return fail("unexpected end");
        char c = s_[pos_];
        if (c == '{') return object(out);
        if (c == '[') return array(out);
        if (c == '"') {
            out.kind = Json::Kind::String;
            return string(out.str);
        }
        if (c == 't' || c == 'f') {
            out.kind = Json::Kind::Bool;
            out.boolean = c == 't';
            return literal(c == 't' ? "true" : "false");
        }
        if (c == 'n') {
            out.kind = Json::Kind::Null;
            return literal("null");
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            const char* begin = s_.c_str() + pos_;
            char* end = nullptr;
            out.kind = Json::Kind::Number;
            out.number = std::strtod(begin, &end);
            if (end == begin) return fail("bad number");
            pos_ += static_cast<size_t>(end - begin);
            return true;
        }
        return fail(std::string("unexpected '") + c + "'");
    }
    bool string(std::string& out) {
        ++pos_;  // the opening quote
        out.clear();
        while (pos_ < s_.size() && s_[pos_] != '"') {
            char c = s_[pos_++];
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) break;
            char e = s_[pos_++];
            switch (e) {
                case 'n': out += '\n'; break;
                case 't': out += '\t'; break;
                case 'r': out += '\r'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'u':  // the schemas are ASCII: keep the escape as written
                    out += "\\u";
                    break;
                default: out += e; break;  // \" \\ \/
            }
        }
        if (pos_ >= s_.size()) return fail("unterminated string");
        ++pos_;  // the closing quote
        return true;
    }
    bool array(Json& out) {
        out.kind = Json::Kind::Array;
        ++pos_;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
        while (true) {
            out.arr.emplace_back();
            if (!value(out.arr.back())) return false;
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
            return fail("expected ',' or ']'");
        }
    }
    bool object(Json& out) {
        out.kind = Json::Kind::Object;
        ++pos_;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
        while (true) {
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected a key");
            std::string key;
            if (!string(key)) return false;
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
            ++pos_;
            Json v;
            if (!value(v)) return false;
            out.obj.emplace_back(std::move(key), std::move(v));
            skip_ws();
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
            return fail("expected ',' or '}'");
        }
    }

    std::string s_;
    size_t pos_ = 0;
    std::string error_;
};

// ---------------------------------------------------------------------------
// Kafka's version strings: "1-10", "5", "3+", "none".

struct Versions {
    bool none = true;
    int min = 0;
    int max = 0;  // INT_MAX-like for "N+"
};

Versions parse_versions(const std::string& s) {
    Versions v;
    if (s.empty() || s == "none") return v;
    v.none = false;
    size_t dash = s.find('-');
    if (!s.empty() && s.back() == '+') {
        v.min = std::atoi(s.c_str());
        v.max = 0x7fff;
    } else if (dash != std::string::npos) {
        v.min = std::atoi(s.substr(0, dash).c_str());
        v.max = std::atoi(s.substr(dash + 1).c_str());
    } else {
        v.min = v.max = std::atoi(s.c_str());
    }
    return v;
}

// "HighWatermark" -> "high_watermark", "ReplicaDirectoryId" -> "replica_directory_id".
std::string snake(const std::string& camel) {
    std::string out;
    for (size_t i = 0; i < camel.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(camel[i]);
        if (std::isupper(c)) {
            bool prev_lower = i > 0 && !std::isupper(static_cast<unsigned char>(camel[i - 1]));
            bool next_lower = i + 1 < camel.size() && std::islower(static_cast<unsigned char>(camel[i + 1]));
            bool prev_upper = i > 0 && std::isupper(static_cast<unsigned char>(camel[i - 1]));
            if (i > 0 && (prev_lower || (prev_upper && next_lower))) out += '_';
            out += static_cast<char>(std::tolower(c));
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// The pinned schema files.

struct Schema {
    std::string file;
    Json json;
};

const std::vector<Schema>& schemas() {
    static const std::vector<Schema> all = [] {
        std::vector<Schema> out;
        DIR* d = opendir(KAFKA_SCHEMA_DIR);
        if (d == nullptr) return out;
        std::vector<std::string> names;
        while (dirent* e = readdir(d)) {
            std::string n = e->d_name;
            if (n.size() > 5 && n.substr(n.size() - 5) == ".json") names.push_back(n);
        }
        closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& n : names) {
            std::ifstream f(std::string(KAFKA_SCHEMA_DIR) + "/" + n, std::ios::binary);
            std::stringstream ss;
            ss << f.rdbuf();
            Schema s;
            s.file = n;
            JsonParser p(ss.str());
            if (!p.parse(s.json)) s.json = Json{};  // reported by the parse test
            out.push_back(std::move(s));
        }
        return out;
    }();
    return all;
}

const Schema* find_schema(int16_t key, const std::string& type) {
    for (const auto& s : schemas()) {
        const Json* k = s.json.get("apiKey");
        if (k && k->kind == Json::Kind::Number && static_cast<int16_t>(k->number) == key &&
            s.json.string_at("type") == type)
            return &s;
    }
    return nullptr;
}

// protocol/schema/RELEASES: "<FileName>.json <release>" per line, # comments.
// Returns false (with a reason) when the manifest is missing or malformed.
bool read_releases(std::map<std::string, std::string>& out, std::string& error) {
    std::ifstream f(std::string(KAFKA_SCHEMA_DIR) + "/RELEASES");
    if (!f) {
        error = "no " KAFKA_SCHEMA_DIR "/RELEASES";
        return false;
    }
    std::string line;
    int n = 0;
    while (std::getline(f, line)) {
        ++n;
        if (size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        std::istringstream in(line);
        std::string file, release, extra;
        if (!(in >> file)) continue;  // blank or comment only
        if (!(in >> release) || (in >> extra)) {
            error = "RELEASES line " + std::to_string(n) + ": expected '<file> <release>'";
            return false;
        }
        if (!out.emplace(file, release).second) {
            error = "RELEASES line " + std::to_string(n) + ": " + file + " listed twice";
            return false;
        }
    }
    return true;
}

const std::map<std::string, std::string>& releases() {
    static const std::map<std::string, std::string> all = [] {
        std::map<std::string, std::string> m;
        std::string error;
        if (!read_releases(m, error)) m.clear();  // reported by the manifest test
        return m;
    }();
    return all;
}

// The release the codecs implement; files from it get the strict check.
const char* const kTargetRelease = "4.1";

// "2.8" -> {2, 8}; {-1, -1} unless it is <major>.<minor>.
std::pair<int, int> parse_release(const std::string& r) {
    size_t dot = r.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == r.size()) return {-1, -1};
    for (size_t i = 0; i < r.size(); ++i)
        if (i != dot && !std::isdigit(static_cast<unsigned char>(r[i]))) return {-1, -1};
    return {std::atoi(r.substr(0, dot).c_str()), std::atoi(r.substr(dot + 1).c_str())};
}

// What is wrong with a codec's declared versions against one schema file;
// empty when they agree. `target` selects the strict check (the file is the
// text of the release we implement); otherwise the older-release check.
// Things worth saying that are not failures go to `notes`.
std::vector<std::string> version_problems(VersionRange ours, int16_t our_flexible, const Json& schema, bool target,
                                          std::vector<std::string>* notes = nullptr) {
    std::vector<std::string> problems;
    const Versions valid = parse_versions(schema.string_at("validVersions"));
    const Versions flexible = parse_versions(schema.string_at("flexibleVersions"));
    if (valid.none) {
        problems.push_back("the schema has no validVersions");
        return problems;
    }
    const std::string flex_ours = our_flexible == kNeverFlexible ? std::string("none") : std::to_string(our_flexible);
    if (target) {
        if (ours.max != valid.max)
            problems.push_back("highest version " + std::to_string(ours.max) + ", schema says " +
                               std::to_string(valid.max));
        // We may speak older versions than Kafka 4 does (the librdkafka 2.0.2
        // mock needs them); never fewer of the newer ones.
        if (ours.min > valid.min)
            problems.push_back("lowest version " + std::to_string(ours.min) + ", schema already has " +
                               std::to_string(valid.min));
        if (our_flexible != (flexible.none ? kNeverFlexible : static_cast<int16_t>(flexible.min)))
            problems.push_back("flexible from " + flex_ours + ", schema says " + schema.string_at("flexibleVersions"));
        return problems;
    }
    // An older release: it may stop below our highest version, and it may still
    // have low versions that Kafka 4 removed and we do not speak.
    if (ours.max < valid.max)
        problems.push_back("highest version " + std::to_string(ours.max) + ", older schema already has " +
                           std::to_string(valid.max));
    if (ours.min > valid.min && notes != nullptr)
        notes->push_back("schema versions " + std::to_string(valid.min) + ".." + std::to_string(ours.min - 1) +
                         " are not spoken here");
    if (flexible.none) {
        // None flexible up to its highest version: ours must not start at or below it.
        if (our_flexible != kNeverFlexible && our_flexible <= valid.max)
            problems.push_back("flexible from " + flex_ours + ", but the schema has no flexible version up to " +
                               std::to_string(valid.max));
    } else if (our_flexible != flexible.min) {
        problems.push_back("flexible from " + flex_ours + ", schema says " + schema.string_at("flexibleVersions"));
    }
    return problems;
}

// A tagged field as the schema declares it.
struct SchemaTag {
    std::string parent;  // snake_case name of the enclosing field ("" at the top)
    std::string name;    // snake_case
    int tag = -1;
    Versions tagged_versions;
};

void collect_schema_tags(const Json& fields, const std::string& parent, std::vector<SchemaTag>& out) {
    if (fields.kind != Json::Kind::Array) return;
    for (const auto& f : fields.arr) {
        std::string name = snake(f.string_at("name"));
        if (const Json* t = f.get("tag"); t && t->kind == Json::Kind::Number)
            out.push_back({parent, name, static_cast<int>(t->number), parse_versions(f.string_at("taggedVersions"))});
        if (const Json* sub = f.get("fields")) collect_schema_tags(*sub, name, out);
    }
}

std::vector<SchemaTag> schema_tags(const Json& schema) {
    std::vector<SchemaTag> out;
    if (const Json* f = schema.get("fields")) collect_schema_tags(*f, "", out);
    // Structs shared by several fields; a field of such a type names the struct as its type.
    if (const Json* cs = schema.get("commonStructs"); cs && cs->kind == Json::Kind::Array)
        for (const auto& s : cs->arr)
            if (const Json* f = s.get("fields")) collect_schema_tags(*f, snake(s.string_at("name")), out);
    return out;
}

// ---------------------------------------------------------------------------
// Our side: walks a message's field list (the same io() the codec runs) and
// records every tagged field present at a version, nested ones included.

struct OurTag {
    std::string parent;  // name of the enclosing field ("" at the top)
    std::string name;
    uint32_t tag = 0;
    int16_t first_version = 0;  // the lowest version that has it
};

class TagCollector {
public:
    TagCollector(int16_t version, std::vector<OurTag>& out) : version_(version), out_(out) {}
    int16_t version() const { return version_; }
    bool flex() const { return true; }

    template <class T>
    void field(const char* name, T& v, bool present = true, const T& = T{}) {
        if (present) descend(name, v);
    }
    template <class T>
    void field(const char* name, std::optional<T>& v, bool present, Nullable) {
        if (present) descend(name, v);
    }
    template <class T>
    void tagged(uint32_t tag, const char* name, T& v, bool present = true, const T& = T{}) {
        if (!present) return;
        std::string parent = path_.empty() ? std::string() : path_.back();
        bool seen = false;
        for (auto& t : out_) {
            if (t.parent == parent && t.name == name && t.tag == tag) {
                t.first_version = std::min(t.first_version, version_);
                seen = true;
            }
        }
        if (!seen) out_.push_back({parent, name, tag, version_});
        descend(name, v);
    }
    template <class S>
    void object(S& s) {
        s.io(*this);
    }

private:
    template <class T>
    void descend(const char* name, T& v) {
        if constexpr (detail::is_scalar_v<T>) {
            (void)name;
            (void)v;
        } else if constexpr (detail::is_vector<T>::value) {
            (void)v;
            descend_element<typename T::value_type>(name);
        } else if constexpr (detail::is_optional_vector<T>::value) {
            (void)v;
            descend_element<typename T::value_type::value_type>(name);
        } else {
            path_.push_back(name);
            object(v);
            path_.pop_back();
        }
    }
    // Arrays may be empty: walk a default element to see its fields.
    template <class E>
    void descend_element(const char* name) {
        if constexpr (!detail::is_scalar_v<E>) {
            E e{};
            path_.push_back(name);
            object(e);
            path_.pop_back();
        } else {
            (void)name;
        }
    }

    int16_t version_;
    std::vector<OurTag>& out_;
    std::vector<std::string> path_;
};

template <class M>
std::vector<OurTag> our_tags() {
    std::vector<OurTag> out;
    for (int16_t v = std::max<int16_t>(M::versions.min, M::first_flexible); v <= M::versions.max; ++v) {
        M m{};
        TagCollector c(v, out);
        c.object(m);
    }
    return out;
}

// What is wrong with our tags against a schema's; empty when they agree.
std::vector<std::string> tag_problems(const std::vector<OurTag>& ours, const Json& schema) {
    std::vector<std::string> problems;
    const std::vector<SchemaTag> theirs = schema_tags(schema);
    for (const auto& t : ours) {
        const SchemaTag* match = nullptr;
        for (const auto& s : theirs) {
            if (s.name != t.name) continue;
            if (match == nullptr || (s.parent == t.parent && match->parent != t.parent)) match = &s;
        }
        std::string where = (t.parent.empty() ? std::string() : t.parent + ".") + t.name;
        if (match == nullptr) {
            problems.push_back(where + ": no tagged field of that name in the schema");
            continue;
        }
        if (static_cast<uint32_t>(match->tag) != t.tag)
            problems.push_back(where + ": tag " + std::to_string(t.tag) + ", schema says " + std::to_string(match->tag));
        if (!match->tagged_versions.none && match->tagged_versions.min != t.first_version)
            problems.push_back(where + ": tagged from v" + std::to_string(t.first_version) + ", schema says v" +
                               std::to_string(match->tagged_versions.min) + "+");
    }
    return problems;
}

// The older-release direction: every tagged field the schema declares must be
// one of ours with the same tag number and first tagged version. Fields the
// old schema lacks are not looked at.
std::vector<std::string> old_tag_problems(const std::vector<OurTag>& ours, const Json& schema) {
    std::vector<std::string> problems;
    for (const auto& s : schema_tags(schema)) {
        const OurTag* match = nullptr;
        for (const auto& t : ours) {
            if (t.name != s.name) continue;
            if (match == nullptr || (t.parent == s.parent && match->parent != s.parent)) match = &t;
        }
        std::string where = (s.parent.empty() ? std::string() : s.parent + ".") + s.name;
        if (match == nullptr) {
            problems.push_back(where + ": tagged field of the schema (tag " + std::to_string(s.tag) +
                               ") is not declared here");
            continue;
        }
        if (static_cast<uint32_t>(s.tag) != match->tag)
            problems.push_back(where + ": tag " + std::to_string(match->tag) + ", schema says " +
                               std::to_string(s.tag));
        if (!s.tagged_versions.none && s.tagged_versions.min != match->first_version)
            problems.push_back(where + ": tagged from v" + std::to_string(match->first_version) + ", schema says v" +
                               std::to_string(s.tagged_versions.min) + "+");
    }
    return problems;
}

// The tag check a pinned file gets, by its release.
std::vector<std::string> file_tag_problems(const std::vector<OurTag>& ours, const Schema& s) {
    auto r = releases().find(s.file);
    if (r == releases().end()) return {s.file + " is not listed in RELEASES"};
    return r->second == kTargetRelease ? tag_problems(ours, s.json) : old_tag_problems(ours, s.json);
}

template <class F, class... Reqs>
void for_each_request(TypeList<Reqs...>, F&& f) {
    (f(static_cast<Reqs*>(nullptr)), ...);
}

}  // namespace

TEST_SUITE_BEGIN("schema");

TEST_CASE("schema: the comment-tolerant JSON parser") {
    Json j;
    JsonParser p(R"(// header
        { "a": "x//y", /* block
        comment */ "b": [1, -2.5e1, true, false, null], "c": {"d": "q\"uote"} } // tail
    )");
    REQUIRE_MESSAGE(p.parse(j), p.error());
    CHECK(j.string_at("a") == "x//y");
    REQUIRE(j.get("b") != nullptr);
    REQUIRE(j.get("b")->arr.size() == 5);
    CHECK(j.get("b")->arr[1].number == doctest::Approx(-25.0));
    CHECK(j.get("b")->arr[2].boolean);
    CHECK(j.get("b")->arr[4].kind == Json::Kind::Null);
    CHECK(j.get("c")->string_at("d") == "q\"uote");

    Json bad;
    CHECK_FALSE(JsonParser(R"({"a": 1,})").parse(bad));
    CHECK_FALSE(JsonParser(R"({"a": 1} x)").parse(bad));
    CHECK_FALSE(JsonParser(R"({"a": "open)").parse(bad));

    CHECK(parse_versions("1-10").min == 1);
    CHECK(parse_versions("1-10").max == 10);
    CHECK(parse_versions("9+").min == 9);
    CHECK(parse_versions("0").max == 0);
    CHECK(parse_versions("none").none);
    CHECK(snake("HighWatermark") == "high_watermark");
    CHECK(snake("ReplicaDirectoryId") == "replica_directory_id");
    CHECK(snake("ZkMigrationReady") == "zk_migration_ready");
}

TEST_CASE("schema: every pinned file parses and is an API we implement") {
    REQUIRE_MESSAGE(!schemas().empty(), "no schema files in " KAFKA_SCHEMA_DIR);
    for (const auto& s : schemas()) {
        INFO(s.file);
        std::string text;
        {
            std::ifstream f(std::string(KAFKA_SCHEMA_DIR) + "/" + s.file, std::ios::binary);
            std::stringstream ss;
            ss << f.rdbuf();
            text = ss.str();
        }
        Json j;
        JsonParser p(text);
        REQUIRE_MESSAGE(p.parse(j), p.error());
        // Pinned verbatim: the Apache license header is kept.
        CHECK(text.rfind("// Licensed to the Apache Software Foundation (ASF)", 0) == 0);
        const Json* key = j.get("apiKey");
        REQUIRE(key != nullptr);
        const std::string type = j.string_at("type");
        REQUIRE((type == "request" || type == "response"));
        const ApiCodec* c = find_codec(static_cast<int16_t>(key->number));
        REQUIRE_MESSAGE(c != nullptr, "apiKey " << key->number << " has no codec here");
        const std::string want = std::string(c->name) + (type == "request" ? "Request" : "Response");
        CHECK(j.string_at("name") == want);
        CHECK(s.file == want + ".json");
        CHECK_FALSE(parse_versions(j.string_at("validVersions")).none);
    }
}

TEST_CASE("schema: every pinned file has its Kafka release in RELEASES") {
    std::map<std::string, std::string> m;
    std::string error;
    REQUIRE_MESSAGE(read_releases(m, error), error);
    for (const auto& s : schemas()) {
        INFO(s.file);
        auto r = m.find(s.file);
        REQUIRE_MESSAGE(r != m.end(), s.file << " is not listed in protocol/schema/RELEASES");
        const auto [major, minor] = parse_release(r->second);
        const auto [tmajor, tminor] = parse_release(kTargetRelease);
        INFO("release " << r->second);
        CHECK(major >= 0);
        // Nothing later than the release the codecs implement.
        CHECK((major < tmajor || (major == tmajor && minor <= tminor)));
    }
    for (const auto& [file, release] : m) {
        bool present = std::any_of(schemas().begin(), schemas().end(), [&](const Schema& s) { return s.file == file; });
        CHECK_MESSAGE(present, "RELEASES lists " << file << ", which is not pinned");
    }
}

TEST_CASE("schema: declared versions match the pinned Kafka schemas") {
    std::vector<std::string> checked, without_schema, notes;
    for (const auto& c : all_codecs()) {
        const Schema* req = find_schema(c.key, "request");
        const Schema* resp = find_schema(c.key, "response");
        if (req == nullptr && resp == nullptr) {
            without_schema.push_back(c.name);
            continue;
        }
        checked.push_back(c.name);
        for (const Schema* s : {req, resp}) {
            if (s == nullptr) continue;
            auto r = releases().find(s->file);
            INFO(std::string(c.name) << " vs " << s->file << ": ours " << c.versions.min << ".." << c.versions.max
                        << " flexible from " << c.first_flexible << ", schema " << s->json.string_at("validVersions")
                        << " flexible " << s->json.string_at("flexibleVersions"));
            REQUIRE_MESSAGE(r != releases().end(), s->file << " is not listed in RELEASES");
            INFO("Kafka " << r->second << " text");
            std::vector<std::string> file_notes;
            for (const auto& p : version_problems(c.versions, c.first_flexible, s->json, r->second == kTargetRelease,
                                                  &file_notes))
                FAIL_CHECK(p);
            for (const auto& n : file_notes) notes.push_back(s->file + " (Kafka " + r->second + "): " + n);
        }
    }
    CHECK_FALSE(checked.empty());
    MESSAGE("APIs checked against a pinned schema: " << [&] {
        std::string s;
        for (const auto& n : checked) s += n + " ";
        return s;
    }() << "; without one: " << [&] {
        std::string s;
        for (const auto& n : without_schema) s += n + " ";
        return s;
    }());
    for (const auto& n : notes) MESSAGE(n);
}

TEST_CASE("schema: declared tagged fields match the pinned Kafka schemas") {
    int compared = 0;
    for_each_request(AllRequests{}, [&](auto* tag) {
        using Req = std::remove_pointer_t<decltype(tag)>;
        using Resp = typename Req::response_type;
        if (const Schema* s = find_schema(Req::key, "request")) {
            INFO(s->file);
            for (const auto& p : file_tag_problems(our_tags<Req>(), *s)) FAIL_CHECK(p);
            ++compared;
        }
        if (const Schema* s = find_schema(Resp::key, "response")) {
            INFO(s->file);
            for (const auto& p : file_tag_problems(our_tags<Resp>(), *s)) FAIL_CHECK(p);
            ++compared;
        }
    });
    CHECK(compared > 0);
}

// The version check itself, on hand-written schemas (not pinned files): it
// must still be able to fail, for the 4.1 text and for an older release.
TEST_CASE("schema: the version check catches wrong ranges and flexible versions") {
    auto schema = [](const char* valid, const char* flexible) {
        Json j;
        std::string text = std::string(R"({"validVersions": ")") + valid + R"(", "flexibleVersions": ")" + flexible +
                           R"("})";
        REQUIRE(JsonParser(text).parse(j));
        return j;
    };
    const VersionRange fetch = FetchRequest::versions;
    const int16_t flex = FetchRequest::first_flexible;  // 12
    REQUIRE(flex == 12);
    const std::string top = std::to_string(fetch.max);
    // 4.1 text: exact highest, exact first flexible version.
    CHECK(version_problems(fetch, flex, schema(("4-" + top).c_str(), "12+"), true).empty());
    CHECK(version_problems(fetch, flex, schema(("4-" + std::to_string(fetch.max + 1)).c_str(), "12+"), true).size() ==
          1);
    CHECK(version_problems(fetch, flex, schema("4-12", "12+"), true).size() == 1);
    CHECK(version_problems(fetch, flex, schema(("4-" + top).c_str(), "11+"), true).size() == 1);
    // An older release: a lower highest is fine, the first flexible version is not.
    std::vector<std::string> notes;
    CHECK(version_problems(fetch, flex, schema("0-12", "12+"), false, &notes).empty());
    CHECK(version_problems(fetch, flex, schema("0-12", "11+"), false).size() == 1);
    CHECK(version_problems(fetch, flex, schema("0-12", "13+"), false).size() == 1);
    CHECK(version_problems(fetch, flex, schema(("0-" + std::to_string(fetch.max + 1)).c_str(), "12+"), false).size() ==
          1);
    // No flexible version in the old schema: only fine if ours start above its highest.
    CHECK(version_problems(fetch, flex, schema("0-11", "none"), false).empty());
    CHECK(version_problems(fetch, flex, schema("0-12", "none"), false).size() == 1);
    // Old low versions we do not speak are noted, not failed; the 4.1 text
    // still fails on a lowest version above the schema's.
    CHECK(notes.size() == (fetch.min > 0 ? 1u : 0u));
    const VersionRange from_four{4, fetch.max};
    std::vector<std::string> low;
    CHECK(version_problems(from_four, flex, schema("0-12", "12+"), false, &low).empty());
    REQUIRE(low.size() == 1);
    CHECK(low[0] == "schema versions 0..3 are not spoken here");
    CHECK(version_problems(from_four, flex, schema(("0-" + top).c_str(), "12+"), true).size() == 1);
}

TEST_CASE("schema: the older-release tag check compares the old schema's tagged fields") {
    const auto fetch = our_tags<FetchRequest>();
    Json good, wrong_tag, wrong_version, unknown, fewer;
    // A 2.x-style schema declaring only ClusterId; the later tags are not checked.
    REQUIRE(JsonParser(R"({"fields": [{"name": "ClusterId", "tag": 0, "taggedVersions": "12+"}]})").parse(fewer));
    CHECK(old_tag_problems(fetch, fewer).empty());
    REQUIRE(JsonParser(R"({"fields": [
        {"name": "ClusterId", "tag": 0, "taggedVersions": "12+"},
        {"name": "Topics", "fields": [{"name": "Partitions", "fields": [
            {"name": "ReplicaDirectoryId", "tag": 0, "taggedVersions": "17+"}]}]}]})")
                .parse(good));
    CHECK(old_tag_problems(fetch, good).empty());
    REQUIRE(JsonParser(R"({"fields": [{"name": "ClusterId", "tag": 1, "taggedVersions": "12+"}]})").parse(wrong_tag));
    CHECK(old_tag_problems(fetch, wrong_tag).size() == 1);
    REQUIRE(JsonParser(R"({"fields": [{"name": "ClusterId", "tag": 0, "taggedVersions": "13+"}]})")
                .parse(wrong_version));
    CHECK(old_tag_problems(fetch, wrong_version).size() == 1);
    REQUIRE(JsonParser(R"({"fields": [{"name": "NoSuchField", "tag": 5, "taggedVersions": "12+"}]})").parse(unknown));
    CHECK(old_tag_problems(fetch, unknown).size() == 1);
}

TEST_CASE("schema: the RELEASES reader and release parsing") {
    CHECK(parse_release("4.1") == std::make_pair(4, 1));
    CHECK(parse_release("2.8") == std::make_pair(2, 8));
    CHECK(parse_release("2.x").first == -1);
    CHECK(parse_release("4").first == -1);
    CHECK(parse_release("").first == -1);
}

// The tag walk itself, on messages whose tags sit at several depths, against
// small hand-written schemas (not pinned files).
TEST_CASE("schema: the tagged-field walk finds nested tags and catches a wrong number") {
    auto find = [](const std::vector<OurTag>& tags, const std::string& name) -> const OurTag* {
        for (const auto& t : tags)
            if (t.name == name) return &t;
        return nullptr;
    };
    const auto fetch = our_tags<FetchRequest>();
    REQUIRE(find(fetch, "cluster_id") != nullptr);
    CHECK(find(fetch, "cluster_id")->parent.empty());
    REQUIRE(find(fetch, "high_watermark") != nullptr);
    CHECK(find(fetch, "high_watermark")->parent == "partitions");
    CHECK(find(fetch, "high_watermark")->first_version == 18);

    const auto versions = our_tags<ApiVersionsResponse>();
    CHECK(versions.size() == 4);

    Json good, wrong_tag, wrong_version, missing;
    REQUIRE(JsonParser(R"({"fields": [
        {"name": "ClusterId", "tag": 0, "taggedVersions": "12+"},
        {"name": "ReplicaState", "tag": 1, "taggedVersions": "15+", "fields": []},
        {"name": "Topics", "fields": [{"name": "Partitions", "fields": [
            {"name": "ReplicaDirectoryId", "tag": 0, "taggedVersions": "17+"},
            {"name": "HighWatermark", "tag": 1, "taggedVersions": "18+"}]}]}]})")
                .parse(good));
    CHECK(tag_problems(fetch, good).empty());
    REQUIRE(JsonParser(R"({"fields": [
        {"name": "ClusterId", "tag": 0, "taggedVersions": "12+"},
        {"name": "ReplicaState", "tag": 1, "taggedVersions": "15+"},
        {"name": "Topics", "fields": [{"name": "Partitions", "fields": [
            {"name": "ReplicaDirectoryId", "tag": 0, "taggedVersions": "17+"},
            {"name": "HighWatermark", "tag": 2, "taggedVersions": "18+"}]}]}]})")
                .parse(wrong_tag));
    CHECK(tag_problems(fetch, wrong_tag).size() == 1);
    REQUIRE(JsonParser(R"({"fields": [
        {"name": "ClusterId", "tag": 0, "taggedVersions": "13+"},
        {"name": "ReplicaState", "tag": 1, "taggedVersions": "15+"},
        {"name": "Topics", "fields": [{"name": "Partitions", "fields": [
            {"name": "ReplicaDirectoryId", "tag": 0, "taggedVersions": "17+"},
            {"name": "HighWatermark", "tag": 1, "taggedVersions": "18+"}]}]}]})")
                .parse(wrong_version));
    CHECK(tag_problems(fetch, wrong_version).size() == 1);
    REQUIRE(JsonParser(R"({"fields": [{"name": "ClusterId", "tag": 0, "taggedVersions": "12+"}]})").parse(missing));
    CHECK(tag_problems(fetch, missing).size() == 3);
}

TEST_SUITE_END();
