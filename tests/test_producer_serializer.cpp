// The JSON text of json_serializer() against what Python's json.dumps writes
// for the same values (ensure_ascii=False), the strings below taken from
// Python 3.11: a Python consumer must read back what a Python producer sent.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/producer_serializer.hpp"

using namespace kafka;

TEST_CASE("to_json: numbers as json.dumps writes them") {
    CHECK(to_json(std::map<std::string, int>{{"num", 1}}) == R"({"num": 1})");
    CHECK(to_json(0) == "0");
    CHECK(to_json(-42L) == "-42");
    CHECK(to_json(0.1) == "0.1");
    CHECK(to_json(1.0) == "1.0");
    CHECK(to_json(1.5) == "1.5");
    CHECK(to_json(21.5f) == "21.5");
    CHECK(to_json(-0.0) == "-0.0");
    CHECK(to_json(1.0 / 3) == "0.3333333333333333");
    CHECK(to_json(1e15) == "1000000000000000.0");
    CHECK(to_json(1e16) == "1e+16");
    CHECK(to_json(1.5e16) == "1.5e+16");
    CHECK(to_json(123456789012345678.0) == "1.2345678901234568e+17");
    CHECK(to_json(0.0001) == "0.0001");
    CHECK(to_json(1e-05) == "1e-05");
    CHECK(to_json(2.5e-300) == "2.5e-300");
    CHECK(to_json(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
    CHECK(to_json(5e-324) == "5e-324");
    // Python writes NaN and Infinity, which JSON does not have.
    CHECK(to_json(std::nan("")) == "null");
    CHECK(to_json(-std::numeric_limits<double>::infinity()) == "null");
}

TEST_CASE("to_json: every double reads back as itself") {
    uint64_t bits = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 20000; ++i) {
        bits ^= bits << 13;
        bits ^= bits >> 7;
        bits ^= bits << 17;
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (!std::isfinite(v)) continue;
        const std::string s = to_json(v);
        CHECK_MESSAGE(std::strtod(s.c_str(), nullptr) == v, s);
    }
}

TEST_CASE("to_json: strings, booleans, null, lists and maps") {
    CHECK(to_json(std::vector<std::optional<int>>{1, std::nullopt}) == "[1, null]");
    CHECK(to_json(true) == "true");
    CHECK(to_json(std::string("a\"b\\c\n")) == R"("a\"b\\c\n")");
    CHECK(to_json(std::map<std::string, std::string>{{"u", "\xc3\xa9"}}) == "{\"u\": \"\xc3\xa9\"}");
    CHECK(to_json(std::map<std::string, double>{{"t", 21.5}, {"ts", 1700000000.0}}) ==
          R"({"t": 21.5, "ts": 1700000000.0})");
    CHECK(to_json(std::vector<std::vector<int>>{{1, 2}, {}}) == "[[1, 2], []]");
}

TEST_CASE("json_serializer: the record value is the JSON text's bytes") {
    auto serialize = json_serializer<std::map<std::string, int>>();
    const Bytes b = serialize({{"num", 7}});
    CHECK(std::string(b.begin(), b.end()) == R"({"num": 7})");
}
