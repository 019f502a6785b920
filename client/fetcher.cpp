#include "client/fetcher.hpp"

#include <algorithm>
#include <set>

#include "client/consumer_errors.hpp"
#include "client/consumer_requests.hpp"
#include "client/group_coordinator.hpp"
#include "client/offsets.hpp"
#include "protocol/messages/list_offsets.hpp"

namespace kafka {

namespace {

std::chrono::milliseconds tick_period(const ConsumerConfig& c) {
    return std::clamp(c.retry_backoff, std::chrono::milliseconds(10), std::chrono::milliseconds(100));
}

}  // namespace

Fetcher::Fetcher(ConsumerImpl& c) : c_(c), timer_(c.io()) {}

Fetcher::~Fetcher() { *alive_ = false; }

void Fetcher::start() {
    arm_timer();
}

void Fetcher::stop() {
    stopped_ = true;
    timer_.cancel();
}

void Fetcher::arm_timer() {
    if (stopped_) return;
    timer_.expires_after(tick_period(c_.config()));
    timer_.async_wait([this, alive = alive_](std::error_code ec) {
        if (ec || !*alive || stopped_) return;
        tick();
        arm_timer();
    });
}

void Fetcher::tick() {
    kick();
}

void Fetcher::kick() {
    if (stopped_) return;
    update_positions();
    maybe_fetch();
}

void Fetcher::request_metadata() {
    auto now = SteadyClock::now();
    if (metadata_pending_ || now - metadata_asked_ < c_.config().retry_backoff) return;
    metadata_pending_ = true;
    metadata_asked_ = now;
    std::set<std::string> topics;
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (const auto& [tp, p] : c_.partitions()) topics.insert(tp.topic);
    }
    c_.cluster().async_refresh_metadata(std::vector<std::string>(topics.begin(), topics.end()),
                                        [this, alive = alive_](std::error_code, net::Cluster::MetadataPtr) {
                                            if (!*alive) return;
                                            metadata_pending_ = false;
                                            kick();
                                        });
}

void Fetcher::refresh_leaders_locked(SteadyClock::time_point now) {
    auto md = c_.cluster().metadata();
    bool changed = md != md_;
    md_ = md;
    bool missing = false;
    for (auto& [tp, p] : c_.partitions()) {
        if (changed || p->leader < 0) {
            const auto* t = md_->topic(tp.topic);
            const auto* part = t ? t->partition(tp.partition) : nullptr;
            if (part && part->leader >= 0 && md_->broker(part->leader)) {
                p->leader = part->leader;
                p->leader_epoch = part->leader_epoch;
                p->topic_id = t->topic_id;
            } else {
                p->leader = -1;
            }
        }
        if (p->leader < 0 && p->assigned && p->retry_at <= now) missing = true;
    }
    if (missing) c_.post([this, alive = alive_] {
        if (*alive) request_metadata();
    });
}

// Partitions without a position: the group's committed offset, else
// auto.offset.reset (or the seek_to_* asked for).
void Fetcher::update_positions() {
    auto now = SteadyClock::now();
    std::vector<TopicPartition> need_committed;
    std::map<TopicPartition, int64_t> need_reset;
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (auto& [tp, p] : c_.partitions()) {
            if (!p->assigned || p->revoking || p->retry_at > now) continue;
            if (p->phase == PartitionState::Phase::need_committed) {
                if (c_.config().group_id.empty()) {
                    p->phase = PartitionState::Phase::need_reset;
                    p->reset = c_.config().auto_offset_reset;
                } else if (!committed_in_flight_) {
                    p->phase = PartitionState::Phase::resetting;
                    need_committed.push_back(tp);
                    continue;
                }
            }
            if (p->phase == PartitionState::Phase::need_reset) {
                if (p->reset == OffsetReset::none) {
                    p->phase = PartitionState::Phase::failed;
                    ConsumerEvent ev;
                    ev.type = ConsumerEvent::Type::error;
                    ev.partition = tp;
                    ev.error = make_error_code(client_errc::no_offset);
                    ev.message = "no committed offset for " + tp.to_string() +
                                 " and auto.offset.reset=none: seek() to choose where to start";
                    c_.push_event_locked(std::move(ev));
                    continue;
                }
                p->phase = PartitionState::Phase::resetting;
                need_reset[tp] = p->reset == OffsetReset::earliest ? kListOffsetsEarliest : kListOffsetsLatest;
            }
        }
    }

    if (!need_committed.empty()) {
        committed_in_flight_ = true;
        c_.group().fetch_committed(
            need_committed, [this, alive = alive_, asked = need_committed](
                                std::error_code ec, std::map<TopicPartition, OffsetAndMetadata> offsets) {
                if (!*alive) return;
                committed_in_flight_ = false;
                auto now2 = SteadyClock::now();
                std::lock_guard<std::mutex> lock(c_.mutex());
                for (const auto& tp : asked) {
                    auto it = c_.partitions().find(tp);
                    if (it == c_.partitions().end()) continue;
                    PartitionState& p = *it->second;
                    if (p.phase != PartitionState::Phase::resetting) continue;  // seek() meanwhile
                    if (ec) {
                        p.phase = PartitionState::Phase::need_committed;
                        p.retry_at = now2 + c_.config().retry_backoff;
                        continue;
                    }
                    auto o = offsets.find(tp);
                    if (o != offsets.end() && o->second.offset >= 0) {
                        p.position = p.fetch_offset = p.committable = p.committed = o->second.offset;
                        p.position_epoch = o->second.leader_epoch;
                        p.phase = PartitionState::Phase::fetching;
                        ++p.epoch;
                    } else {
                        p.phase = PartitionState::Phase::need_reset;
                        p.reset = c_.config().auto_offset_reset;
                    }
                }
                c_.post([this, alive] {
                    if (*alive) kick();
                });
            });
    }

    if (!need_reset.empty()) {
        list_offsets_async(
            c_, need_reset, c_.config().isolation_level,
            [this, alive = alive_](std::map<TopicPartition, ListedOffset> results) {
                if (!*alive) return;
                auto now2 = SteadyClock::now();
                bool refresh = false;
                {
                    std::lock_guard<std::mutex> lock(c_.mutex());
                    for (auto& [tp, r] : results) {
                        auto it = c_.partitions().find(tp);
                        if (it == c_.partitions().end()) continue;
                        PartitionState& p = *it->second;
                        if (p.phase != PartitionState::Phase::resetting) continue;
                        if (r.error || r.offset < 0) {
                            p.phase = PartitionState::Phase::need_reset;
                            p.retry_at = now2 + c_.config().retry_backoff;
                            if (consumer_action(ConsumerOp::list_offsets, r.error) == ConsumerAction::refresh_metadata)
                                refresh = true;
                            continue;
                        }
                        p.position = p.fetch_offset = p.committable = r.offset;
                        p.position_epoch = r.leader_epoch;
                        p.phase = PartitionState::Phase::fetching;
                        p.eof_reported = false;
                        ++p.epoch;
                    }
                }
                if (refresh) request_metadata();
                kick();
            });
    }
}

void Fetcher::maybe_fetch() {
    auto now = SteadyClock::now();
    std::map<int32_t, std::pair<std::vector<FetchWant>, std::vector<InFlight>>> work;
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        refresh_leaders_locked(now);
        if (c_.prefetch_full_locked()) return;
        for (auto& [tp, p] : c_.partitions()) {
            if (!p->fetchable() || p->in_flight || p->leader < 0 || p->retry_at > now) continue;
            Broker& b = brokers_[p->leader];
            if (b.in_flight || b.retry_at > now) continue;
            auto& [wants, sent] = work[p->leader];
            FetchWant w;
            w.topic = p->topic;
            w.topic_id = p->topic_id;
            w.partition = tp.partition;
            w.fetch_offset = p->fetch_offset;
            w.max_bytes = p->max_bytes > 0 ? p->max_bytes : c_.config().max_partition_fetch_bytes;
            w.leader_epoch = p->leader_epoch;
            wants.push_back(std::move(w));
            sent.push_back({p, p->epoch, p->fetch_offset});
            p->in_flight = true;
        }
    }
    for (auto& [broker, w] : work) send_fetch(broker, std::move(w.first), std::move(w.second));
}

void Fetcher::send_fetch(int32_t broker, std::vector<FetchWant> wants, std::vector<InFlight> sent) {
    Broker& b = brokers_[broker];
    b.in_flight = true;
    ++stats_.fetches;
    const ConsumerConfig& cfg = c_.config();
    FetchParams params;
    params.max_wait_ms = static_cast<int32_t>(cfg.fetch_max_wait.count());
    params.min_bytes = cfg.fetch_min_bytes;
    params.max_bytes = cfg.fetch_max_bytes;
    params.isolation_level = static_cast<int8_t>(cfg.isolation_level);
    params.rack_id = cfg.client_rack;
    auto version = std::make_shared<int16_t>(0);
    auto build = [this, broker, wants = std::move(wants), params, version](int16_t v) {
        *version = v;
        FetchRequest req = brokers_[broker].session.build(wants, v, params);
        if (brokers_[broker].session.last_was_full()) ++stats_.full_fetches;
        return req;
    };
    net::RequestOptions opts;
    opts.timeout = cfg.net.connection.request_timeout + cfg.fetch_max_wait;
    send_request(c_.cluster(), broker, net::Purpose::fetch, std::move(build), opts,
                 [this, alive = alive_, broker, version, sent = std::move(sent)](std::error_code ec,
                                                                                 FetchResponse resp) mutable {
                     if (!*alive) return;
                     on_fetch(broker, ec, std::move(resp), *version, sent);
                 });
}

void Fetcher::on_fetch(int32_t broker, std::error_code ec, FetchResponse resp, int16_t version,
                       std::vector<InFlight>& sent) {
    Broker& b = brokers_[broker];
    b.in_flight = false;
    auto now = SteadyClock::now();
    auto clear_in_flight = [&] {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (auto& s : sent) s.partition->in_flight = false;
    };
    if (!ec && resp.error_code) ec = broker_error(resp.error_code);
    if (ec) {
        if (ec.category() == broker_category()) b.session.on_response(resp.error_code, resp.session_id);
        else b.session.on_failure();
        clear_in_flight();
        switch (consumer_action(ConsumerOp::fetch, ec)) {
            case ConsumerAction::reset_fetch_session:
                ++stats_.session_resets;
                break;  // the next fetch is a full one, now
            case ConsumerAction::fatal:
                if (ec == client_errc::shutting_down) return;
                [[fallthrough]];
            default:
                b.retry_at = now + c_.config().retry_backoff;
                request_metadata();
                break;
        }
        kick();
        return;
    }
    b.session.on_response(resp.error_code, resp.session_id);

    // Index what was asked by (topic, partition); answers for anything else
    // (a partition we no longer fetch) are ignored.
    std::map<std::pair<const std::string*, int32_t>, InFlight*> by_name;
    std::map<std::string, const std::string*> names;
    for (auto& s : sent) {
        names.emplace(*s.partition->topic, s.partition->topic.get());
        by_name[{s.partition->topic.get(), s.partition->tp.partition}] = &s;
    }
    bool pushed = false;
    {
        std::lock_guard<std::mutex> lock(c_.mutex());
        for (auto& s : sent) s.partition->in_flight = false;
        for (auto& topic : resp.responses) {
            const std::string* name = nullptr;
            if (version >= 13) {
                for (auto& s : sent)
                    if (s.partition->topic_id == topic.topic_id) name = s.partition->topic.get();
            } else {
                auto it = names.find(topic.topic);
                if (it != names.end()) name = it->second;
            }
            if (!name) continue;
            for (auto& data : topic.partitions) {
                auto it = by_name.find({name, data.partition_index});
                if (it == by_name.end()) continue;
                InFlight& s = *it->second;
                PartitionState& p = *s.partition;
                // Dropped, moved (seek, pause, reset) or no longer ours since the request went out.
                if (!p.assigned || p.epoch != s.epoch || p.fetch_offset != s.fetch_offset || !p.fetchable())
                    continue;
                if (data.error_code) {
                    partition_error(p, broker_error(data.error_code), now);
                    continue;
                }
                on_partition(s.partition, data, version, pushed);
            }
        }
    }
    if (pushed) c_.notify();
    maybe_fetch();
}

void Fetcher::on_partition(const PartitionPtr& pp, FetchResponse::PartitionData& data, int16_t version, bool& pushed) {
    PartitionState& p = *pp;
    const ConsumerConfig& cfg = c_.config();
    p.high_watermark = data.high_watermark;
    if (version >= 4) p.last_stable_offset = data.last_stable_offset;
    if (version >= 5) p.log_start_offset = data.log_start_offset;
    bool read_committed = cfg.isolation_level == IsolationLevel::read_committed;

    if (data.records.data && !data.records.data->empty()) {
        detail::ScanResult scan = detail::scan_batches(*data.records.data);
        if (scan.corrupt) {
            ConsumerEvent ev;
            ev.partition = p.tp;
            ev.error = make_error_code(client_errc::malformed);
            ev.message = "corrupt record batch framing in " + p.tp.to_string() + " at offset " +
                         std::to_string(p.fetch_offset);
            c_.push_event_locked(std::move(ev));
            p.retry_at = SteadyClock::now() + cfg.retry_backoff;
        }
        if (scan.batches == 0 || scan.next_offset <= p.fetch_offset) {
            // Only a partial batch: it is larger than what we asked for (old
            // brokers, before KIP-74, do not send it whole). Ask for more.
            if (scan.partial_tail && !scan.corrupt) {
                int32_t cur = p.max_bytes > 0 ? p.max_bytes : cfg.max_partition_fetch_bytes;
                p.max_bytes = cur >= INT32_MAX / 2 ? INT32_MAX : cur * 2;
            }
        } else {
            auto chunk = std::make_shared<detail::FetchedChunk>();
            chunk->topic = p.topic;
            chunk->partition = p.tp.partition;
            chunk->partition_epoch = p.epoch;
            chunk->fetch_offset = p.fetch_offset;
            chunk->next_offset = scan.next_offset;
            chunk->high_watermark = data.high_watermark;
            chunk->read_committed = read_committed;
            chunk->check_crcs = cfg.check_crcs;
            if (read_committed && data.aborted_transactions) chunk->aborted = std::move(*data.aborted_transactions);
            chunk->raw = std::move(*data.records.data);
            chunk->accounted_bytes = chunk->raw.size();
            p.fetch_offset = scan.next_offset;
            p.eof_reported = false;
            // A grown max_bytes stays: the next batch is likely as large, and
            // shrinking back would cost a wasted round trip for each one
            // (the librdkafka mock cuts a batch at the limit even on Fetch
            // v3+, so every ~1 MB compressed batch took two fetches).
            ReadyItem item;
            item.partition = pp;
            item.epoch = p.epoch;
            item.chunk = std::move(chunk);
            c_.push_ready_locked(std::move(item));
            pushed = true;
        }
    }

    int64_t end = read_committed && p.last_stable_offset >= 0 ? p.last_stable_offset : p.high_watermark;
    if (cfg.enable_partition_eof && !p.eof_reported && end >= 0 && p.fetch_offset >= end) {
        p.eof_reported = true;
        ReadyItem item;
        item.partition = pp;
        item.epoch = p.epoch;
        ConsumerEvent ev;
        ev.type = ConsumerEvent::Type::partition_eof;
        ev.partition = p.tp;
        ev.offset = end;
        item.event = std::move(ev);
        c_.push_ready_locked(std::move(item));
        pushed = true;
    }
}

void Fetcher::partition_error(PartitionState& p, std::error_code ec, SteadyClock::time_point now) {
    switch (consumer_action(ConsumerOp::fetch, ec)) {
        case ConsumerAction::reset_offset:
            // OFFSET_OUT_OF_RANGE: auto.offset.reset decides (none: an error event).
            p.phase = PartitionState::Phase::need_reset;
            p.reset = c_.config().auto_offset_reset;
            ++p.epoch;
            if (p.reset == OffsetReset::none) {
                p.phase = PartitionState::Phase::failed;
                ConsumerEvent ev;
                ev.partition = p.tp;
                ev.error = ec;
                ev.message = "offset " + std::to_string(p.fetch_offset) + " is out of range for " + p.tp.to_string() +
                             " and auto.offset.reset=none";
                c_.push_event_locked(std::move(ev));
            }
            c_.post([this, alive = alive_] {
                if (*alive) kick();
            });
            break;
        case ConsumerAction::refresh_metadata:
            p.leader = -1;
            p.retry_at = now + c_.config().retry_backoff;
            c_.post([this, alive = alive_] {
                if (*alive) request_metadata();
            });
            break;
        case ConsumerAction::fail:
        case ConsumerAction::fatal: {
            ConsumerEvent ev;
            ev.partition = p.tp;
            ev.error = ec;
            ev.message = "fetching " + p.tp.to_string() + ": " + ec.message();
            c_.push_event_locked(std::move(ev));
            p.retry_at = now + std::max(c_.config().retry_backoff, std::chrono::milliseconds(1000));
            break;
        }
        default:
            p.retry_at = now + c_.config().retry_backoff;
            break;
    }
}

}  // namespace kafka
