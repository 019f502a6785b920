// Helpers for the producer's live tests: reading partitions back with plain
// Fetch requests (independent of the consumer), and running peers (kcat,
// kafka-python) as bounded subprocesses.
#pragma once

#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "client/producer.hpp"
#include "cluster_client.hpp"
#include "mock_cluster.hpp"
#include "net/cluster.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/records.hpp"

namespace kafka::test {

using namespace std::chrono_literals;

inline Properties producer_props(const MockCluster& mock, Properties extra = {}) {
    Properties p = std::move(extra);
    p.set("bootstrap.servers", mock.bootstraps());
    return p;
}

inline std::string text(const std::optional<Bytes>& b) {
    return b ? std::string(b->begin(), b->end()) : std::string("<null>");
}

// Reads partitions from offset 0 to their end with Fetch requests to the leaders.
class FetchReader : public LiveClusterClient {
public:
    explicit FetchReader(const MockCluster& mock) : LiveClusterClient(mock) {}

    // Every record of the partition, decoded, with its batch's producer fields.
    struct Read {
        std::vector<Record> records;
        std::vector<RecordBatch> batches;  // headers only (records moved out)
        int64_t high_watermark = -1;
    };
    Read read(const std::string& topic, int32_t partition, std::chrono::milliseconds limit = 10000ms) {
        Read out;
        std::optional<int32_t> leader;
        std::error_code topic_ec;
        bool topic_done = false;
        cluster_->async_topic(topic, [&](std::error_code e, net::TopicInfo info) {
            topic_ec = e;
            if (const auto* p = info.partition(partition)) leader = p->leader;
            topic_done = true;
        });
        REQUIRE(run([&] { return topic_done; }));
        REQUIRE_MESSAGE(!topic_ec, topic_ec.message());
        REQUIRE(leader.has_value());

        int64_t offset = 0;
        const auto end = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < end) {
            bool done = false;
            std::error_code ec;
            FetchResponse resp;
            FetchRequest req;
            req.max_wait_ms = 0;
            req.min_bytes = 0;
            req.max_bytes = 8 << 20;
            auto& t = req.topics.emplace_back();
            t.topic = topic;
            auto& p = t.partitions.emplace_back();
            p.partition = partition;
            p.fetch_offset = offset;
            p.partition_max_bytes = 4 << 20;
            cluster_->async_request(*leader, net::Purpose::fetch, req, [&](std::error_code e, FetchResponse r) {
                ec = e;
                resp = std::move(r);
                done = true;
            });
            REQUIRE(run([&] { return done; }));
            REQUIRE_MESSAGE(!ec, ec.message());
            REQUIRE(resp.responses.size() == 1);
            REQUIRE(resp.responses[0].partitions.size() == 1);
            const auto& pd = resp.responses[0].partitions[0];
            REQUIRE_MESSAGE(pd.error_code == 0, broker_error_name(pd.error_code));
            out.high_watermark = pd.high_watermark;
            if (pd.records.data && !pd.records.data->empty()) {
                auto set = decode_records(*pd.records.data);
                REQUIRE_MESSAGE(set.has_value(), set.error().message());
                for (auto& b : set->batches) {
                    for (auto& r : b.records)
                        if (r.offset >= offset) out.records.push_back(std::move(r));
                    b.records.clear();
                    if (b.last_offset() >= offset) out.batches.push_back(b);
                }
                if (!out.records.empty()) offset = out.records.back().offset + 1;
            }
            if (offset >= pd.high_watermark) break;
        }
        return out;
    }
};

// Runs a shell command (its own time limit inside, e.g. `timeout 20 ...`),
// returning its exit status and standard output.
struct ShellResult {
    int status = -1;
    std::string out;
};
inline ShellResult run_shell(const std::string& cmd) {
    ShellResult r;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) return r;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
    r.status = ::pclose(f);
    return r;
}

inline bool have_command(const std::string& name) {
    return run_shell("command -v " + name + " >/dev/null 2>&1").status == 0;
}

inline std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < s.size()) {
        size_t nl = s.find('\n', start);
        if (nl == std::string::npos) nl = s.size();
        out.push_back(s.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

// Records as text rows, to compare what peers print with what we read.
// partition, key, value, "h1=v1,h2=v2"
using Row = std::tuple<int32_t, std::string, std::string, std::string>;

inline std::string headers_text(const std::vector<RecordHeader>& hs) {
    std::string out;
    for (const auto& h : hs) {
        if (!out.empty()) out += ",";
        out += h.key + "=" + (h.value ? std::string(h.value->begin(), h.value->end()) : std::string("NULL"));  // as kcat prints it
    }
    return out;
}

// Reads "p|k|v|h" lines (kcat's -f '%p|%k|%s|%h\n'; kcat prints no headers as "").
inline std::multiset<Row> parse_rows(const std::string& out) {
    std::multiset<Row> rows;
    for (const auto& line : lines(out)) {
        if (line.empty() || line[0] == '%') continue;
        auto a = line.find('|'), b = line.find('|', a + 1), c = line.find('|', b + 1);
        if (a == std::string::npos || b == std::string::npos || c == std::string::npos) continue;
        rows.insert({std::stoi(line.substr(0, a)), line.substr(a + 1, b - a - 1), line.substr(b + 1, c - b - 1),
                     line.substr(c + 1)});
    }
    return rows;
}

inline std::string show(const std::multiset<Row>& rows) {
    std::string out;
    for (const auto& [p, k, v, h] : rows) out += std::to_string(p) + "|" + k + "|" + v + "|" + h + "\n";
    return out;
}

// What kcat reads from a topic, as rows.
inline std::multiset<Row> kcat_rows(const std::string& bootstraps, const std::string& topic) {
    auto out = run_shell("timeout 30 kcat -b " + bootstraps + " -C -t " + topic +
                           " -o beginning -e -q -f '%p|%k|%s|%h\\n' 2>&1");
    return parse_rows(out.out);
}

}  // namespace kafka::test
