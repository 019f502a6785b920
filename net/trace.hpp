// Seeing the traffic. Every connection can report each frame it writes and
// reads to a FrameObserver:
//   - TextTrace prints every request and response as decoded fields, with the
//     broker and the round-trip time (debug=protocol, or KAFKA_TRACE=1);
//   - KcapRecorder writes the raw frames in the kcap text format;
//   - users plug in their own.
// Frames that carry credentials (SaslAuthenticate, and raw SASL tokens after a
// v0 SaslHandshake) arrive with `redacted` set and no bytes.
//
// Observers are called on the connection's strand; one observer shared by
// connections on a multi-threaded io_context must be thread-safe (the ones
// here are). They must not call back into the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "protocol/types.hpp"

namespace kafka::net {

struct FrameInfo {
    std::string_view broker;  // "host:port"
    uint64_t connection_id = 0;
    int16_t api_key = -1;
    int16_t api_version = 0;
    int32_t correlation_id = 0;
    bool redacted = false;  // a SASL frame: bytes withheld
};

class FrameObserver {
public:
    virtual ~FrameObserver() = default;
    // A connection reached its broker. `client` is the local address.
    virtual void on_connect(uint64_t /*connection_id*/, std::string_view /*client*/, std::string_view /*broker*/) {}
    // `frame` is the whole frame without its 4-byte size prefix: header and body.
    virtual void on_request(const FrameInfo& info, ByteView frame) = 0;
    virtual void on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) = 0;
};

using TraceSink = std::function<void(std::string_view line)>;
// Writes each line to stderr.
TraceSink stderr_sink();

// Decoded fields, one block per frame:
//   kafka> broker=127.0.0.1:9092 conn=1 Metadata v2 request corr=3
//     topics: ...
//   kafka< broker=127.0.0.1:9092 conn=1 Metadata v2 response corr=3 rtt=0.412ms
class TextTrace final : public FrameObserver {
public:
    explicit TextTrace(TraceSink sink = stderr_sink());
    void on_connect(uint64_t id, std::string_view client, std::string_view broker) override;
    void on_request(const FrameInfo& info, ByteView frame) override;
    void on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) override;

private:
    std::mutex mu_;
    TraceSink sink_;
};

// kcap v1 lines (protocol/kcap.hpp): one @conn line per connection, then one
// line per frame. Connection numbers are the connections' ids.
class KcapRecorder final : public FrameObserver {
public:
    explicit KcapRecorder(TraceSink sink);
    void on_connect(uint64_t id, std::string_view client, std::string_view broker) override;
    void on_request(const FrameInfo& info, ByteView frame) override;
    void on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) override;

private:
    std::mutex mu_;
    TraceSink sink_;
};

// Calls each observer in turn (for a trace and a recorder at once).
class ObserverChain final : public FrameObserver {
public:
    ObserverChain(std::shared_ptr<FrameObserver> a, std::shared_ptr<FrameObserver> b)
        : a_(std::move(a)), b_(std::move(b)) {}
    void on_connect(uint64_t id, std::string_view client, std::string_view broker) override;
    void on_request(const FrameInfo& info, ByteView frame) override;
    void on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) override;

private:
    std::shared_ptr<FrameObserver> a_, b_;
};

// The observer a configuration asks for: a TextTrace on stderr when
// `trace_protocol` or KAFKA_TRACE=1, chained with `user` when given.
std::shared_ptr<FrameObserver> make_observer(bool trace_protocol, std::shared_ptr<FrameObserver> user = nullptr);

}  // namespace kafka::net
