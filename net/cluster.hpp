// The client's view of a cluster: the bootstrap list, the metadata cache
// (brokers, topics, partitions, leaders) and the pool of broker connections.
//
//   auto cluster = Cluster::create(io.get_executor(), config);
//   cluster->async_bootstrap(token);                         // void(error_code)
//   cluster->async_topic("orders", token);                   // void(error_code, TopicInfo)
//   auto md = cluster->metadata();                           // snapshot, any thread
//   cluster->async_request(md->leader("orders", 0).value(), Purpose::general, ProduceRequest{...}, token);
//   cluster->request_refresh();                              // after NOT_LEADER, UNKNOWN_TOPIC...
//   cluster->close();
//
// Bootstrap tries each bootstrap.servers entry in turn until one answers
// Metadata. The cache refreshes every metadata.max.age.ms and on demand;
// refreshes ask any reachable broker and fall back to the bootstrap list.
//
// Threads: all state lives on the cluster's strand over the executor it was
// given (a user's io_context, or an IoThread's); there is no thread per
// broker. Public functions may be called from any thread.
#pragma once

// Standard headers first: Asio picks its allocator (aligned_alloc or
// operator new) from macros that libstdc++ headers define, and every
// translation unit must pick the same one.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <asio/compose.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>


#include "net/config.hpp"
#include "net/connection.hpp"
#include "net/pool.hpp"

namespace kafka {
struct MetadataResponse;
}

namespace kafka::net {

struct BrokerInfo {
    int32_t node_id = -1;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
};

struct PartitionInfo {
    int32_t partition = 0;
    int16_t error_code = 0;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
};

struct TopicInfo {
    std::string name;
    Uuid topic_id;
    bool is_internal = false;
    int16_t error_code = 0;
    std::vector<PartitionInfo> partitions;  // sorted by partition
    const PartitionInfo* partition(int32_t p) const;
};

struct ClusterMetadata {
    std::optional<std::string> cluster_id;
    int32_t controller_id = -1;
    std::map<int32_t, BrokerInfo> brokers;
    std::map<std::string, TopicInfo> topics;
    Clock::time_point updated{};

    const BrokerInfo* broker(int32_t id) const;
    const TopicInfo* topic(const std::string& name) const;
    // The leader's broker id, when the partition is known and has one.
    std::optional<int32_t> leader(const std::string& topic, int32_t partition) const;
};

class Cluster : public std::enable_shared_from_this<Cluster> {
public:
    using executor_type = asio::strand<asio::any_io_executor>;
    using MetadataPtr = std::shared_ptr<const ClusterMetadata>;

    // `observer` receives every frame of every connection (a kcap recorder,
    // say); the configuration's trace switch adds a TextTrace.
    static std::shared_ptr<Cluster> create(asio::any_io_executor ex, NetConfig config,
                                           std::shared_ptr<FrameObserver> observer = nullptr);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    executor_type get_executor() const { return strand_; }
    const NetConfig& config() const { return config_; }
    // Closes every connection and stops the periodic refresh; later requests
    // fail with shutting_down.
    void close();

    // The cache as of the last refresh; never null (empty before bootstrap).
    MetadataPtr metadata() const;

    // void(std::error_code). Starts the periodic refresh.
    template <class Token>
    auto async_bootstrap(Token&& token) {
        return compose<void(std::error_code)>(
            [](Cluster& c, auto cb) { c.do_bootstrap(std::move(cb)); }, std::forward<Token>(token));
    }
    // void(std::error_code, MetadataPtr). Asks for `topics` (all known topics
    // when empty) and merges the answer into the cache.
    template <class Token>
    auto async_refresh_metadata(std::vector<std::string> topics, Token&& token) {
        return compose<void(std::error_code, MetadataPtr)>(
            [topics = std::move(topics)](Cluster& c, auto cb) mutable { c.do_refresh(std::move(topics), std::move(cb)); },
            std::forward<Token>(token));
    }
    // void(std::error_code, TopicInfo). From the cache, or refreshed when
    // missing. A topic the cluster does not have is client_errc::unknown_topic
    // (unless the broker creates it: allow.auto.create.topics).
    template <class Token>
    auto async_topic(std::string topic, Token&& token) {
        return compose<void(std::error_code, TopicInfo)>(
            [topic = std::move(topic)](Cluster& c, auto cb) mutable { c.do_topic(std::move(topic), 0, std::move(cb)); },
            std::forward<Token>(token));
    }
    // Marks the cache stale (after NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC...):
    // one refresh of the known topics starts soon; calls while it runs coalesce.
    void request_refresh();

    // void(std::error_code, std::shared_ptr<Connection>): the connection for
    // (broker, purpose), created if needed, after any reconnect backoff.
    template <class Token>
    auto async_connection(int32_t broker_id, Purpose purpose, Token&& token) {
        return compose<void(std::error_code, std::shared_ptr<Connection>)>(
            [broker_id, purpose](Cluster& c, auto cb) { c.do_connection(broker_id, purpose, std::move(cb)); },
            std::forward<Token>(token));
    }

    // Typed requests to a broker: handler void(std::error_code, Req::response_type).
    template <class Req, class Token>
    auto async_request(int32_t broker_id, Purpose purpose, Req req, Token&& token) {
        return async_request(broker_id, purpose, std::move(req), RequestOptions{}, std::forward<Token>(token));
    }
    template <class Req, class Token>
    auto async_request(int32_t broker_id, Purpose purpose, Req req, RequestOptions options, Token&& token) {
        return routed<typename Req::response_type>(
            broker_id, purpose,
            [req = std::move(req), options](Connection& conn, auto handler) mutable {
                conn.async_request(std::move(req), options, std::move(handler));
            },
            std::forward<Token>(token));
    }
    // `build(int16_t negotiated_version)` returns the request.
    template <class Builder, class Token>
    auto async_request_with(int32_t broker_id, Purpose purpose, Builder build, Token&& token) {
        using Req = std::decay_t<std::invoke_result_t<Builder&, int16_t>>;
        return routed<typename Req::response_type>(
            broker_id, purpose,
            [build = std::move(build)](Connection& conn, auto handler) mutable {
                conn.async_request_with(std::move(build), std::move(handler));
            },
            std::forward<Token>(token));
    }
    // To any broker (-1: the pool picks a ready one, else the first known).
    template <class Req, class Token>
    auto async_request_any(Req req, Token&& token) {
        return async_request(-1, Purpose::general, std::move(req), std::forward<Token>(token));
    }

private:
    Cluster(asio::any_io_executor ex, NetConfig config, std::shared_ptr<FrameObserver> observer);

    using ConnCallback = UniqueFunction<void(std::error_code, std::shared_ptr<Connection>)>;
    using MetadataCallback = UniqueFunction<void(std::error_code, MetadataPtr)>;

    // Runs `start(cluster, callback)` on the strand; the callback resumes the
    // caller's operation on its handler's executor.
    template <class Signature, class Start, class Token>
    auto compose(Start start, Token&& token) {
        return asio::async_compose<Token, Signature>(
            [self = shared_from_this(), start = std::move(start)](auto& op, auto... args) mutable {
                if constexpr (sizeof...(args) > 0) {
                    op.complete(std::move(args)...);
                } else {
                    auto cluster = self;  // `op` owns this lambda: copy before moving it
                    auto go = std::move(start);
                    asio::post(cluster->strand_, [cluster, go = std::move(go),
                                                  cb = detail::resume_on_handler_executor(std::move(op))]() mutable {
                        go(*cluster, std::move(cb));
                    });
                }
            },
            token, strand_);
    }

    // Gets the connection, then sends on it; `send(conn, op)` completes `op`
    // with (error_code, Resp).
    template <class Resp, class Send>
    struct RoutedOp {
        std::shared_ptr<Cluster> cluster;
        int32_t broker_id;
        Purpose purpose;
        Send send;

        template <class Self>
        void operator()(Self& self) {
            auto c = cluster;  // `self` owns *this: copy before moving it
            auto id = broker_id;
            auto p = purpose;
            asio::post(c->strand_, [c, id, p, cb = detail::resume_on_handler_executor(std::move(self))]() mutable {
                c->do_connection(id, p, ConnCallback(std::move(cb)));
            });
        }
        template <class Self>
        void operator()(Self& self, std::error_code ec, std::shared_ptr<Connection> conn) {
            if (ec) return self.complete(ec, Resp{});
            auto s = std::move(send);
            s(*conn, std::move(self));
        }
        template <class Self>
        void operator()(Self& self, std::error_code ec, Resp resp) {
            self.complete(ec, std::move(resp));
        }
    };

    template <class Resp, class Send, class Token>
    auto routed(int32_t broker_id, Purpose purpose, Send send, Token&& token) {
        return asio::async_compose<Token, void(std::error_code, Resp)>(
            RoutedOp<Resp, Send>{shared_from_this(), broker_id, purpose, std::move(send)}, token, strand_);
    }

    // On the strand.
    void do_bootstrap(UniqueFunction<void(std::error_code)> cb);
    void do_refresh(std::vector<std::string> topics, MetadataCallback cb);
    void do_topic(std::string topic, int attempt, UniqueFunction<void(std::error_code, TopicInfo)> cb);
    void do_connection(int32_t broker_id, Purpose purpose, ConnCallback cb);

    struct Candidate {
        int32_t broker_id;  // -1: a bootstrap address, on a throwaway connection
        HostPort address;
    };
    std::vector<Candidate> candidates(bool bootstrap_only);
    void metadata_from(std::shared_ptr<std::vector<Candidate>> list, size_t index, std::vector<std::string> topics,
                       std::error_code last, MetadataCallback cb);
    void merge(const MetadataResponse& resp);
    void schedule_periodic();

    executor_type strand_;
    NetConfig config_;
    std::shared_ptr<FrameObserver> observer_;
    Pool pool_;
    // Bootstrap-address connections with a Metadata request in flight. Their
    // request's handler holds the connection and the cluster: close() must
    // close them too, or that cycle outlives the cluster's owner.
    std::set<std::shared_ptr<Connection>> throwaway_;
    asio::steady_timer periodic_;
    bool closed_ = false;
    bool bootstrapped_ = false;
    bool refreshing_ = false;
    bool refresh_again_ = false;
    std::set<std::string> known_topics_;
    size_t next_candidate_ = 0;

    mutable std::mutex mu_;
    MetadataPtr metadata_;
};

// An io_context on its own thread, for clients that do not bring one.
class IoThread {
public:
    IoThread();
    ~IoThread();  // stops the context and joins
    IoThread(const IoThread&) = delete;
    IoThread& operator=(const IoThread&) = delete;
    asio::any_io_executor executor();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kafka::net
