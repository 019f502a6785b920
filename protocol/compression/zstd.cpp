// zstd through libzstd, when built with it (KAFKA_WITH_ZSTD); otherwise the
// codec reports client_errc::unsupported_compression.
//
// Java's ZstdOutputStream streams, so its frames carry no content size: the
// reader streams too, into the bounded output, and never trusts a size field.
#include "protocol/compression/codecs.hpp"

#if KAFKA_WITH_ZSTD
#include <zstd.h>

#include <memory>
#endif

namespace kafka::detail {

#if KAFKA_WITH_ZSTD

namespace {

constexpr int kLevel = 3;  // Kafka's default zstd level

// A frame's window is allocated as declared. Allow what every encoder at the
// usual levels declares (up to 8 MiB), more when the caller's limit allows it,
// never past libzstd's default cap of 128 MiB.
int window_log_max(size_t limit) {
    int log = 23;
    while (log < 27 && (size_t{1} << log) < limit) ++log;
    return log;
}

struct CctxDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxDeleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread, reused: contexts own their buffers, and creating
// them per batch would dominate small batches.
ZSTD_CCtx* thread_cctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> ctx(ZSTD_createCCtx());
    return ctx.get();
}
ZSTD_DCtx* thread_dctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> ctx(ZSTD_createDCtx());
    return ctx.get();
}

}  // namespace

std::error_code zstd_compress(ByteView in, Bytes& out) {
    ZSTD_CCtx* ctx = thread_cctx();
    if (!ctx) return client_errc::compression_failed;
    size_t bound = ZSTD_compressBound(in.size);
    size_t base = out.size();
    out.resize(base + bound);
    size_t n = ZSTD_compressCCtx(ctx, out.data() + base, bound, in.data, in.size, kLevel);
    if (ZSTD_isError(n)) {
        out.resize(base);
        return client_errc::compression_failed;
    }
    out.resize(base + n);
    return {};
}

std::error_code zstd_decompress(ByteView in, Bytes& out, size_t limit) {
    if (in.size == 0) return client_errc::decompression_failed;
    ZSTD_DCtx* ctx = thread_dctx();
    if (!ctx) return client_errc::decompression_failed;
    ZSTD_DCtx_reset(ctx, ZSTD_reset_session_and_parameters);
    if (ZSTD_isError(ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, window_log_max(limit)))) {
        return client_errc::decompression_failed;
    }
    // Frames that state their size let the first allocation be exact.
    unsigned long long declared = ZSTD_getFrameContentSize(in.data, in.size);
    size_t hint = in.size * 4;
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR) {
        if (declared > limit) return client_errc::decompression_limit;
        hint = static_cast<size_t>(declared);
    }
    BoundedOutput sink(out, limit, hint);
    ZSTD_inBuffer src{in.data, in.size, 0};
    size_t last = 0;
    for (;;) {
        ZSTD_outBuffer dst{sink.data(), sink.space(), 0};
        size_t consumed_before = src.pos;
        last = ZSTD_decompressStream(ctx, &dst, &src);
        if (ZSTD_isError(last)) {
            ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
            return client_errc::decompression_failed;
        }
        if (!sink.commit(dst.pos)) {
            ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
            return client_errc::decompression_limit;
        }
        // 0 means a frame just ended; another may follow.
        if (last == 0 && src.pos == src.size) return {};
        if (src.pos == consumed_before && dst.pos == 0) {
            ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
            return client_errc::decompression_failed;  // input ends inside a frame
        }
    }
}

#else

std::error_code zstd_compress(ByteView, Bytes&) { return client_errc::unsupported_compression; }
std::error_code zstd_decompress(ByteView, Bytes&, size_t) {
    return client_errc::unsupported_compression;
}

#endif

}  // namespace kafka::detail
