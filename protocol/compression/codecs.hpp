// Private to protocol/compression*: one compress/decompress pair per codec and
// the bounded output buffer they all decompress into.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "protocol/errors.hpp"
#include "protocol/types.hpp"

namespace kafka::detail {

// Where a streaming decompressor writes. It grows `out` geometrically but
// never past `limit` bytes of new output; once there, it hands out a small
// scratch area instead, and any byte written to it means the stream holds
// more than `limit` (the bomb guard): memory stays bounded by the limit.
class BoundedOutput {
public:
    BoundedOutput(Bytes& out, size_t limit, size_t size_hint)
        : out_(out), base_(out.size()), limit_(limit), used_(out.size()) {
        size_t first = std::min(std::max<size_t>(size_hint, 4096), limit_);
        out_.reserve(base_ + first);
        out_.resize(base_ + first);
    }
    ~BoundedOutput() { out_.resize(used_); }
    BoundedOutput(const BoundedOutput&) = delete;
    BoundedOutput& operator=(const BoundedOutput&) = delete;

    // The next writable area, never empty. Either call may grow the buffer;
    // the other then sees the same area, so they may come in any order.
    uint8_t* data() {
        if (used_ == out_.size()) grow();
        return at_limit() ? probe_ : out_.data() + used_;
    }
    size_t space() {
        if (used_ == out_.size()) grow();
        return at_limit() ? sizeof probe_ : out_.size() - used_;
    }
    // Records that `n` bytes were written at data(). False when they went
    // past the limit.
    bool commit(size_t n) {
        if (n == 0) return true;
        if (at_limit()) return false;
        used_ += n;
        return true;
    }
    size_t produced() const { return used_ - base_; }

private:
    bool at_limit() const { return used_ - base_ >= limit_; }
    void grow() {
        size_t have = out_.size() - base_;
        if (have >= limit_) return;
        size_t next = std::min(limit_, std::max<size_t>(have * 2, 4096));
        out_.reserve(base_ + next);  // exact: resize alone may overshoot the limit
        out_.resize(base_ + next);
    }

    Bytes& out_;
    size_t base_;
    size_t limit_;
    size_t used_;
    uint8_t probe_[64];
};

std::error_code gzip_compress(ByteView in, Bytes& out);
std::error_code gzip_decompress(ByteView in, Bytes& out, size_t limit);

std::error_code lz4_compress(ByteView in, Bytes& out);
std::error_code lz4_decompress(ByteView in, Bytes& out, size_t limit, bool legacy_header_checksum);
// XXH32, which the LZ4 frame format uses for its header checksum.
uint32_t xxh32(const uint8_t* data, size_t size, uint32_t seed) noexcept;

std::error_code snappy_compress(ByteView in, Bytes& out);  // xerial framing
std::error_code snappy_decompress(ByteView in, Bytes& out, size_t limit);  // raw or xerial
// The raw snappy block format, without framing.
void snappy_compress_raw(ByteView in, Bytes& out);
std::error_code snappy_decompress_raw(ByteView in, Bytes& out, size_t limit);

std::error_code zstd_compress(ByteView in, Bytes& out);
std::error_code zstd_decompress(ByteView in, Bytes& out, size_t limit);

}  // namespace kafka::detail
