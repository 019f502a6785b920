// Helpers for the consumer's live tests: filling topics with plain
// ProduceRequests (independent of the producer), consuming until a count or a
// time limit, and running peers (kcat, kafka-python) as bounded subprocesses.
#pragma once

#include <doctest/doctest.h>

#include <asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <atomic>
#include <functional>
#include <mutex>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client/consumer.hpp"
#include "cluster_client.hpp"
#include "mock_cluster.hpp"
#include "net/cluster.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/records.hpp"

namespace kafka::test {

using namespace std::chrono_literals;

struct TestRecord {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<RecordHeader> headers;
};

// A cluster client on a private io_context, for producing test data.
class TestProducer : public LiveClusterClient {
public:
    explicit TestProducer(const MockCluster& mock) : LiveClusterClient(mock) {}

    // Appends records to one partition (acks=all), `per_batch` to a batch;
    // returns the first offset written.
    int64_t produce(const std::string& topic, int32_t partition, const std::vector<TestRecord>& records,
                    Compression codec = Compression::none, size_t per_batch = 500) {
        std::optional<std::error_code> tec;
        cluster_->async_topic(topic, [&](std::error_code e, net::TopicInfo) { tec = e; });
        REQUIRE(run([&] { return tec.has_value(); }));
        REQUIRE_MESSAGE(!*tec, tec->message());
        auto leader = cluster_->metadata()->leader(topic, partition);
        REQUIRE(leader.has_value());
        int64_t first = -1;
        for (size_t start = 0; start < records.size(); start += per_batch) {
            RecordBatchBuilder b;
            int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
            for (size_t i = start; i < std::min(records.size(), start + per_batch); ++i) {
                const auto& r = records[i];
                std::optional<ByteView> k, v;
                if (r.key) k = ByteView(*r.key);
                if (r.value) v = ByteView(*r.value);
                b.append(now, k, v, r.headers);
            }
            auto batch = b.finish(codec);
            REQUIRE(batch.has_value());
            ProduceRequest req;
            req.acks = -1;
            req.timeout_ms = 5000;
            req.topic_data.emplace_back();
            req.topic_data.back().name = topic;
            req.topic_data.back().partition_data.emplace_back();
            req.topic_data.back().partition_data.back().index = partition;
            req.topic_data.back().partition_data.back().records.data = std::move(*batch);
            std::optional<std::error_code> ec;
            ProduceResponse resp;
            cluster_->async_request(*leader, net::Purpose::general, std::move(req),
                                    [&](std::error_code e, ProduceResponse r) {
                                        resp = std::move(r);
                                        ec = e;
                                    });
            REQUIRE(run([&] { return ec.has_value(); }));
            REQUIRE_MESSAGE(!*ec, ec->message());
            const auto* p = resp.find(topic, partition);
            REQUIRE(p != nullptr);
            REQUIRE_MESSAGE(p->error_code == 0, "produce error " << p->error_code);
            if (first < 0) first = p->base_offset;
        }
        return first;
    }

    // "prefix-<partition>-<i>" values, keys "k<i>".
    void fill(const std::string& topic, int32_t partitions, int per_partition, const std::string& prefix = "m",
              Compression codec = Compression::none) {
        for (int32_t p = 0; p < partitions; ++p) {
            std::vector<TestRecord> recs;
            for (int i = 0; i < per_partition; ++i)
                recs.push_back({"k" + std::to_string(i), prefix + "-" + std::to_string(p) + "-" + std::to_string(i), {}});
            produce(topic, p, recs, codec);
        }
    }
};

// Consumer settings for the mock: short timeouts so that tests stay quick.
inline Properties consumer_props(const MockCluster& mock, const std::string& group = "") {
    Properties p;
    p.set("bootstrap.servers", mock.bootstraps());
    if (!group.empty()) p.set("group.id", group);
    p.set("auto.offset.reset", "earliest");
    p.set("session.timeout.ms", "6000");
    p.set("heartbeat.interval.ms", "300");
    p.set("fetch.max.wait.ms", "100");
    p.set("retry.backoff.ms", "50");
    p.set("request.timeout.ms", "5000");
    p.set("default.api.timeout.ms", "10000");
    return p;
}

// "topic/partition/offset" -> value, for what a consumer saw.
using Seen = std::map<std::string, std::string>;
inline std::string where(const ConsumerRecord& r) {
    return r.topic() + "/" + std::to_string(r.partition()) + "/" + std::to_string(r.offset());
}

// Polls until `done()` or the time limit; every record goes to `on_record`.
inline bool poll_until(Consumer& c, const std::function<bool()>& done,
                       const std::function<void(const ConsumerRecord&)>& on_record,
                       std::chrono::milliseconds limit = 20s,
                       const std::function<void(const ConsumerEvent&)>& on_event = {}) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        auto recs = c.poll(50ms);
        for (const auto& r : recs) on_record(r);
        for (const auto& e : recs.events())
            if (on_event) on_event(e);
    }
    return done();
}

// Runs a shell command (a peer: kcat, /usr/bin/python3) with a time limit;
// returns its exit status and output.
inline std::pair<int, std::string> run_command(const std::string& cmd, int timeout_s = 60) {
    std::string full = "timeout -s KILL " + std::to_string(timeout_s) + " " + cmd + " 2>&1";
    FILE* f = popen(full.c_str(), "r");
    if (!f) return {-1, ""};
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    int status = pclose(f);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace kafka::test

namespace kafka::test {

// A group member polling on its own thread, as an application would.
class Member {
public:
    enum class Commit { auto_commit, sync_each_poll };

    Member(Properties props, std::vector<std::string> topics, Commit commit = Commit::auto_commit)
        : commit_(commit) {
        if (commit == Commit::sync_each_poll) props.set("enable.auto.commit", "false");
        consumer_ = std::make_unique<Consumer>(props);
        RebalanceListener l;
        l.on_assigned = [this](const std::vector<TopicPartition>& ps) {
            std::lock_guard<std::mutex> lock(mu_);
            for (const auto& tp : ps) owned_.insert(tp);
            assigned_events_.push_back(ps);
        };
        l.on_revoked = [this](const std::vector<TopicPartition>& ps) {
            if (commit_ == Commit::sync_each_poll) consumer_->commit_sync();
            std::lock_guard<std::mutex> lock(mu_);
            for (const auto& tp : ps) owned_.erase(tp);
            revoked_events_.push_back(ps);
        };
        l.on_lost = [this](const std::vector<TopicPartition>& ps) {
            std::lock_guard<std::mutex> lock(mu_);
            for (const auto& tp : ps) owned_.erase(tp);
            lost_events_.push_back(ps);
        };
        consumer_->subscribe(topics, l);
        thread_ = std::thread([this] { run(); });
    }
    ~Member() { close(); }

    void close() {
        if (!thread_.joinable()) return;
        stop_ = true;
        consumer_->wakeup();
        thread_.join();
    }

    std::set<TopicPartition> owned() const {
        std::lock_guard<std::mutex> lock(mu_);
        return owned_;
    }
    std::map<std::string, int> seen() const {
        std::lock_guard<std::mutex> lock(mu_);
        return seen_;
    }
    size_t count() const {
        std::lock_guard<std::mutex> lock(mu_);
        return count_;
    }
    std::vector<std::vector<TopicPartition>> revoked_events() const {
        std::lock_guard<std::mutex> lock(mu_);
        return revoked_events_;
    }
    std::vector<std::vector<TopicPartition>> lost_events() const {
        std::lock_guard<std::mutex> lock(mu_);
        return lost_events_;
    }
    std::vector<std::string> errors() const {
        std::lock_guard<std::mutex> lock(mu_);
        return errors_;
    }
    Consumer& consumer() { return *consumer_; }

private:
    void run() {
        while (!stop_) {
            auto recs = consumer_->poll(std::chrono::milliseconds(50));
            {
                std::lock_guard<std::mutex> lock(mu_);
                for (const auto& r : recs) {
                    ++seen_[std::string(r.value())];
                    ++count_;
                }
                for (const auto& e : recs.events()) errors_.push_back(e.message);
            }
            if (commit_ == Commit::sync_each_poll && !recs.empty()) consumer_->commit_sync();
        }
        consumer_->close();
    }

    Commit commit_;
    std::unique_ptr<Consumer> consumer_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::set<TopicPartition> owned_;
    std::map<std::string, int> seen_;
    size_t count_ = 0;
    std::vector<std::vector<TopicPartition>> assigned_events_, revoked_events_, lost_events_;
    std::vector<std::string> errors_;
};

template <class Pred>
bool wait_for(Pred done, std::chrono::milliseconds limit = 20s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(20ms);
    return done();
}

}  // namespace kafka::test
