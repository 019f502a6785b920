// Incremental fetch sessions (KIP-227), with no I/O: one per broker.
//
// A full Fetch (epoch 0) lists every partition and asks the broker to open a
// session; the broker answers with its id (0: it made none, so every fetch
// stays full). Later fetches (epoch 1, 2, ...) list only partitions that are
// new or whose fetch offset or size changed, and name those to drop in
// forgotten_topics_data; the broker keeps the rest at the offsets last sent,
// and answers only for partitions with something to say.
//
// Any partition that received data therefore has a new offset and goes in the
// next request (or is forgotten): the broker never moves a session's offsets
// by itself. Session errors (FETCH_SESSION_ID_NOT_FOUND,
// INVALID_FETCH_SESSION_EPOCH) and failed requests make the next fetch full
// again. Fetch v0-6 have no sessions: every fetch is full.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/messages/fetch.hpp"

namespace kafka {

struct FetchWant {
    std::shared_ptr<const std::string> topic;
    Uuid topic_id;
    int32_t partition = 0;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    int32_t leader_epoch = -1;
};

struct FetchParams {
    int32_t max_wait_ms = 500;
    int32_t min_bytes = 1;
    int32_t max_bytes = 52428800;
    int8_t isolation_level = 0;
    std::string rack_id;
};

class FetchSession {
public:
    static constexpr int16_t kFirstSessionVersion = 7;

    // The request for `wants` at `version`; remembered until on_response()
    // or on_failure().
    FetchRequest build(const std::vector<FetchWant>& wants, int16_t version, const FetchParams& params);
    // The response's top-level error code and session id.
    void on_response(int16_t error_code, int32_t session_id);
    // The request failed (connection lost, timed out): the next one is full,
    // and closes the old session if the broker still has it.
    void on_failure();

    int32_t id() const { return id_; }
    int32_t epoch() const { return epoch_; }
    bool last_was_full() const { return pending_full_; }
    // Partitions the broker holds in the session.
    size_t size() const { return current_.size(); }

private:
    struct Sent {
        int64_t fetch_offset = 0;
        int32_t max_bytes = 0;
        int32_t leader_epoch = -1;
        Uuid topic_id;
        bool operator==(const Sent& o) const {
            return fetch_offset == o.fetch_offset && max_bytes == o.max_bytes && leader_epoch == o.leader_epoch &&
                   topic_id == o.topic_id;
        }
    };
    using Key = std::pair<std::string, int32_t>;

    int32_t id_ = 0;
    int32_t epoch_ = 0;  // 0: the next fetch is full
    std::map<Key, Sent> current_;
    std::map<Key, Sent> pending_;
    bool pending_full_ = true;
    bool sessionless_ = false;
};

}  // namespace kafka
