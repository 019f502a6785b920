// Kafka's framing: every request and response is an int32 size followed by
// that many bytes. The size is checked against a cap the moment its four bytes
// are in, so a garbage or hostile prefix cannot make us allocate gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

#include "protocol/header.hpp"
#include "protocol/types.hpp"
#include "protocol/writer.hpp"

namespace kafka::net {

class FrameReader {
public:
    explicit FrameReader(size_t max_frame_size) : max_(max_frame_size) {}

    // Buffers bytes read from the socket.
    void append(ByteView data);
    // The next complete frame without its size prefix, or nullopt when more
    // bytes are needed or on error. The error (frame_too_large for a prefix
    // above the cap, malformed for a negative one) sticks.
    std::optional<Bytes> next();
    std::error_code error() const { return ec_; }
    // Bytes buffered but not yet returned as frames.
    size_t buffered() const { return buf_.size() - pos_; }

private:
    size_t max_;
    Bytes buf_;
    size_t pos_ = 0;
    std::error_code ec_;
};

// Starts a request frame: reserves the size prefix and writes the header.
// Returns the position of the prefix for finish_frame().
size_t begin_request_frame(Writer& w, const RequestHeader& h, int16_t header_version);
// Patches the size prefix once the body is written.
void finish_frame(Writer& w, size_t prefix_at);

}  // namespace kafka::net
