// The Kafka consumer: what kafka-python's KafkaConsumer and confluent-kafka's
// Consumer do, sharing groups with them (classic protocol, protocol type
// "consumer", range / roundrobin / cooperative-sticky).
//
//     kafka::Consumer consumer({{"bootstrap.servers", "localhost:9092"},
//                               {"group.id", "numbers"},
//                               {"auto.offset.reset", "earliest"}});
//     consumer.subscribe({"testnum"});
//     while (running) {
//         auto records = consumer.poll(std::chrono::milliseconds(500));
//         for (const kafka::ConsumerRecord& r : records) use(r.value());
//         for (const kafka::ConsumerEvent& e : records.events()) report(e);
//     }
//     consumer.close();  // commits (auto commit) and leaves the group
//
// Or, like kafka-python's `for message in consumer`:
//
//     for (const kafka::ConsumerRecord& r : consumer.stream()) use(r);
//
// Or without blocking a thread, on the application's own Asio executor:
//
//     auto records = co_await consumer.async_poll(500ms, asio::use_awaitable);
//
// Settings: see consumer_config.hpp (Kafka's names and Java's defaults).
// One thread uses a Consumer (like Java's); it runs its own io thread, which
// fetches ahead (bounded by queued.max.messages.kbytes) and keeps the group
// membership alive between polls. Rebalance and commit callbacks run inside
// poll() (or close()), on the caller's thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/post.hpp>
#include <asio/prefer.hpp>

#include "client/consumer_config.hpp"
#include "client/consumer_types.hpp"
#include "client/properties.hpp"
#include "net/unique_function.hpp"
#include "protocol/result.hpp"

namespace kafka {

class ConsumerImpl;

// A bad configuration; what() names the key, never the value.
class ConfigError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

class Consumer {
public:
    // Throws ConfigError for an unknown key or a bad value.
    explicit Consumer(const Properties& config);
    explicit Consumer(ConsumerConfig config);
    ~Consumer();  // close()s
    Consumer(const Consumer&) = delete;
    Consumer& operator=(const Consumer&) = delete;

    // ---- what to read
    // Joins group.id for these topics; the group assigns the partitions.
    void subscribe(const std::vector<std::string>& topics, RebalanceListener listener = {});
    // Leaves the group (committing first when auto commit is on).
    void unsubscribe();
    // Reads these partitions without a group (group.id, when set, is only
    // used for committed offsets). Replaces any earlier assign().
    void assign(const std::vector<TopicPartition>& partitions);
    std::vector<TopicPartition> assignment() const;
    std::vector<std::string> subscription() const;

    // ---- reading
    // Records fetched so far (up to max.poll.records), waiting up to
    // `timeout` when there are none yet. Also runs pending rebalance and
    // commit callbacks, and resets the max.poll.interval.ms clock.
    ConsumerRecords poll(std::chrono::milliseconds timeout);
    // Makes a poll() blocked in another thread return now.
    void wakeup();

    // poll() without blocking a thread: completes with void(ConsumerRecords)
    // once records or events are ready, or with none after `timeout`. The
    // token is a callback, asio::use_future, asio::use_awaitable,
    // asio::deferred... The completion runs on the handler's associated
    // executor (asio::system_executor for a plain callback), never on the
    // consumer's io thread, and so do the rebalance and commit callbacks
    // that poll() runs. One poll at a time: not alongside poll() or another
    // async_poll(). close() (or wakeup()) completes a pending one; keep the
    // Consumer alive until its completion has run.
    template <class Token>
    auto async_poll(std::chrono::milliseconds timeout, Token&& token) {
        return asio::async_initiate<Token, void(ConsumerRecords)>(
            [this](auto handler, std::chrono::milliseconds wait) {
                auto work = asio::prefer(asio::get_associated_executor(handler),
                                         asio::execution::outstanding_work.tracked);
                when_ready(wait, [this, h = std::move(handler), work = std::move(work)]() mutable {
                    asio::post(work, [this, h = std::move(h)]() mutable {
                        std::move(h)(poll(std::chrono::milliseconds(0)));
                    });
                });
            },
            token, timeout);
    }

    // Records one by one, polling as needed, until `idle` passes without any
    // (consumer.timeout.ms when not given; forever when that is -1) or
    // close(). Events are passed to `on_event` when given, else skipped
    // (fatal ones end the stream).
    class Stream;
    Stream stream(std::optional<std::chrono::milliseconds> idle = std::nullopt,
                  std::function<void(const ConsumerEvent&)> on_event = {});

    // ---- committing
    // The positions of every assigned partition (what poll() has returned),
    // or `offsets`. Waits for the answer (default.api.timeout.ms).
    std::error_code commit_sync();
    std::error_code commit_sync(const TopicPartitionOffsets& offsets);
    // Returns at once; `callback` runs inside a later poll().
    using CommitCallback = std::function<void(std::error_code, const TopicPartitionOffsets&)>;
    void commit_async(CommitCallback callback = {});
    void commit_async(const TopicPartitionOffsets& offsets, CommitCallback callback = {});
    // What the group has committed (nullopt: nothing).
    Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> committed(
        const std::vector<TopicPartition>& partitions);

    // ---- positions and flow
    std::error_code seek(const TopicPartition& partition, int64_t offset);
    std::error_code seek_to_beginning(const std::vector<TopicPartition>& partitions = {});  // {}: all assigned
    std::error_code seek_to_end(const std::vector<TopicPartition>& partitions = {});
    // The offset of the next record poll() returns for the partition (waits
    // for it to be known, up to default.api.timeout.ms).
    Result<int64_t> position(const TopicPartition& partition);
    std::error_code pause(const std::vector<TopicPartition>& partitions);
    std::error_code resume(const std::vector<TopicPartition>& partitions);
    std::vector<TopicPartition> paused() const;

    // ---- offsets and lag (ListOffsets to the leaders)
    Result<std::map<TopicPartition, int64_t>> beginning_offsets(const std::vector<TopicPartition>& partitions);
    Result<std::map<TopicPartition, int64_t>> end_offsets(const std::vector<TopicPartition>& partitions);
    struct OffsetAndTimestamp {
        int64_t offset = -1;
        int64_t timestamp = -1;
    };
    // The first offset at or after each timestamp (ms); nullopt when none is.
    Result<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>> offsets_for_times(
        const std::map<TopicPartition, int64_t>& timestamps);
    // end - committed per partition ({}: the assignment).
    Result<std::map<TopicPartition, PartitionLag>> lag(const std::vector<TopicPartition>& partitions = {});
    // The partition ids of a topic.
    Result<std::vector<int32_t>> partitions_for(const std::string& topic);

    // ---- the end
    // Commits (auto commit), runs the revoke callback, leaves the group
    // (dynamic members), stops the io thread. Idempotent.
    void close();
    void close(std::chrono::milliseconds timeout);

    std::string member_id() const;
    int32_t generation() const;
    const ConsumerConfig& config() const;

private:
    // Calls `ready` once, never inline, when poll() would not wait.
    void when_ready(std::chrono::milliseconds timeout, net::UniqueFunction<void()> ready);

    std::unique_ptr<ConsumerImpl> impl_;
};

// An input range over records (see Consumer::stream()).
class Consumer::Stream {
public:
    class iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = ConsumerRecord;
        using difference_type = std::ptrdiff_t;
        using pointer = const ConsumerRecord*;
        using reference = const ConsumerRecord&;
        reference operator*() const { return *it_; }
        pointer operator->() const { return &*it_; }
        iterator& operator++() {
            ++it_;
            s_->settle(*this);
            return *this;
        }
        bool operator==(const iterator& o) const { return s_ == o.s_ && (s_ == nullptr || it_ == o.it_); }
        bool operator!=(const iterator& o) const { return !(*this == o); }

    private:
        friend class Stream;
        Stream* s_ = nullptr;
        ConsumerRecords::const_iterator it_{};
    };

    iterator begin() {
        iterator i;
        i.s_ = this;
        i.it_ = batch_.end();
        settle(i);
        return i;
    }
    iterator end() { return iterator{}; }
    // Why the stream ended early (a fatal event), if it did.
    const std::optional<ConsumerEvent>& error() const { return error_; }

private:
    friend class Consumer;
    Stream(Consumer& c, std::optional<std::chrono::milliseconds> idle, std::function<void(const ConsumerEvent&)> on_event)
        : c_(&c), idle_(idle), on_event_(std::move(on_event)) {}
    void settle(iterator& i);

    Consumer* c_;
    std::optional<std::chrono::milliseconds> idle_;
    std::function<void(const ConsumerEvent&)> on_event_;
    ConsumerRecords batch_;
    std::optional<ConsumerEvent> error_;
};

// Key and value deserializer hooks (kafka-python's key_deserializer and
// value_deserializer): records come back with typed key and value.
template <class K, class V>
struct DeserializedRecord {
    const ConsumerRecord* record;  // valid as long as the poll's records
    K key;
    V value;
};

template <class K, class V>
class DeserializingConsumer {
public:
    using KeyDeserializer = std::function<K(const ConsumerRecord&)>;
    using ValueDeserializer = std::function<V(const ConsumerRecord&)>;

    DeserializingConsumer(const Properties& config, KeyDeserializer key, ValueDeserializer value)
        : consumer_(config), key_(std::move(key)), value_(std::move(value)) {}

    Consumer& consumer() { return consumer_; }

    struct Batch {
        ConsumerRecords raw;
        std::vector<DeserializedRecord<K, V>> records;
        std::vector<ConsumerEvent> errors;  // a deserializer threw: the record is skipped
    };
    Batch poll(std::chrono::milliseconds timeout) {
        Batch b;
        b.raw = consumer_.poll(timeout);
        b.records.reserve(b.raw.size());
        for (const ConsumerRecord& r : b.raw) {
            try {
                b.records.push_back({&r, key_(r), value_(r)});
            } catch (const std::exception& e) {
                ConsumerEvent ev;
                ev.partition = {r.topic(), r.partition()};
                ev.offset = r.offset();
                ev.error = make_error_code(client_errc::malformed);
                ev.message = std::string("deserializing offset ") + std::to_string(r.offset()) + ": " + e.what();
                b.errors.push_back(std::move(ev));
            }
        }
        return b;
    }

private:
    Consumer consumer_;
    KeyDeserializer key_;
    ValueDeserializer value_;
};

}  // namespace kafka
