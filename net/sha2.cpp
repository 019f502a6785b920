#include "net/sha2.hpp"

#include <algorithm>
#include <cstring>

#include "protocol/errors.hpp"

namespace kafka {

void secure_wipe(void* data, size_t size) noexcept {
    volatile uint8_t* p = static_cast<volatile uint8_t*>(data);
    for (size_t i = 0; i < size; ++i) p[i] = 0;
}

void secure_wipe(std::string& s) noexcept {
    // resize() within capacity never reallocates; it makes the spare bytes
    // (which may hold an older, longer value) addressable so they are wiped too.
    s.resize(s.capacity());
    secure_wipe(&s[0], s.size());
    s.clear();
}

void secure_wipe(Bytes& b) noexcept {
    b.resize(b.capacity());
    secure_wipe(b.data(), b.size());
    b.clear();
}

bool equal_constant_time(ByteView a, ByteView b) noexcept {
    if (a.size != b.size) return false;
    uint8_t diff = 0;
    for (size_t i = 0; i < a.size; ++i) diff |= static_cast<uint8_t>(a.data[i] ^ b.data[i]);
    return diff == 0;
}

namespace {

inline uint32_t rotr32(uint32_t x, unsigned n) noexcept { return (x >> n) | (x << (32 - n)); }
inline uint64_t rotr64(uint64_t x, unsigned n) noexcept { return (x >> n) | (x << (64 - n)); }

inline uint32_t load_be32(const uint8_t* p) noexcept {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t load_be64(const uint8_t* p) noexcept {
    return (uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}
inline void store_be32(uint8_t* p, uint32_t v) noexcept {
    p[0] = static_cast<uint8_t>(v >> 24);
    p[1] = static_cast<uint8_t>(v >> 16);
    p[2] = static_cast<uint8_t>(v >> 8);
    p[3] = static_cast<uint8_t>(v);
}
inline void store_be64(uint8_t* p, uint64_t v) noexcept {
    store_be32(p, static_cast<uint32_t>(v >> 32));
    store_be32(p + 4, static_cast<uint32_t>(v));
}

// FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube
// roots of the first 64 primes.
constexpr uint32_t kK256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 section 4.2.3: first 64 bits of the fractional parts of the cube
// roots of the first 80 primes.
constexpr uint64_t kK512[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

}  // namespace

// ---------------------------------------------------------------- SHA-256

void Sha256::reset() noexcept {
    // FIPS 180-4 section 5.3.3.
    h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
          0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    buf_.fill(0);
    buffered_ = 0;
    total_ = 0;
}

void Sha256::compress(const uint8_t* block) noexcept {
    uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 64; ++t) {
        const uint32_t s0 = rotr32(w[t - 15], 7) ^ rotr32(w[t - 15], 18) ^ (w[t - 15] >> 3);
        const uint32_t s1 = rotr32(w[t - 2], 17) ^ rotr32(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3];
    uint32_t e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int t = 0; t < 64; ++t) {
        const uint32_t big_s1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
        const uint32_t ch = (e & f) ^ (~e & g);
        const uint32_t t1 = h + big_s1 + ch + kK256[t] + w[t];
        const uint32_t big_s0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
        const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t t2 = big_s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h_[0] += a; h_[1] += b; h_[2] += c; h_[3] += d;
    h_[4] += e; h_[5] += f; h_[6] += g; h_[7] += h;
    secure_wipe(w, sizeof w);
}

void Sha256::update(ByteView data) noexcept {
    const uint8_t* p = data.data;
    size_t n = data.size;
    total_ += n;
    if (buffered_ != 0) {
        const size_t take = std::min(n, block_size - buffered_);
        std::memcpy(buf_.data() + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ < block_size) return;
        compress(buf_.data());
        buffered_ = 0;
    }
    for (; n >= block_size; p += block_size, n -= block_size) compress(p);
    if (n != 0) {
        std::memcpy(buf_.data(), p, n);
        buffered_ = n;
    }
}

Sha256::Digest Sha256::finish() noexcept {
    // FIPS 180-4 section 5.1.1: a 1 bit, zeros, then the 64-bit bit length.
    const uint64_t bit_len = total_ * 8;
    buf_[buffered_++] = 0x80;
    if (buffered_ > block_size - 8) {
        std::memset(buf_.data() + buffered_, 0, block_size - buffered_);
        compress(buf_.data());
        buffered_ = 0;
    }
    std::memset(buf_.data() + buffered_, 0, block_size - 8 - buffered_);
    store_be64(buf_.data() + block_size - 8, bit_len);
    compress(buf_.data());

    Digest out;
    for (size_t i = 0; i < 8; ++i) store_be32(out.data() + 4 * i, h_[i]);
    reset();
    return out;
}

Sha256::Digest Sha256::hash(ByteView data) noexcept {
    Sha256 s;
    s.update(data);
    return s.finish();
}

// ---------------------------------------------------------------- SHA-512

void Sha512::reset() noexcept {
    // FIPS 180-4 section 5.3.5.
    h_ = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
          0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    buf_.fill(0);
    buffered_ = 0;
    total_ = 0;
}

void Sha512::compress(const uint8_t* block) noexcept {
    uint64_t w[80];
    for (int t = 0; t < 16; ++t) w[t] = load_be64(block + 8 * t);
    for (int t = 16; t < 80; ++t) {
        const uint64_t s0 = rotr64(w[t - 15], 1) ^ rotr64(w[t - 15], 8) ^ (w[t - 15] >> 7);
        const uint64_t s1 = rotr64(w[t - 2], 19) ^ rotr64(w[t - 2], 61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint64_t a = h_[0], b = h_[1], c = h_[2], d = h_[3];
    uint64_t e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int t = 0; t < 80; ++t) {
        const uint64_t big_s1 = rotr64(e, 14) ^ rotr64(e, 18) ^ rotr64(e, 41);
        const uint64_t ch = (e & f) ^ (~e & g);
        const uint64_t t1 = h + big_s1 + ch + kK512[t] + w[t];
        const uint64_t big_s0 = rotr64(a, 28) ^ rotr64(a, 34) ^ rotr64(a, 39);
        const uint64_t maj = (a & b) ^ (a & c) ^ (b & c);
        const uint64_t t2 = big_s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h_[0] += a; h_[1] += b; h_[2] += c; h_[3] += d;
    h_[4] += e; h_[5] += f; h_[6] += g; h_[7] += h;
    secure_wipe(w, sizeof w);
}

void Sha512::update(ByteView data) noexcept {
    const uint8_t* p = data.data;
    size_t n = data.size;
    total_ += n;
    if (buffered_ != 0) {
        const size_t take = std::min(n, block_size - buffered_);
        std::memcpy(buf_.data() + buffered_, p, take);
        buffered_ += take;
        p += take;
        n -= take;
        if (buffered_ < block_size) return;
        compress(buf_.data());
        buffered_ = 0;
    }
    for (; n >= block_size; p += block_size, n -= block_size) compress(p);
    if (n != 0) {
        std::memcpy(buf_.data(), p, n);
        buffered_ = n;
    }
}

Sha512::Digest Sha512::finish() noexcept {
    // FIPS 180-4 section 5.1.2: a 1 bit, zeros, then the 128-bit bit length.
    const uint64_t bit_len_hi = total_ >> 61;
    const uint64_t bit_len_lo = total_ << 3;
    buf_[buffered_++] = 0x80;
    if (buffered_ > block_size - 16) {
        std::memset(buf_.data() + buffered_, 0, block_size - buffered_);
        compress(buf_.data());
        buffered_ = 0;
    }
    std::memset(buf_.data() + buffered_, 0, block_size - 16 - buffered_);
    store_be64(buf_.data() + block_size - 16, bit_len_hi);
    store_be64(buf_.data() + block_size - 8, bit_len_lo);
    compress(buf_.data());

    Digest out;
    for (size_t i = 0; i < 8; ++i) store_be64(out.data() + 8 * i, h_[i]);
    reset();
    return out;
}

Sha512::Digest Sha512::hash(ByteView data) noexcept {
    Sha512 s;
    s.update(data);
    return s.finish();
}

// ---------------------------------------------------------------- HMAC

template <class Hash>
Hmac<Hash>::Hmac(ByteView key) noexcept {
    // RFC 2104 section 2: keys longer than the block are hashed first, then
    // the key is zero-padded to the block size.
    std::array<uint8_t, Hash::block_size> k{};
    if (key.size > Hash::block_size) {
        const auto d = Hash::hash(key);
        std::memcpy(k.data(), d.data(), d.size());
    } else if (key.size != 0) {
        std::memcpy(k.data(), key.data, key.size);
    }
    std::array<uint8_t, Hash::block_size> pad;
    for (size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x36);
    inner_init_.update({pad.data(), pad.size()});
    for (size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<uint8_t>(k[i] ^ 0x5c);
    outer_init_.update({pad.data(), pad.size()});
    inner_ = inner_init_;
    secure_wipe(k);
    secure_wipe(pad);
}

template <class Hash>
Hmac<Hash>::~Hmac() {
    secure_wipe(&inner_, sizeof inner_);
    secure_wipe(&inner_init_, sizeof inner_init_);
    secure_wipe(&outer_init_, sizeof outer_init_);
}

template <class Hash>
typename Hmac<Hash>::Digest Hmac<Hash>::finish() noexcept {
    auto inner_digest = inner_.finish();
    Hash outer = outer_init_;
    outer.update(as_byte_view(inner_digest));
    const Digest out = outer.finish();
    secure_wipe(inner_digest);
    inner_ = inner_init_;
    return out;
}

template <class Hash>
typename Hmac<Hash>::Digest Hmac<Hash>::mac(ByteView key, ByteView data) noexcept {
    Hmac h(key);
    h.update(data);
    return h.finish();
}

template class Hmac<Sha256>;
template class Hmac<Sha512>;

// ---------------------------------------------------------------- PBKDF2

namespace {

// RFC 8018 section 5.2: DK = T_1 || T_2 || ..., truncated to dk_len, where
// T_i = U_1 ^ U_2 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}).
template <class Hash>
Bytes pbkdf2(ByteView password, ByteView salt, uint32_t iterations, size_t dk_len) {
    if (iterations == 0) iterations = 1;
    Hmac<Hash> prf(password);
    Bytes out;
    out.reserve(dk_len);
    for (uint32_t block = 1; out.size() < dk_len; ++block) {
        uint8_t index[4];
        store_be32(index, block);
        prf.update(salt);
        prf.update({index, sizeof index});
        auto u = prf.finish();
        auto t = u;
        for (uint32_t j = 1; j < iterations; ++j) {
            prf.update(as_byte_view(u));
            u = prf.finish();
            for (size_t k = 0; k < t.size(); ++k) t[k] ^= u[k];
        }
        const size_t take = std::min(t.size(), dk_len - out.size());
        out.insert(out.end(), t.begin(), t.begin() + static_cast<std::ptrdiff_t>(take));
        secure_wipe(u);
        secure_wipe(t);
    }
    return out;
}

}  // namespace

Bytes pbkdf2_hmac_sha256(ByteView password, ByteView salt, uint32_t iterations, size_t dk_len) {
    return pbkdf2<Sha256>(password, salt, iterations, dk_len);
}

Bytes pbkdf2_hmac_sha512(ByteView password, ByteView salt, uint32_t iterations, size_t dk_len) {
    return pbkdf2<Sha512>(password, salt, iterations, dk_len);
}

// ---------------------------------------------------------------- base64

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 character, or -1.
inline int b64_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

}  // namespace

std::string base64_encode(ByteView data) {
    std::string out;
    out.reserve((data.size + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size; i += 3) {
        const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back(kAlphabet[v & 63]);
    }
    const size_t rest = data.size - i;
    if (rest == 1) {
        const uint32_t v = uint32_t{data[i]} << 16;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out += "==";
    } else if (rest == 2) {
        const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(kAlphabet[(v >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

Result<Bytes> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return client_errc::malformed;
    Bytes out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        size_t pad = 0;
        if (last) {
            if (text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        }
        int v[4] = {0, 0, 0, 0};
        for (size_t j = 0; j < 4 - pad; ++j) {
            v[j] = b64_value(text[i + j]);
            if (v[j] < 0) return client_errc::malformed;  // includes a stray '='
        }
        const uint32_t bits = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) |
                              (uint32_t(v[2]) << 6) | uint32_t(v[3]);
        out.push_back(static_cast<uint8_t>(bits >> 16));
        if (pad == 2) {
            if ((bits & 0xffff) != 0) return client_errc::malformed;  // non-canonical
            break;
        }
        out.push_back(static_cast<uint8_t>(bits >> 8));
        if (pad == 1) {
            if ((bits & 0xff) != 0) return client_errc::malformed;  // non-canonical
            break;
        }
        out.push_back(static_cast<uint8_t>(bits));
    }
    return out;
}

}  // namespace kafka
