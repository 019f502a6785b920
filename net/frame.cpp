#include "net/frame.hpp"

namespace kafka::net {

void FrameReader::append(ByteView data) {
    if (ec_ || data.empty()) return;
    // Compact once the consumed part dominates, so the buffer stays bounded
    // by one frame plus one read.
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
        pos_ = 0;
    }
    buf_.insert(buf_.end(), data.begin(), data.end());
}

std::optional<Bytes> FrameReader::next() {
    if (ec_ || buf_.size() - pos_ < 4) return std::nullopt;
    const uint8_t* p = buf_.data() + pos_;
    int32_t size = static_cast<int32_t>((uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) |
                                        uint32_t(p[3]));
    if (size < 0) {
        ec_ = client_errc::malformed;
        return std::nullopt;
    }
    if (static_cast<size_t>(size) > max_) {
        ec_ = client_errc::frame_too_large;
        return std::nullopt;
    }
    if (buf_.size() - pos_ - 4 < static_cast<size_t>(size)) {
        // Make room for the whole frame once, not read by read.
        buf_.reserve(pos_ + 4 + static_cast<size_t>(size));
        return std::nullopt;
    }
    Bytes frame(p + 4, p + 4 + size);
    pos_ += 4 + static_cast<size_t>(size);
    if (pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
    }
    return frame;
}

size_t begin_request_frame(Writer& w, const RequestHeader& h, int16_t header_version) {
    size_t at = w.reserve_i32();
    h.encode(w, header_version);
    return at;
}

void finish_frame(Writer& w, size_t prefix_at) {
    w.patch_i32(prefix_at, static_cast<int32_t>(w.size() - prefix_at - 4));
}

}  // namespace kafka::net
