#include "client/offsets.hpp"

#include <set>

#include "client/consumer_errors.hpp"
#include "client/consumer_impl.hpp"
#include "client/consumer_requests.hpp"
#include "protocol/messages/list_offsets.hpp"

namespace kafka {

namespace {

struct Gather {
    std::map<TopicPartition, ListedOffset> results;
    size_t pending = 0;
    std::function<void(std::map<TopicPartition, ListedOffset>)> done;
    void finish_one() {
        if (--pending == 0) done(std::move(results));
    }
};

void send_by_leader(ConsumerImpl& c, std::map<TopicPartition, int64_t> query, IsolationLevel isolation,
                    std::function<void(std::map<TopicPartition, ListedOffset>)> done) {
    auto md = c.cluster().metadata();
    auto g = std::make_shared<Gather>();
    g->done = std::move(done);
    std::map<int32_t, std::map<TopicPartition, int64_t>> by_leader;
    for (const auto& [tp, ts] : query) {
        auto leader = md->leader(tp.topic, tp.partition);
        if (!leader) {
            const auto* t = md->topic(tp.topic);
            g->results[tp].error = (t && !t->partition(tp.partition)) || (t && t->error_code)
                                       ? make_error_code(errc::unknown_topic_or_partition)
                                       : make_error_code(errc::leader_not_available);
            continue;
        }
        by_leader[*leader][tp] = ts;
    }
    if (by_leader.empty()) {
        g->done(std::move(g->results));
        return;
    }
    g->pending = by_leader.size();
    for (auto& [leader, parts] : by_leader) {
        auto asked = std::make_shared<std::map<TopicPartition, int64_t>>(std::move(parts));
        auto build = [asked, isolation](int16_t v) {
            ListOffsetsRequest req;
            if (v >= 2) req.isolation_level = static_cast<int8_t>(isolation);
            for (const auto& [tp, ts] : *asked) {
                if (req.topics.empty() || req.topics.back().name != tp.topic) {
                    req.topics.emplace_back();
                    req.topics.back().name = tp.topic;
                }
                ListOffsetsRequest::Partition p;
                p.partition_index = tp.partition;
                p.timestamp = ts;
                req.topics.back().partitions.push_back(p);
            }
            return req;
        };
        send_request(c.cluster(), leader, net::Purpose::general, build, net::RequestOptions{},
                     [g, asked](std::error_code ec, ListOffsetsResponse resp) {
                         for (const auto& [tp, ts] : *asked) {
                             ListedOffset& out = g->results[tp];
                             if (ec) {
                                 out.error = ec;
                                 continue;
                             }
                             const auto* p = resp.find(tp.topic, tp.partition);
                             if (!p) {
                                 out.error = make_error_code(errc::unknown_topic_or_partition);
                                 continue;
                             }
                             out.error = broker_error(p->error_code);
                             if (out.error) continue;
                             if (!p->old_style_offsets.empty()) {  // v0
                                 out.offset = p->old_style_offsets.front();
                             } else {
                                 out.offset = p->offset;
                                 out.timestamp = p->timestamp;
                                 out.leader_epoch = p->leader_epoch;
                             }
                         }
                         g->finish_one();
                     });
    }
}

}  // namespace

void list_offsets_async(ConsumerImpl& c, std::map<TopicPartition, int64_t> query, IsolationLevel isolation,
                        std::function<void(std::map<TopicPartition, ListedOffset>)> done) {
    // Leaders of topics the cache does not know come from a refresh first.
    auto md = c.cluster().metadata();
    std::set<std::string> missing;
    for (const auto& [tp, ts] : query)
        if (!md->leader(tp.topic, tp.partition)) missing.insert(tp.topic);
    if (missing.empty()) return send_by_leader(c, std::move(query), isolation, std::move(done));
    c.cluster().async_refresh_metadata(
        std::vector<std::string>(missing.begin(), missing.end()),
        [&c, query = std::move(query), isolation, done = std::move(done)](std::error_code,
                                                                          net::Cluster::MetadataPtr) mutable {
            send_by_leader(c, std::move(query), isolation, std::move(done));
        });
}

PartitionLag compute_lag(int64_t committed, int64_t beginning, int64_t end) {
    PartitionLag l;
    l.committed = committed;
    l.end_offset = end;
    if (end < 0) return l;
    int64_t from = committed >= 0 ? committed : beginning;
    if (from >= 0) l.lag = end > from ? end - from : 0;
    return l;
}

}  // namespace kafka
