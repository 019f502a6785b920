#include "client/producer_serializer.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kafka {

std::string json_number(double v) {
    if (!std::isfinite(v)) return "null";
    // The fewest significant digits that read back as v: "%.*e" gives
    // "-d.ddde+XX", one digit before the point.
    char buf[40];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    const char* p = buf;
    std::string out;
    if (*p == '-') {
        out += '-';
        ++p;
    }
    std::string mantissa;
    for (; *p != 'e'; ++p)
        if (*p != '.') mantissa += *p;
    const int exp = std::atoi(p + 1);
    while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();

    if (exp < -4 || exp >= 16) {  // 1e-05, 1.5e+16
        out += mantissa[0];
        if (mantissa.size() > 1) out += "." + mantissa.substr(1);
        const int e = exp < 0 ? -exp : exp;
        out += exp < 0 ? "e-" : "e+";
        if (e < 10) out += '0';
        return out + std::to_string(e);
    }
    if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + mantissa;  // 0.001
    const size_t whole = static_cast<size_t>(exp) + 1;
    if (mantissa.size() <= whole) return out + mantissa + std::string(whole - mantissa.size(), '0') + ".0";
    return out + mantissa.substr(0, whole) + "." + mantissa.substr(whole);
}

}  // namespace kafka
