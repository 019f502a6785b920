#include "client/producer_sender.hpp"

#include <asio/bind_executor.hpp>
#include <asio/post.hpp>

#include <algorithm>

#include "protocol/errors.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/produce.hpp"

namespace kafka::detail {

namespace {
// Produce v13+ names topics by id (KIP-516), as Kafka 4.1 brokers and kfake accept.
constexpr int16_t kProduceTopicIdVersion = 13;
}  // namespace

// ---------------------------------------------------------------- shared state

ProducerShared::ProducerShared(ProducerConfig cfg)
    : config(std::move(cfg)),
      accumulator([&] {
          AccumulatorOptions o;
          o.batch_size = config.batch_size;
          o.buffer_memory = config.buffer_memory;
          o.max_request_size = config.max_request_size;
          o.linger = config.linger;
          o.max_block = config.max_block;
          o.delivery_timeout = config.delivery_timeout;
          o.max_in_flight = config.max_in_flight;
          o.ignore_keys = config.partitioner_ignore_keys;
          o.adaptive = config.partitioner_adaptive;
          return o;
      }()) {}

ProducerStats ProducerShared::stats() const {
    ProducerStats s;
    s.records_sent = accumulator.appended();
    s.records_acked = counters.records_acked.load(std::memory_order_relaxed);
    s.records_failed = counters.records_failed.load(std::memory_order_relaxed);
    s.batches_sent = counters.batches_sent.load(std::memory_order_relaxed);
    s.batch_retries = counters.batch_retries.load(std::memory_order_relaxed);
    s.requests_sent = counters.requests_sent.load(std::memory_order_relaxed);
    s.duplicate_sequence = counters.duplicate_sequence.load(std::memory_order_relaxed);
    s.epoch_bumps = counters.epoch_bumps.load(std::memory_order_relaxed);
    s.metadata_refreshes = counters.metadata_refreshes.load(std::memory_order_relaxed);
    return s;
}

void ProducerShared::report_failure(std::error_code ec, const DeliveryFailure& f) {
    ErrorHandler h;
    {
        std::lock_guard<std::mutex> lock(handler_mu);
        h = error_handler;
    }
    if (h) h(ec, f);
}

void ProducerShared::fail_record(const std::string& topic, int32_t partition, DeliveryCallback& cb,
                                 std::error_code ec) {
    counters.records_failed.fetch_add(1, std::memory_order_relaxed);
    if (cb) {
        RecordMetadata md;
        md.topic = topic;
        md.partition = partition;
        cb(ec, md);
    } else {
        report_failure(ec, {topic, partition, 1});
    }
}

// ---------------------------------------------------------------- sender

struct ProducerSender::InFlight {
    int32_t broker = -1;
    ProduceRequest request;
    std::vector<std::unique_ptr<ProducerBatch>> batches;  // in request order
    std::vector<std::pair<std::string, Uuid>> topics;     // per topic_data: name and id
    int16_t version = -1;                                 // as negotiated
};

ProducerSender::ProducerSender(asio::any_io_executor ex, std::shared_ptr<net::Cluster> cluster,
                               std::shared_ptr<ProducerShared> shared)
    : strand_(asio::make_strand(ex)),
      cluster_(std::move(cluster)),
      shared_(std::move(shared)),
      cfg_(shared_->config),
      acc_(shared_->accumulator),
      timer_(strand_),
      idempotent_(cfg_.enable_idempotence) {}

ProducerSender::~ProducerSender() = default;

void ProducerSender::start() {
    asio::post(strand_, [self = shared_from_this()] {
        self->bootstrapping_ = true;
        self->cluster_->async_bootstrap(asio::bind_executor(self->strand_, [self](std::error_code) {
            // Failed or not, refreshes fall back to the bootstrap list; the
            // records wait (max.block.ms) for metadata either way.
            self->bootstrapping_ = false;
            self->bootstrapped_ = true;
            self->run();
        }));
    });
}

void ProducerSender::wake() {
    if (wake_posted_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(strand_, [self = shared_from_this()] {
        self->wake_posted_.store(false, std::memory_order_release);
        self->run();
    });
}

void ProducerSender::abort(std::error_code ec) {
    asio::post(strand_, [self = shared_from_this(), ec] {
        self->aborting_ = true;
        self->abort_error_ = ec;
        std::vector<std::unique_ptr<ProducerBatch>> batches;
        std::vector<std::pair<std::string, PendingRecord>> pending;
        self->acc_.take_all(batches, pending);
        for (auto& b : batches) {
            self->forget_unacked(*b);
            self->complete(std::move(b), ec, -1, -1);
        }
        self->fail_pending(std::move(pending), ec);
        self->flush_done();
    });
}

std::shared_future<void> ProducerSender::stop() {
    if (stop_requested_.exchange(true)) return stopped_future_;
    asio::post(strand_, [self = shared_from_this()] {
        self->stopped_ = true;
        self->timer_.cancel();
        self->timer_at_.reset();
        self->cluster_->close();
        // Posted after close() to the cluster's strand: runs once it has.
        asio::post(self->cluster_->get_executor(), [p = self->stopped_promise_] { p->set_value(); });
    });
    return stopped_future_;
}

// ---------------------------------------------------------------- the loop

void ProducerSender::run() {
    flush_done();
    if (stopped_ || bootstrapping_) return;
    const auto now = Clock::now();

    // 1. Metadata: apply a new snapshot.
    auto md = cluster_->metadata();
    if (md.get() != applied_md_) {
        md_hold_ = md;
        applied_md_ = md.get();
        apply_metadata(*md);
    }

    // After a fatal error nothing more can be sent: fail what comes in.
    if (fatal_) {
        std::vector<std::unique_ptr<ProducerBatch>> batches;
        std::vector<std::pair<std::string, PendingRecord>> pending;
        acc_.take_all(batches, pending);
        for (auto& b : batches) {
            forget_unacked(*b);
            complete(std::move(b), fatal_, -1, -1);
        }
        fail_pending(std::move(pending), fatal_);
    }

    // 2. The producer id: nothing goes out without one, nor during an epoch bump.
    bool gate_open = !aborting_ && !fatal_;
    if (idempotent_ && (!pid_.valid() || reset_needed_)) {
        gate_open = false;
        if (!pid_requesting_ && total_in_flight_ == 0 && now >= pid_retry_at_ && !fatal_) init_producer_id();
    }

    // 3. Drain ready batches, one request per leader per round.
    RecordAccumulator::DrainOut out;
    acc_.drain(now, gate_open, [this](int32_t broker) { return cfg_.max_in_flight - broker_in_flight_[broker]; },
               out);
    for (auto& b : out.expired) {
        if (b->has_sequence()) {
            forget_unacked(*b);
            reset_needed_ = idempotent_;  // a gap in the sequence: start the partitions again
        }
        complete(std::move(b), make_error_code(client_errc::timed_out), -1, -1);
    }
    for (auto& [broker, batches] : out.requests) send_request(broker, std::move(batches));

    // 4. What waits for metadata: ask for it; fail what waited max.block.ms.
    if (out.pending)
        fail_pending(acc_.take_stale_pending(now),
                     last_metadata_error_ ? last_metadata_error_ : make_error_code(client_errc::unknown_topic));
    if (out.want_metadata && !refreshing_ && now >= next_refresh_ && !acc_.topics_wanting_metadata().empty())
        refresh_metadata();

    // 5. Sleep until the next batch is due (or a metadata retry).
    std::optional<Clock::time_point> at = out.next_wakeup;
    auto sooner = [&](Clock::time_point t) {
        if (!at || t < *at) at = t;
    };
    if (out.want_metadata || refresh_again_) sooner(std::max(next_refresh_, now + std::chrono::milliseconds(10)));
    if (out.pending || out.queued) sooner(now + std::chrono::milliseconds(250));  // stale checks, expiry
    if (idempotent_ && !pid_.valid() && !pid_requesting_) sooner(std::max(pid_retry_at_, now));
    arm_timer(at);
    flush_done();
}

void ProducerSender::flush_done() {
    if (done_batches_.empty()) return;
    acc_.release_all(done_batches_, done_records_);
    done_records_ = 0;
}

void ProducerSender::arm_timer(std::optional<Clock::time_point> at) {
    if (!at) return;  // woken by appends and responses
    if (timer_at_ && *timer_at_ <= *at) return;
    timer_at_ = at;
    timer_.expires_at(*at);
    timer_.async_wait(asio::bind_executor(strand_, [self = shared_from_this(), at = *at](std::error_code ec) {
        if (ec) return;  // re-armed or stopped
        if (self->timer_at_ == at) self->timer_at_.reset();
        self->run();
    }));
}

Clock::duration ProducerSender::backoff(int attempts) {
    // retry.backoff.ms doubling up to retry.backoff.max.ms, +-20% jitter (KIP-580).
    double ms = static_cast<double>(cfg_.retry_backoff.count());
    for (int i = 1; i < attempts && ms < static_cast<double>(cfg_.retry_backoff_max.count()); ++i) ms *= 2;
    ms = std::min(ms, static_cast<double>(cfg_.retry_backoff_max.count()));
    const double jitter = 0.8 + 0.4 * (static_cast<double>(rng_() % 1000) / 1000.0);
    return std::chrono::microseconds(static_cast<int64_t>(ms * jitter * 1000.0));
}

// ---------------------------------------------------------------- metadata

void ProducerSender::apply_metadata(const net::ClusterMetadata& md) {
    for (const std::string& name : acc_.topic_names()) {
        const net::TopicInfo* t = md.topic(name);
        if (!t) continue;
        if (t->error_code != 0) {
            ErrorAction a = error_action(t->error_code, ErrorContext::metadata);
            // An invalid or forbidden topic: its waiting records fail now.
            // An unknown one may still appear (auto-creation): they wait.
            if (!a.retriable()) fail_pending(acc_.take_stale_pending(Clock::now(), &name), broker_error(t->error_code));
            continue;
        }
        int32_t count = 0;
        for (const auto& p : t->partitions) count = std::max(count, p.partition + 1);
        std::vector<int32_t> leaders(static_cast<size_t>(count), -1);
        for (const auto& p : t->partitions)
            if (p.partition >= 0 && md.broker(p.leader)) leaders[static_cast<size_t>(p.partition)] = p.leader;
        // Records that waited for this go first, then any sent meanwhile.
        for (auto pending = acc_.update_topic(name, count, leaders); !pending.empty();
             pending = acc_.take_pending(name))
            requeue_pending(name, std::move(pending));
    }
}

void ProducerSender::refresh_metadata() {
    if (refreshing_) {
        refresh_again_ = true;
        return;
    }
    auto topics = acc_.topic_names();
    if (topics.empty()) return;
    refreshing_ = true;
    refresh_again_ = false;
    shared_->counters.metadata_refreshes.fetch_add(1, std::memory_order_relaxed);
    cluster_->async_refresh_metadata(
        std::move(topics),
        asio::bind_executor(strand_, [self = shared_from_this()](std::error_code ec, net::Cluster::MetadataPtr) {
            self->refreshing_ = false;
            self->last_metadata_error_ = ec;
            // Back off before asking again: after an error, or while a topic
            // or leader is still missing.
            self->next_refresh_ = Clock::now() + (ec ? self->cfg_.retry_backoff : std::chrono::milliseconds(50));
            if (self->refresh_again_) self->next_refresh_ = Clock::now();
            self->run();
        }));
}

void ProducerSender::requeue_pending(const std::string& topic, std::vector<PendingRecord> pending) {
    const auto now = Clock::now();
    const int32_t n = acc_.known_partition_count(topic);
    for (auto& rec : pending) {
        int32_t partition = rec.partition;
        if (shared_->partitioner && partition == kAnyPartition && n > 0) {
            std::optional<ByteView> key, value;
            if (rec.key) key = ByteView(*rec.key);
            if (rec.value) value = ByteView(*rec.value);
            partition = shared_->partitioner(topic, key, value, n);
            if (partition != kAnyPartition && (partition < 0 || partition >= n)) partition = -2;  // invalid
        }
        auto res = partition == -2 ? RecordAccumulator::AppendResult{make_error_code(client_errc::invalid_argument), -1}
                                   : acc_.append_pending(topic, rec, partition, now);
        if (res.ec) {
            shared_->fail_record(topic, -1, rec.callback, res.ec);
            acc_.records_done(1);
        }
    }
}

void ProducerSender::fail_pending(std::vector<std::pair<std::string, PendingRecord>> pending, std::error_code ec) {
    if (pending.empty()) return;
    for (auto& [topic, rec] : pending) shared_->fail_record(topic, -1, rec.callback, ec);
    acc_.records_done(pending.size());
}

// ---------------------------------------------------------------- idempotence

void ProducerSender::init_producer_id() {
    if (!bootstrapped_) return;
    pid_requesting_ = true;
    const bool bump = reset_needed_ && pid_.valid() && !bump_refused_;
    const ProducerIdAndEpoch current = pid_;
    auto version = std::make_shared<int16_t>(-1);
    cluster_->async_request_with(
        -1, net::Purpose::general,
        [bump, current, version](int16_t v) {
            InitProducerIdRequest req;
            req.transactional_id = std::nullopt;
            req.transaction_timeout_ms = INT32_MAX;  // as the Java client, for a non-transactional producer
            if (bump && v >= kInitProducerIdBumpVersion) {
                req.producer_id = current.producer_id;  // KIP-360: same id, next epoch
                req.producer_epoch = current.epoch;
            }
            *version = v;
            return req;
        },
        asio::bind_executor(strand_, [self = shared_from_this(), version, bump](std::error_code ec,
                                                                                InitProducerIdResponse resp) {
            self->on_producer_id(ec, resp, bump ? *version : int16_t{-1});
        }));
}

void ProducerSender::on_producer_id(std::error_code ec, const InitProducerIdResponse& resp, int16_t version) {
    pid_requesting_ = false;
    if (stopped_) return;
    if (!ec) ec = broker_error(resp.error_code);
    if (ec) {
        ErrorAction a = error_action(ec, ErrorContext::init_producer_id);
        if (!a.retriable() && !a.fatal() && version >= kInitProducerIdBumpVersion) {
            // The broker speaks KIP-360 but refused to bump this producer's
            // epoch (the librdkafka mock does so for producers without a
            // transactional id): ask for a new producer id instead.
            bump_refused_ = true;
            run();
            return;
        }
        if (a.retriable() && !aborting_) {
            if (a.refresh_metadata) refresh_metadata();
            pid_retry_at_ = Clock::now() + backoff(++pid_attempts_);
        } else {
            // Without a producer id nothing can be sent: fail what is queued.
            fatal_ = ec;
            std::vector<std::unique_ptr<ProducerBatch>> batches;
            std::vector<std::pair<std::string, PendingRecord>> pending;
            acc_.take_all(batches, pending);
            for (auto& b : batches) complete(std::move(b), ec, -1, -1);
            fail_pending(std::move(pending), ec);
        }
        run();
        return;
    }
    pid_attempts_ = 0;
    const bool was_reset = reset_needed_ && pid_.valid();
    const bool bumped = was_reset && version >= kInitProducerIdBumpVersion && resp.producer_id == pid_.producer_id;
    pid_ = {resp.producer_id, resp.producer_epoch};
    reset_needed_ = false;
    if (was_reset) {
        shared_->counters.epoch_bumps.fetch_add(1, std::memory_order_relaxed);
        // Without KIP-360 the broker gave a new producer id instead: the
        // batches whose error asked for the reset fail (as the Java client
        // does with such brokers); the rest go on under the new id.
        resequence_after_reset(!bumped, make_error_code(errc::out_of_order_sequence_number));
    }
    run();
}

void ProducerSender::resequence_after_reset(bool fail_victims, std::error_code victim_error) {
    // Nothing is in flight: every sequenced batch is back in its queue, in order.
    std::vector<std::unique_ptr<ProducerBatch>> victims;
    acc_.for_each_partition([&](PartitionQueue& q) { resequence(q, pid_, fail_victims, victims); });
    for (auto& b : victims) {
        const std::error_code ec = b->last_error ? b->last_error : victim_error;
        complete(std::move(b), ec, -1, -1);
    }
}

void ProducerSender::forget_unacked(ProducerBatch& b) {
    auto& u = b.queue->unacked;
    auto it = std::find(u.begin(), u.end(), &b);
    if (it != u.end()) u.erase(it);
}

// ---------------------------------------------------------------- produce

bool ProducerSender::finish_batch(ProducerBatch& b) {
    PartitionQueue& q = *b.queue;
    const bool assign = idempotent_ && !b.has_sequence();
    if (assign) assign_sequence(q, b, pid_);
    if (b.has_sequence()) b.builder.set_producer(b.producer_id, b.producer_epoch, b.base_sequence);
    Writer w(std::move(b.wire));
    w.buffer().clear();
    if (cfg_.compression == Compression::none) w.buffer().reserve(b.builder.estimated_size());
    std::error_code ec = b.builder.finish_into(w, cfg_.compression);
    b.wire = w.take();
    // The builder (reset, keeping its capacity) serves a next new batch.
    spare_builders_.push_back(std::move(b.builder));
    b.builder.reset();
    if (ec) {
        if (assign) unassign_sequence(q, b);
        b.last_error = ec;
        return false;
    }
    b.finished = true;
    return true;
}

void ProducerSender::send_request(int32_t broker, std::vector<std::unique_ptr<ProducerBatch>> batches) {
    auto st = std::make_shared<InFlight>();
    st->broker = broker;
    for (auto& b : batches) {
        if (!b->finished && !finish_batch(*b)) {
            --b->queue->in_flight;
            if (b->is_retry) b->queue->retry_in_flight = false;
            std::error_code ec = b->last_error;
            complete(std::move(b), ec, -1, -1);
            continue;
        }
        st->batches.push_back(std::move(b));
    }
    acc_.recycle_builders(spare_builders_);
    if (st->batches.empty()) return;
    // Group by topic: one TopicProduceData each.
    std::stable_sort(st->batches.begin(), st->batches.end(), [](const auto& a, const auto& b) {
        return a->topic != b->topic ? a->topic < b->topic : a->partition < b->partition;
    });
    ProduceRequest& req = st->request;
    const auto md = cluster_->metadata();  // for the topic ids
    req.acks = cfg_.acks;
    req.timeout_ms = static_cast<int32_t>(cfg_.request_timeout.count());
    for (auto& b : st->batches) {
        if (req.topic_data.empty() || st->topics.back().first != b->topic->name) {
            req.topic_data.emplace_back();
            const net::TopicInfo* t = md ? md->topic(b->topic->name) : nullptr;
            st->topics.emplace_back(b->topic->name, t ? t->topic_id : Uuid{});
        }
        auto& pd = req.topic_data.back().partition_data.emplace_back();
        pd.index = b->partition;
        pd.records.data = std::move(b->wire);  // moved back on the response
        ++b->attempts;
    }
    ++broker_in_flight_[broker];
    ++total_in_flight_;
    shared_->counters.requests_sent.fetch_add(1, std::memory_order_relaxed);
    shared_->counters.batches_sent.fetch_add(st->batches.size(), std::memory_order_relaxed);
    cluster_->async_request_with(
        broker, net::Purpose::general,
        [st](int16_t v) -> const ProduceRequest& {
            // KIP-516: from v13 a topic is named by its id alone, before by its
            // name alone; the other field must stay unset at each version.
            st->version = v;
            for (size_t t = 0; t < st->topics.size(); ++t) {
                auto& td = st->request.topic_data[t];
                td.name = v >= kProduceTopicIdVersion ? std::string() : st->topics[t].first;
                td.topic_id = v >= kProduceTopicIdVersion ? st->topics[t].second : Uuid{};
            }
            return st->request;
        },
        asio::bind_executor(strand_, [self = shared_from_this(), st](std::error_code ec, ProduceResponse resp) {
            self->on_response(st, ec, resp);
        }));
}

void ProducerSender::on_response(const std::shared_ptr<InFlight>& st, std::error_code ec, const ProduceResponse& resp) {
    --broker_in_flight_[st->broker];
    --total_in_flight_;
    const auto now = Clock::now();
    // The batch bytes come back out of the request, for a retry.
    std::vector<const ProduceResponse::PartitionProduceResponse*> answers(st->batches.size());
    size_t i = 0;
    for (size_t t = 0; t < st->request.topic_data.size(); ++t) {
        const auto& [name, id] = st->topics[t];
        for (auto& pd : st->request.topic_data[t].partition_data) {
            answers[i] = st->version >= kProduceTopicIdVersion ? resp.find(id, pd.index) : resp.find(name, pd.index);
            st->batches[i++]->wire = std::move(*pd.records.data);
        }
    }
    i = 0;
    for (auto& b : st->batches) {
        const auto* p = answers[i++];
        --b->queue->in_flight;
        if (b->is_retry) b->queue->retry_in_flight = false;
        if (ec) {
            handle_result(std::move(b), ec, -1, -1, now);
        } else if (cfg_.acks == 0) {
            handle_result(std::move(b), {}, -1, -1, now);  // no answer: the broker does not say
        } else if (p) {
            handle_result(std::move(b), broker_error(p->error_code), p->base_offset, p->log_append_time_ms, now);
        } else {
            handle_result(std::move(b), make_error_code(client_errc::malformed), -1, -1, now);
        }
    }
    run();
}

void ProducerSender::handle_result(std::unique_ptr<ProducerBatch> b, std::error_code ec, int64_t base_offset,
                                   int64_t log_append_time, Clock::time_point now) {
    const ErrorAction a = error_action(ec, ErrorContext::produce);
    if (a.ok()) {
        if (ec == errc::duplicate_sequence_number)
            shared_->counters.duplicate_sequence.fetch_add(1, std::memory_order_relaxed);
        forget_unacked(*b);
        complete(std::move(b), {}, base_offset, log_append_time);
        return;
    }
    if (a.fatal()) {
        fatal_ = ec;
        forget_unacked(*b);
        complete(std::move(b), ec, -1, -1);
        abort(ec);
        return;
    }
    const auto wait = backoff(b->attempts);
    const bool can_retry = a.retriable() && !aborting_ && b->attempts <= cfg_.retries &&
                           now + wait < b->deadline(cfg_.delivery_timeout);
    if (can_retry) {
        if (a.refresh_metadata) refresh_metadata();
        if (idempotent_ && a.reset_producer) {
            // Out of order behind an earlier batch that failed too: that one
            // is retried first and this one follows. Only the first
            // unresolved batch of a partition tells of a real gap.
            const auto& u = b->queue->unacked;
            if (!u.empty() && u.front() == b.get()) {
                reset_needed_ = true;
                b->reset_victim = true;
            }
        }
        b->last_error = ec;
        b->retry_at = now + wait;
        shared_->counters.batch_retries.fetch_add(1, std::memory_order_relaxed);
        acc_.reenqueue(std::move(b));
        return;
    }
    if (b->has_sequence()) {
        forget_unacked(*b);
        reset_needed_ = idempotent_;  // later batches of the partition now have a gap
    }
    complete(std::move(b), ec, -1, -1);
}

void ProducerSender::complete(std::unique_ptr<ProducerBatch> b, std::error_code ec, int64_t base_offset,
                              int64_t log_append_time) {
    const int32_t count = b->record_count;
    RecordMetadata md;
    md.topic = b->topic->name;
    md.partition = b->partition;
    auto& c = shared_->counters;
    (ec ? c.records_failed : c.records_acked).fetch_add(static_cast<uint64_t>(count), std::memory_order_relaxed);
    for (auto& cb : b->callbacks) {
        md.offset = !ec && base_offset >= 0 ? base_offset + cb.index : -1;
        md.timestamp = log_append_time >= 0 ? log_append_time : cb.timestamp;
        cb.fn(ec, md);
    }
    if (ec && b->uncalled > 0) shared_->report_failure(ec, {md.topic, md.partition, b->uncalled});
    b->callbacks.clear();
    // Freed in bulk (one lock) by flush_done().
    done_batches_.push_back(std::move(b));
    done_records_ += static_cast<uint64_t>(count);
}

}  // namespace kafka::detail
