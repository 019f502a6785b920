#include "client/consumer_fetch_session.hpp"

#include <climits>

namespace kafka {

namespace {

// Adds one partition to a request, grouping consecutive partitions of a topic.
void add_partition(FetchRequest& req, const FetchWant& w, int16_t version) {
    bool by_id = version >= 13;  // KIP-516
    if (req.topics.empty() || (by_id ? req.topics.back().topic_id != w.topic_id : req.topics.back().topic != *w.topic)) {
        req.topics.emplace_back();
        if (by_id) req.topics.back().topic_id = w.topic_id;
        else req.topics.back().topic = *w.topic;
    }
    FetchRequest::FetchPartition p;
    p.partition = w.partition;
    p.fetch_offset = w.fetch_offset;
    p.partition_max_bytes = w.max_bytes;
    if (version >= 9) p.current_leader_epoch = w.leader_epoch;  // KIP-320
    req.topics.back().partitions.push_back(std::move(p));
}

void add_forgotten(FetchRequest& req, const std::string& topic, const Uuid& topic_id, int32_t partition,
                   int16_t version) {
    bool by_id = version >= 13;
    auto& f = req.forgotten_topics_data;
    if (f.empty() || (by_id ? f.back().topic_id != topic_id : f.back().topic != topic)) {
        f.emplace_back();
        if (by_id) f.back().topic_id = topic_id;
        else f.back().topic = topic;
    }
    f.back().partitions.push_back(partition);
}

}  // namespace

FetchRequest FetchSession::build(const std::vector<FetchWant>& wants, int16_t version, const FetchParams& params) {
    FetchRequest req;
    req.max_wait_ms = params.max_wait_ms;
    req.min_bytes = params.min_bytes;
    if (version >= 3) req.max_bytes = params.max_bytes;
    if (version >= 4) req.isolation_level = params.isolation_level;
    if (version >= 11) req.rack_id = params.rack_id;

    pending_.clear();
    for (const auto& w : wants)
        pending_[{*w.topic, w.partition}] = Sent{w.fetch_offset, w.max_bytes, w.leader_epoch, w.topic_id};

    sessionless_ = version < kFirstSessionVersion;
    if (sessionless_ || epoch_ == 0) {
        pending_full_ = true;
        if (!sessionless_) {
            req.session_id = id_;  // non-zero: close that session and open a new one
            req.session_epoch = 0;
        }
        for (const auto& w : wants) add_partition(req, w, version);
        return req;
    }

    pending_full_ = false;
    req.session_id = id_;
    req.session_epoch = epoch_;
    for (const auto& w : wants) {
        auto it = current_.find({*w.topic, w.partition});
        if (it == current_.end() || !(it->second == pending_[{*w.topic, w.partition}])) add_partition(req, w, version);
    }
    for (const auto& [key, sent] : current_)
        if (!pending_.count(key)) add_forgotten(req, key.first, sent.topic_id, key.second, version);
    return req;
}

void FetchSession::on_response(int16_t error_code, int32_t session_id) {
    if (sessionless_) return;
    auto e = static_cast<errc>(error_code);
    if (e == errc::fetch_session_id_not_found || e == errc::fetch_session_topic_id_error) {
        id_ = 0;
        epoch_ = 0;
        current_.clear();
        return;
    }
    if (error_code != 0) {
        on_failure();
        return;
    }
    if (pending_full_) {
        if (session_id != 0) {
            id_ = session_id;
            epoch_ = 1;
            current_ = std::move(pending_);
        } else {
            id_ = 0;
            epoch_ = 0;
            current_.clear();
        }
    } else {
        epoch_ = epoch_ == INT32_MAX ? 1 : epoch_ + 1;
        current_ = std::move(pending_);
    }
    pending_.clear();
}

void FetchSession::on_failure() {
    epoch_ = 0;  // keep id_: the next full fetch closes it
    current_.clear();
    pending_.clear();
}

}  // namespace kafka
