// The consumer's vocabulary: partitions, offsets, records and events, as the
// application sees them. ConsumerRecord is a view: its key, value, headers and
// topic point into memory that the ConsumerRecords it came from owns, so
// records are handed over without copying or allocating each one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <vector>

namespace kafka {

struct TopicPartition {
    std::string topic;
    int32_t partition = 0;

    bool operator==(const TopicPartition& o) const { return partition == o.partition && topic == o.topic; }
    bool operator!=(const TopicPartition& o) const { return !(*this == o); }
    bool operator<(const TopicPartition& o) const {
        return std::tie(topic, partition) < std::tie(o.topic, o.partition);
    }
    std::string to_string() const { return topic + "-" + std::to_string(partition); }
};

// What a group stores per partition: the offset of the next record to read.
struct OffsetAndMetadata {
    int64_t offset = -1;
    std::string metadata;
    int32_t leader_epoch = -1;  // KIP-320
};

using TopicPartitionOffsets = std::map<TopicPartition, OffsetAndMetadata>;

enum class TimestampType : uint8_t { none, create_time, log_append_time };

struct RecordHeaderView {
    std::string_view key;
    std::string_view value;
    bool value_is_null = false;
};

namespace detail {
struct RecordFiller;
}

// One record. Valid as long as the ConsumerRecords it came from.
class ConsumerRecord {
public:
    const std::string& topic() const { return *topic_; }
    int32_t partition() const { return partition_; }
    int64_t offset() const { return offset_; }
    int64_t timestamp() const { return timestamp_; }  // ms since the epoch, -1 when none
    TimestampType timestamp_type() const { return static_cast<TimestampType>(timestamp_type_); }
    int32_t leader_epoch() const { return leader_epoch_; }

    // Null and empty differ on the wire: a null key reads as "" with key_is_null().
    std::string_view key() const { return {key_, key_len_ < 0 ? 0 : static_cast<size_t>(key_len_)}; }
    bool key_is_null() const { return key_len_ < 0; }
    std::string_view value() const { return {value_, value_len_ < 0 ? 0 : static_cast<size_t>(value_len_)}; }
    bool value_is_null() const { return value_len_ < 0; }

    struct HeaderRange {
        const RecordHeaderView* b;
        const RecordHeaderView* e;
        const RecordHeaderView* begin() const { return b; }
        const RecordHeaderView* end() const { return e; }
        size_t size() const { return static_cast<size_t>(e - b); }
        bool empty() const { return b == e; }
    };
    HeaderRange headers() const { return {headers_, headers_ + header_count_}; }
    // The last header named `key` (Kafka's lastHeader), if any.
    const RecordHeaderView* header(std::string_view key) const {
        for (uint32_t i = header_count_; i > 0; --i)
            if (headers_[i - 1].key == key) return &headers_[i - 1];
        return nullptr;
    }

private:
    friend struct detail::RecordFiller;
    const std::string* topic_ = nullptr;
    const char* key_ = nullptr;
    const char* value_ = nullptr;
    const RecordHeaderView* headers_ = nullptr;
    int64_t offset_ = 0;
    int64_t timestamp_ = -1;
    int32_t key_len_ = -1;
    int32_t value_len_ = -1;
    int32_t partition_ = 0;
    int32_t leader_epoch_ = -1;
    uint32_t header_count_ = 0;
    uint8_t timestamp_type_ = 0;
};

// Something the application is told besides records.
struct ConsumerEvent {
    enum class Type : uint8_t {
        partition_eof,  // enable.partition.eof: the partition's end was reached (once each time)
        error,          // a problem; `fatal` when the consumer cannot go on
    };
    Type type = Type::error;
    TopicPartition partition;  // for partition_eof and partition errors (topic empty otherwise)
    int64_t offset = -1;       // partition_eof: the end offset
    std::error_code error;
    std::string message;
    bool fatal = false;
};

namespace detail {
struct FetchedChunk;
}

// What poll() returns: records in fetch order (in offset order per partition)
// and events. Owns the memory its records view. Move-only.
class ConsumerRecords {
public:
    ConsumerRecords() = default;
    ConsumerRecords(ConsumerRecords&&) noexcept = default;
    ConsumerRecords& operator=(ConsumerRecords&&) noexcept = default;
    ConsumerRecords(const ConsumerRecords&) = delete;
    ConsumerRecords& operator=(const ConsumerRecords&) = delete;
    ~ConsumerRecords();

    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = ConsumerRecord;
        using difference_type = std::ptrdiff_t;
        using pointer = const ConsumerRecord*;
        using reference = const ConsumerRecord&;

        const_iterator() = default;
        reference operator*() const { return *cur_; }
        pointer operator->() const { return cur_; }
        const_iterator& operator++() {
            if (++cur_ == end_) settle(seg_ + 1);
            return *this;
        }
        const_iterator operator++(int) {
            auto t = *this;
            ++*this;
            return t;
        }
        bool operator==(const const_iterator& o) const { return cur_ == o.cur_; }
        bool operator!=(const const_iterator& o) const { return cur_ != o.cur_; }

    private:
        friend class ConsumerRecords;
        const_iterator(const ConsumerRecords* owner, size_t seg) : owner_(owner) { settle(seg); }
        void settle(size_t seg);
        const ConsumerRecords* owner_ = nullptr;
        size_t seg_ = 0;
        const ConsumerRecord* cur_ = nullptr;
        const ConsumerRecord* end_ = nullptr;
    };

    const_iterator begin() const { return const_iterator(this, 0); }
    const_iterator end() const { return const_iterator(this, segments_.size()); }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    const std::vector<ConsumerEvent>& events() const { return events_; }
    bool has_events() const { return !events_.empty(); }

private:
    friend class ConsumerImpl;
    struct Segment {
        const ConsumerRecord* begin;
        const ConsumerRecord* end;
    };
    std::vector<std::shared_ptr<detail::FetchedChunk>> chunks_;  // keeps the memory alive
    std::vector<Segment> segments_;
    std::vector<ConsumerEvent> events_;
    size_t count_ = 0;
};

inline void ConsumerRecords::const_iterator::settle(size_t seg) {
    while (seg < owner_->segments_.size() && owner_->segments_[seg].begin == owner_->segments_[seg].end) ++seg;
    seg_ = seg;
    if (seg < owner_->segments_.size()) {
        cur_ = owner_->segments_[seg].begin;
        end_ = owner_->segments_[seg].end;
    } else {
        cur_ = end_ = nullptr;
    }
}

// Rebalance callbacks (Java's ConsumerRebalanceListener). They run on the
// thread that calls poll() (or close()), so they may commit, seek or read
// positions. `lost` is called instead of `revoked` when the partitions were
// already taken from this member (session timeout, fenced generation): do not
// commit then. When `lost` is unset, `revoked` is called for lost partitions.
struct RebalanceListener {
    std::function<void(const std::vector<TopicPartition>&)> on_assigned;
    std::function<void(const std::vector<TopicPartition>&)> on_revoked;
    std::function<void(const std::vector<TopicPartition>&)> on_lost;
};

// Per partition: what the group has committed, the log end, and the gap.
struct PartitionLag {
    int64_t committed = -1;  // -1: nothing committed
    int64_t end_offset = -1;  // high watermark (read_uncommitted) or last stable offset
    int64_t lag = -1;         // end - committed; end - beginning when nothing is committed
};

}  // namespace kafka
