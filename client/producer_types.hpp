// The records a Producer sends and what it reports back.
//
//   ProducerRecord   owns its bytes: the convenient form.
//   RecordView       borrows them: the allocation-free form. send() copies the
//                    bytes into a batch before it returns, so views into
//                    temporaries are fine.
//   RecordMetadata   where a record landed: topic, partition, offset, timestamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "protocol/records.hpp"
#include "protocol/types.hpp"

namespace kafka {

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline ByteView as_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
inline std::string_view as_text(ByteView b) { return {reinterpret_cast<const char*>(b.data), b.size}; }

// A record to send, owning its data. Kafka's ProducerRecord: topic, optional
// partition, key, value, headers, timestamp.
struct ProducerRecord {
    std::string topic;
    std::optional<int32_t> partition;  // unset: the partitioner chooses
    std::optional<Bytes> key;          // unset: null key
    std::optional<Bytes> value;        // unset: null value (a tombstone)
    std::vector<RecordHeader> headers;
    int64_t timestamp = kNoTimestamp;  // ms since the epoch; kNoTimestamp: the time of send()

    ProducerRecord() = default;
    // A text value ("hello", or JSON text such as {"num": 1}).
    ProducerRecord(std::string topic_name, std::string_view value_text)
        : topic(std::move(topic_name)), value(to_bytes(value_text)) {}
    ProducerRecord(std::string topic_name, std::string_view key_text, std::string_view value_text)
        : topic(std::move(topic_name)), key(to_bytes(key_text)), value(to_bytes(value_text)) {}
    ProducerRecord(std::string topic_name, Bytes value_bytes)
        : topic(std::move(topic_name)), value(std::move(value_bytes)) {}

    ProducerRecord& with_partition(int32_t p) { partition = p; return *this; }
    ProducerRecord& with_key(std::string_view k) { key = to_bytes(k); return *this; }
    ProducerRecord& with_key(Bytes k) { key = std::move(k); return *this; }
    ProducerRecord& with_value(std::string_view v) { value = to_bytes(v); return *this; }
    ProducerRecord& with_value(Bytes v) { value = std::move(v); return *this; }
    // JSON text as the value; the bytes are the text (no validation).
    ProducerRecord& with_json(std::string_view json) { return with_value(json); }
    ProducerRecord& with_header(std::string name, std::string_view v) {
        headers.push_back({std::move(name), to_bytes(v)});
        return *this;
    }
    ProducerRecord& with_null_header(std::string name) {
        headers.push_back({std::move(name), std::nullopt});
        return *this;
    }
    ProducerRecord& with_timestamp(int64_t ms) { timestamp = ms; return *this; }

    std::optional<std::string_view> key_text() const {
        return key ? std::optional<std::string_view>(as_text(*key)) : std::nullopt;
    }
    std::optional<std::string_view> value_text() const {
        return value ? std::optional<std::string_view>(as_text(*value)) : std::nullopt;
    }
};

// A record whose bytes the caller keeps; nothing is allocated to send it.
struct RecordView {
    std::string_view topic;
    int32_t partition = -1;  // -1: the partitioner chooses
    std::optional<ByteView> key;
    std::optional<ByteView> value;
    const RecordHeader* headers = nullptr;
    size_t header_count = 0;
    int64_t timestamp = kNoTimestamp;

    RecordView() = default;
    RecordView(std::string_view topic_name, std::optional<ByteView> value_bytes)
        : topic(topic_name), value(value_bytes) {}
    RecordView(std::string_view topic_name, std::optional<ByteView> key_bytes, std::optional<ByteView> value_bytes)
        : topic(topic_name), key(key_bytes), value(value_bytes) {}
    RecordView(const ProducerRecord& r)  // NOLINT: implicit by design
        : topic(r.topic),
          partition(r.partition.value_or(-1)),
          headers(r.headers.data()),
          header_count(r.headers.size()),
          timestamp(r.timestamp) {
        if (r.key) key = ByteView(*r.key);
        if (r.value) value = ByteView(*r.value);
    }
};

// Where a record landed.
struct RecordMetadata {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;     // -1 with acks=0 (the broker does not say)
    int64_t timestamp = -1;  // CreateTime as sent, or the broker's LogAppendTime
};

// Records that failed without a callback of their own (fire-and-forget).
struct DeliveryFailure {
    std::string topic;
    int32_t partition = -1;  // -1: failed before a partition was chosen
    int32_t record_count = 0;
};

struct ProducerStats {
    uint64_t records_sent = 0;       // handed to send() and accepted
    uint64_t records_acked = 0;      // delivered
    uint64_t records_failed = 0;     // reported failed (by callback or to the error handler)
    uint64_t batches_sent = 0;       // batch transmissions, retries included
    uint64_t batch_retries = 0;
    uint64_t requests_sent = 0;
    uint64_t duplicate_sequence = 0;  // DUPLICATE_SEQUENCE_NUMBER answers (counted as success)
    uint64_t epoch_bumps = 0;         // producer id/epoch resets (KIP-360)
    uint64_t metadata_refreshes = 0;
};

namespace detail {

// A move-only `void(std::error_code, const RecordMetadata&)` with room for a
// small handler inline (a lambda with a few captures, a promise), so that a
// callback per record does not cost an allocation per record.
class DeliveryCallback {
public:
    DeliveryCallback() = default;
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, DeliveryCallback>>>
    DeliveryCallback(F&& f) {  // NOLINT: implicit like std::function
        using Fn = std::decay_t<F>;
        if constexpr (sizeof(Fn) <= kInline && alignof(Fn) <= alignof(std::max_align_t) &&
                      std::is_nothrow_move_constructible_v<Fn>) {
            new (buf_) Fn(std::forward<F>(f));
            ops_ = &inline_ops<Fn>;
        } else {
            *reinterpret_cast<Fn**>(buf_) = new Fn(std::forward<F>(f));
            ops_ = &heap_ops<Fn>;
        }
    }
    DeliveryCallback(DeliveryCallback&& o) noexcept : ops_(o.ops_) {
        if (ops_) ops_->move(o.buf_, buf_);
        o.ops_ = nullptr;
    }
    DeliveryCallback& operator=(DeliveryCallback&& o) noexcept {
        if (this != &o) {
            reset();
            ops_ = o.ops_;
            if (ops_) ops_->move(o.buf_, buf_);
            o.ops_ = nullptr;
        }
        return *this;
    }
    ~DeliveryCallback() { reset(); }

    explicit operator bool() const { return ops_ != nullptr; }
    // Calls once and empties.
    void operator()(std::error_code ec, const RecordMetadata& md) {
        const Ops* ops = ops_;
        ops_ = nullptr;
        ops->call_and_destroy(buf_, ec, md);
    }

private:
    static constexpr size_t kInline = 48;
    struct Ops {
        void (*move)(void* from, void* to) noexcept;
        void (*destroy)(void* self) noexcept;
        void (*call_and_destroy)(void* self, std::error_code, const RecordMetadata&);
    };
    // A scope guard: the handler is destroyed even if it throws.
    template <class Fn>
    struct Destroy {
        Fn* f;
        ~Destroy() { f->~Fn(); }
    };
    template <class Fn>
    struct Delete {
        Fn* f;
        ~Delete() { delete f; }
    };
    template <class Fn>
    static void inline_move(void* from, void* to) noexcept {
        Fn* f = static_cast<Fn*>(from);
        new (to) Fn(std::move(*f));
        f->~Fn();
    }
    template <class Fn>
    static void inline_destroy(void* self) noexcept {
        static_cast<Fn*>(self)->~Fn();
    }
    template <class Fn>
    static void inline_call(void* self, std::error_code ec, const RecordMetadata& md) {
        Fn* f = static_cast<Fn*>(self);
        Destroy<Fn> guard{f};
        (*f)(ec, md);
    }
    template <class Fn>
    static void heap_move(void* from, void* to) noexcept {
        std::memcpy(to, from, sizeof(Fn*));
    }
    template <class Fn>
    static void heap_destroy(void* self) noexcept {
        delete *static_cast<Fn**>(self);
    }
    template <class Fn>
    static void heap_call(void* self, std::error_code ec, const RecordMetadata& md) {
        Fn* f = *static_cast<Fn**>(self);
        Delete<Fn> guard{f};
        (*f)(ec, md);
    }
    template <class Fn>
    static constexpr Ops inline_ops = {&inline_move<Fn>, &inline_destroy<Fn>, &inline_call<Fn>};
    template <class Fn>
    static constexpr Ops heap_ops = {&heap_move<Fn>, &heap_destroy<Fn>, &heap_call<Fn>};
    void reset() {
        if (ops_) ops_->destroy(buf_);
        ops_ = nullptr;
    }

    alignas(std::max_align_t) unsigned char buf_[kInline];
    const Ops* ops_ = nullptr;
};

}  // namespace detail
}  // namespace kafka
