// SHA-256 and SHA-512 (FIPS 180-4), HMAC over them (RFC 2104), PBKDF2 with
// HMAC as the PRF (RFC 8018; its first block is Hi() of RFC 5802), and base64
// (RFC 4648, standard alphabet, padded). Enough for SASL/SCRAM; nothing here
// is meant as a general-purpose crypto library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace kafka {

inline ByteView as_byte_view(std::string_view s) noexcept {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
template <size_t N>
ByteView as_byte_view(const std::array<uint8_t, N>& a) noexcept {
    return {a.data(), N};
}

// Overwrites memory in a way the optimiser may not drop. For key material.
void secure_wipe(void* data, size_t size) noexcept;
// Wipes the whole buffer, spare capacity included, and leaves s empty.
void secure_wipe(std::string& s) noexcept;
// Wipes the whole buffer, spare capacity included, and leaves b empty.
void secure_wipe(Bytes& b) noexcept;
template <size_t N>
void secure_wipe(std::array<uint8_t, N>& a) noexcept { secure_wipe(a.data(), N); }

// Constant-time comparison (time depends on the sizes only).
bool equal_constant_time(ByteView a, ByteView b) noexcept;

// Incremental hashes. finish() returns the digest and resets the object, so
// it can be reused for a new message. Copying a hash copies its state
// (HMAC relies on this to precompute the keyed pads).
class Sha256 {
public:
    static constexpr size_t digest_size = 32;
    static constexpr size_t block_size = 64;
    using Digest = std::array<uint8_t, digest_size>;

    Sha256() noexcept { reset(); }
    void reset() noexcept;
    void update(ByteView data) noexcept;
    Digest finish() noexcept;

    static Digest hash(ByteView data) noexcept;

private:
    void compress(const uint8_t* block) noexcept;

    std::array<uint32_t, 8> h_{};
    std::array<uint8_t, block_size> buf_{};
    size_t buffered_ = 0;
    uint64_t total_ = 0;  // bytes hashed so far
};

class Sha512 {
public:
    static constexpr size_t digest_size = 64;
    static constexpr size_t block_size = 128;
    using Digest = std::array<uint8_t, digest_size>;

    Sha512() noexcept { reset(); }
    void reset() noexcept;
    void update(ByteView data) noexcept;
    Digest finish() noexcept;

    static Digest hash(ByteView data) noexcept;

private:
    void compress(const uint8_t* block) noexcept;

    std::array<uint64_t, 8> h_{};
    std::array<uint8_t, block_size> buf_{};
    size_t buffered_ = 0;
    uint64_t total_ = 0;  // bytes hashed so far (messages below 2^64 bytes)
};

// HMAC (RFC 2104). The keyed inner and outer states are computed once, so one
// Hmac object can authenticate many messages cheaply: finish() returns the MAC
// and rearms the object with the same key.
template <class Hash>
class Hmac {
public:
    using Digest = typename Hash::Digest;
    static constexpr size_t digest_size = Hash::digest_size;

    explicit Hmac(ByteView key) noexcept;
    ~Hmac();
    Hmac(const Hmac&) = default;
    Hmac& operator=(const Hmac&) = default;

    void update(ByteView data) noexcept { inner_.update(data); }
    Digest finish() noexcept;

    static Digest mac(ByteView key, ByteView data) noexcept;

private:
    Hash inner_;        // running inner hash
    Hash inner_init_;   // state after absorbing key XOR ipad
    Hash outer_init_;   // state after absorbing key XOR opad
};

extern template class Hmac<Sha256>;
extern template class Hmac<Sha512>;
using HmacSha256 = Hmac<Sha256>;
using HmacSha512 = Hmac<Sha512>;

inline Sha256::Digest sha256(ByteView data) noexcept { return Sha256::hash(data); }
inline Sha512::Digest sha512(ByteView data) noexcept { return Sha512::hash(data); }
inline Sha256::Digest hmac_sha256(ByteView key, ByteView data) noexcept {
    return HmacSha256::mac(key, data);
}
inline Sha512::Digest hmac_sha512(ByteView key, ByteView data) noexcept {
    return HmacSha512::mac(key, data);
}

// PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA-256/512 as the PRF. Writes
// dk_len bytes. iterations must be >= 1 (0 is treated as 1).
Bytes pbkdf2_hmac_sha256(ByteView password, ByteView salt, uint32_t iterations,
                         size_t dk_len);
Bytes pbkdf2_hmac_sha512(ByteView password, ByteView salt, uint32_t iterations,
                         size_t dk_len);

// Base64, standard alphabet (A-Z a-z 0-9 + /), always padded with '='.
std::string base64_encode(ByteView data);
// Strict: the length must be a multiple of 4, only alphabet characters, '='
// only as the final one or two characters, no whitespace, and the bits that
// padding leaves unused must be zero (so every input has one encoding).
// Fails with client_errc::malformed.
Result<Bytes> base64_decode(std::string_view text);

}  // namespace kafka
