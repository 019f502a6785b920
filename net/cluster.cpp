#include "net/cluster.hpp"

#include <asio/bind_executor.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <algorithm>
#include <thread>

#include "protocol/messages/metadata.hpp"

namespace kafka::net {

// ---------------------------------------------------------------- metadata

const PartitionInfo* TopicInfo::partition(int32_t p) const {
    for (const auto& x : partitions)
        if (x.partition == p) return &x;
    return nullptr;
}

const BrokerInfo* ClusterMetadata::broker(int32_t id) const {
    auto it = brokers.find(id);
    return it == brokers.end() ? nullptr : &it->second;
}

const TopicInfo* ClusterMetadata::topic(const std::string& name) const {
    auto it = topics.find(name);
    return it == topics.end() ? nullptr : &it->second;
}

std::optional<int32_t> ClusterMetadata::leader(const std::string& t, int32_t partition) const {
    const TopicInfo* info = topic(t);
    if (!info) return std::nullopt;
    const PartitionInfo* p = info->partition(partition);
    if (!p || p->leader < 0) return std::nullopt;
    return p->leader;
}

// ---------------------------------------------------------------- cluster

std::shared_ptr<Cluster> Cluster::create(asio::any_io_executor ex, NetConfig config,
                                         std::shared_ptr<FrameObserver> observer) {
    return std::shared_ptr<Cluster>(new Cluster(std::move(ex), std::move(config), std::move(observer)));
}

Cluster::Cluster(asio::any_io_executor ex, NetConfig config, std::shared_ptr<FrameObserver> observer)
    : strand_(asio::make_strand(ex)),
      config_(std::move(config)),
      observer_(make_observer(config_.trace_protocol, std::move(observer))),
      pool_(ex, strand_, config_, observer_),
      periodic_(strand_),
      metadata_(std::make_shared<ClusterMetadata>()) {}

Cluster::~Cluster() = default;

Cluster::MetadataPtr Cluster::metadata() const {
    std::lock_guard<std::mutex> lock(mu_);
    return metadata_;
}

void Cluster::close() {
    asio::post(strand_, [self = shared_from_this()] {
        self->closed_ = true;
        self->periodic_.cancel();
        self->pool_.close_all();
        for (const auto& conn : self->throwaway_) conn->close();  // fails their requests: see throwaway_
        self->throwaway_.clear();
    });
}

void Cluster::request_refresh() {
    asio::post(strand_, [self = shared_from_this()] {
        if (self->closed_ || !self->bootstrapped_) return;
        if (self->refreshing_) {
            self->refresh_again_ = true;
            return;
        }
        self->refreshing_ = true;
        self->do_refresh({}, [self](std::error_code, MetadataPtr) {
            self->refreshing_ = false;
            if (std::exchange(self->refresh_again_, false)) self->request_refresh();
        });
    });
}

void Cluster::schedule_periodic() {
    if (closed_ || config_.metadata_max_age.count() <= 0) return;
    periodic_.expires_after(config_.metadata_max_age);
    std::weak_ptr<Cluster> weak = shared_from_this();
    periodic_.async_wait([weak](std::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->closed_) return;
        self->request_refresh();
        self->schedule_periodic();
    });
}

void Cluster::do_bootstrap(UniqueFunction<void(std::error_code)> cb) {
    if (closed_) return cb(client_errc::shutting_down);
    auto list = std::make_shared<std::vector<Candidate>>(candidates(/*bootstrap_only=*/true));
    if (list->empty()) return cb(client_errc::invalid_config);
    std::vector<std::string> topics(known_topics_.begin(), known_topics_.end());
    auto self = shared_from_this();
    metadata_from(list, 0, std::move(topics), {}, [self, cb = std::move(cb)](std::error_code ec, MetadataPtr) mutable {
        if (!ec && !self->bootstrapped_) {
            self->bootstrapped_ = true;
            self->schedule_periodic();
        }
        cb(ec);
    });
}

void Cluster::do_refresh(std::vector<std::string> topics, MetadataCallback cb) {
    if (closed_) return cb(client_errc::shutting_down, nullptr);
    if (topics.empty()) topics.assign(known_topics_.begin(), known_topics_.end());
    for (const auto& t : topics) known_topics_.insert(t);
    auto list = std::make_shared<std::vector<Candidate>>(candidates(/*bootstrap_only=*/false));
    metadata_from(list, 0, std::move(topics), {}, std::move(cb));
}

void Cluster::do_topic(std::string topic, int attempt, UniqueFunction<void(std::error_code, TopicInfo)> cb) {
    if (closed_) return cb(client_errc::shutting_down, TopicInfo{});
    if (attempt == 0) {
        auto md = metadata();
        const TopicInfo* t = md->topic(topic);
        if (t && t->error_code == 0 && !t->partitions.empty()) return cb({}, *t);
    }
    auto self = shared_from_this();
    do_refresh({topic}, [self, topic, attempt, cb = std::move(cb)](std::error_code ec, MetadataPtr md) mutable {
        if (ec) return cb(ec, TopicInfo{});
        const TopicInfo* t = md->topic(topic);
        if (t && t->error_code == 0 && !t->partitions.empty()) return cb({}, *t);
        const int16_t code = t ? t->error_code : static_cast<int16_t>(errc::unknown_topic_or_partition);
        if (code == static_cast<int16_t>(errc::unknown_topic_or_partition) ||
            code == static_cast<int16_t>(errc::invalid_topic_exception)) {
            // Not asked about again by periodic refreshes: that would make a
            // broker with auto-creation create it behind the user's back.
            self->known_topics_.erase(topic);
            return cb(client_errc::unknown_topic, TopicInfo{});
        }
        // LEADER_NOT_AVAILABLE while a topic is being created, or no
        // partitions yet: ask again a few times, a little later each time.
        const bool transient = code == 0 || is_retriable(static_cast<errc>(code));
        if (!transient || attempt >= 8) return cb(code ? broker_error(code) : make_error_code(client_errc::no_leader), TopicInfo{});
        auto timer = std::make_shared<asio::steady_timer>(self->strand_, std::chrono::milliseconds(50 * (attempt + 1)));
        timer->async_wait([self, timer, topic, attempt, cb = std::move(cb)](std::error_code) mutable {
            self->do_topic(std::move(topic), attempt + 1, std::move(cb));
        });
    });
}

void Cluster::do_connection(int32_t broker_id, Purpose purpose, ConnCallback cb) {
    if (closed_) return cb(client_errc::shutting_down, nullptr);
    if (broker_id < 0) {
        if (purpose == Purpose::general) {
            auto [id, conn] = pool_.any_ready();
            if (conn) return cb({}, conn);
        }
        auto md = metadata();
        if (md->brokers.empty()) return cb(client_errc::connect_failed, nullptr);
        auto it = md->brokers.begin();
        std::advance(it, static_cast<std::ptrdiff_t>(next_candidate_++ % md->brokers.size()));
        broker_id = it->first;
    }
    auto lease = pool_.get(broker_id, purpose, Clock::now());
    if (lease.conn) return cb({}, std::move(lease.conn));
    if (lease.ec) return cb(lease.ec, nullptr);
    // Reconnect backoff: come back when it is over.
    auto timer = std::make_shared<asio::steady_timer>(strand_, lease.wait);
    timer->async_wait([self = shared_from_this(), timer, broker_id, purpose, cb = std::move(cb)](std::error_code) mutable {
        self->do_connection(broker_id, purpose, std::move(cb));
    });
}

std::vector<Cluster::Candidate> Cluster::candidates(bool bootstrap_only) {
    std::vector<Candidate> out;
    if (!bootstrap_only) {
        auto [ready_id, ready] = pool_.any_ready();
        if (ready) out.push_back({ready_id, HostPort{ready->host(), ready->port()}});
        auto md = metadata();
        std::vector<Candidate> known;
        for (const auto& [id, b] : md->brokers)
            if (id != ready_id) known.push_back({id, HostPort{b.host, static_cast<uint16_t>(b.port)}});
        if (!known.empty()) {
            // Spread refreshes over the brokers.
            std::rotate(known.begin(), known.begin() + static_cast<std::ptrdiff_t>(next_candidate_++ % known.size()),
                        known.end());
            out.insert(out.end(), known.begin(), known.end());
        }
    }
    for (const auto& s : config_.bootstrap_servers)
        if (auto hp = parse_host_port(s)) out.push_back({-1, *hp});
    return out;
}

void Cluster::metadata_from(std::shared_ptr<std::vector<Candidate>> list, size_t index, std::vector<std::string> topics,
                            std::error_code last, MetadataCallback cb) {
    if (closed_) return cb(client_errc::shutting_down, nullptr);
    if (index >= list->size()) return cb(last ? last : make_error_code(client_errc::connect_failed), nullptr);
    const Candidate& cand = (*list)[index];

    std::shared_ptr<Connection> conn;
    bool throwaway = false;
    if (cand.broker_id >= 0) {
        auto lease = pool_.get(cand.broker_id, Purpose::general, Clock::now());
        if (!lease.conn) return metadata_from(std::move(list), index + 1, std::move(topics), last, std::move(cb));
        conn = std::move(lease.conn);
    } else {
        conn = Connection::create(strand_.get_inner_executor(), cand.address.host, cand.address.port,
                                  config_.connection, observer_);
        throwaway = true;
        throwaway_.insert(conn);
    }
    const bool allow_create = config_.allow_auto_create_topics;
    auto build = [topics, allow_create](int16_t version) {
        MetadataRequest req;
        for (const auto& t : topics) req.add_topic(t);
        // v0 reads an empty list as "all topics"; v1+ as "none".
        if (version >= 4) req.allow_auto_topic_creation = allow_create;
        return req;
    };
    auto self = shared_from_this();
    conn->async_request_with(
        std::move(build),
        asio::bind_executor(strand_, [self, list, index, topics, conn, throwaway, cb = std::move(cb)](
                                         std::error_code ec, MetadataResponse resp) mutable {
            if (throwaway) {
                self->throwaway_.erase(conn);
                conn->close();
            }
            if (ec) return self->metadata_from(std::move(list), index + 1, std::move(topics), ec, std::move(cb));
            self->merge(resp);
            cb({}, self->metadata());
        }));
}

void Cluster::merge(const MetadataResponse& resp) {
    auto md = std::make_shared<ClusterMetadata>(*metadata());
    md->brokers.clear();
    for (const auto& b : resp.brokers) {
        BrokerInfo info{b.node_id, b.host, b.port, b.rack};
        md->brokers[b.node_id] = info;
        if (b.port > 0 && b.port <= 65535) pool_.set_broker(b.node_id, b.host, static_cast<uint16_t>(b.port));
    }
    if (resp.cluster_id) md->cluster_id = resp.cluster_id;
    md->controller_id = resp.controller_id;
    for (const auto& t : resp.topics) {
        if (!t.name) continue;  // asked by id only: we never do
        TopicInfo info;
        info.name = *t.name;
        info.topic_id = t.topic_id;
        info.is_internal = t.is_internal;
        info.error_code = t.error_code;
        for (const auto& p : t.partitions) {
            PartitionInfo pi;
            pi.partition = p.partition_index;
            pi.error_code = p.error_code;
            pi.leader = p.leader_id;
            pi.leader_epoch = p.leader_epoch;
            pi.replicas = p.replica_nodes;
            pi.isr = p.isr_nodes;
            info.partitions.push_back(std::move(pi));
        }
        std::sort(info.partitions.begin(), info.partitions.end(),
                  [](const PartitionInfo& a, const PartitionInfo& b) { return a.partition < b.partition; });
        md->topics[info.name] = std::move(info);
    }
    md->updated = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    metadata_ = std::move(md);
}

// ---------------------------------------------------------------- IoThread

struct IoThread::Impl {
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
    std::thread thread{[this] { io.run(); }};
};

IoThread::IoThread() : impl_(std::make_unique<Impl>()) {}

IoThread::~IoThread() {
    impl_->guard.reset();
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

asio::any_io_executor IoThread::executor() { return impl_->io.get_executor(); }

}  // namespace kafka::net
