// The text kcli prints for `groups lag`: totals add up what is known, and a
// group with nothing committed shows "-" for its committed and lag totals
// rather than a lag of 0.
#include <doctest/doctest.h>

#include <string>

#include "client/admin_format.hpp"

using namespace kafka;

namespace {

GroupPartitionLag row(int32_t partition, int64_t end, int64_t committed) {
    GroupPartitionLag p;
    p.partition = {"events", partition};
    p.end_offset = end;
    p.committed_offset = committed;
    p.lag = committed >= 0 && end >= 0 ? end - committed : -1;
    return p;
}

// The table's last line, with its runs of spaces squeezed to one.
std::string total_line(const std::string& text) {
    const size_t at = text.find("\ntotal");
    REQUIRE(at != std::string::npos);
    std::string line = text.substr(at + 1, text.find('\n', at + 1) - at - 1);
    std::string out;
    for (char c : line)
        if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

TEST_CASE("groups lag text: totals of what is known") {
    GroupLag lag;
    lag.group_id = "g";
    lag.members_note = "no DescribeGroups";
    lag.partitions = {row(0, 4, 1), row(1, 2, -1)};
    lag.total_end = 6;
    lag.total_committed = 1;
    lag.total_lag = 3;
    CHECK(total_line(format_group_lag_text(lag)) == "total 6 1 3");
}

TEST_CASE("groups lag text: nothing committed is '-', not a lag of 0") {
    GroupLag lag;
    lag.group_id = "g";
    lag.members_note = "no DescribeGroups";
    lag.partitions = {row(0, 4, -1), row(1, 2, -1)};
    lag.total_end = 6;
    CHECK(total_line(format_group_lag_text(lag)) == "total 6 - -");
}
