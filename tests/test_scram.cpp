// SHA-2, HMAC, PBKDF2, base64 and the SCRAM client against published vectors.
#include <ostream>  // before doctest: lets it print std::error_code

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "net/sasl_scram.hpp"
#include "net/sha2.hpp"
#include "protocol/errors.hpp"

using namespace kafka;

namespace {

std::string hex(ByteView b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t c : b) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
    }
    return out;
}
template <size_t N>
std::string hex(const std::array<uint8_t, N>& a) {
    return hex(as_byte_view(a));
}

std::string str(const Bytes& b) { return std::string(b.begin(), b.end()); }

// FIPS 180-4 example messages (NIST CSRC "Examples with Intermediate Values").
const std::string kMsg448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string kMsg896 =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

}  // namespace

// ------------------------------------------------------------------ SHA-256

TEST_CASE("SHA-256 FIPS 180-4 vectors") {
    CHECK(hex(sha256(as_byte_view("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex(sha256(as_byte_view(""))) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex(sha256(as_byte_view(kMsg448))) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex(sha256(as_byte_view(kMsg896))) ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_CASE("SHA-256 one million 'a', one-shot and incremental") {
    const std::string a(1000000, 'a');
    const char* expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    CHECK(hex(sha256(as_byte_view(a))) == expected);

    Sha256 h;
    const std::string chunk(1000, 'a');
    for (int i = 0; i < 1000; ++i) h.update(as_byte_view(chunk));
    CHECK(hex(h.finish()) == expected);

    // Odd-sized pieces straddling block boundaries.
    size_t done = 0;
    for (size_t step = 1; done < a.size(); step = step % 131 + 1) {
        const size_t n = std::min(step, a.size() - done);
        h.update(ByteView(reinterpret_cast<const uint8_t*>(a.data()) + done, n));
        done += n;
    }
    CHECK(hex(h.finish()) == expected);
}

TEST_CASE("SHA-256 padding boundaries and reuse after finish") {
    const std::pair<size_t, const char*> cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
    };
    Sha256 h;
    for (const auto& c : cases) {
        const size_t n = c.first;
        const std::string expected = c.second;
        CAPTURE(n);
        CHECK(hex(sha256(as_byte_view(std::string(n, 'a')))) == expected);
        for (size_t i = 0; i < n; ++i) h.update(as_byte_view("a"));
        CHECK(hex(h.finish()) == expected);  // finish() resets for the next round
    }
}

// ------------------------------------------------------------------ SHA-512

TEST_CASE("SHA-512 FIPS 180-4 vectors") {
    CHECK(hex(sha512(as_byte_view("abc"))) ==
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    CHECK(hex(sha512(as_byte_view(""))) ==
          "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    CHECK(hex(sha512(as_byte_view(kMsg448))) ==
          "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
          "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
    CHECK(hex(sha512(as_byte_view(kMsg896))) ==
          "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
          "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
}

TEST_CASE("SHA-512 one million 'a', one-shot and incremental") {
    const std::string a(1000000, 'a');
    const char* expected =
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";
    CHECK(hex(sha512(as_byte_view(a))) == expected);

    Sha512 h;
    size_t done = 0;
    for (size_t step = 1; done < a.size(); step = step % 257 + 1) {
        const size_t n = std::min(step, a.size() - done);
        h.update(ByteView(reinterpret_cast<const uint8_t*>(a.data()) + done, n));
        done += n;
    }
    CHECK(hex(h.finish()) == expected);
}

TEST_CASE("SHA-512 padding boundaries and reuse after finish") {
    const std::pair<size_t, const char*> cases[] = {
        {111, "fa9121c7b32b9e01733d034cfc78cbf67f926c7ed83e82200ef8681819692176"
              "0b4beff48404df811b953828274461673c68d04e297b0eb7b2b4d60fc6b566a2"},
        {112, "c01d080efd492776a1c43bd23dd99d0a2e626d481e16782e75d54c2503b5dc32"
              "bd05f0f1ba33e568b88fd2d970929b719ecbb152f58f130a407c8830604b70ca"},
        {127, "828613968b501dc00a97e08c73b118aa8876c26b8aac93df128502ab360f91ba"
              "b50a51e088769a5c1eff4782ace147dce3642554199876374291f5d921629502"},
        {128, "b73d1929aa615934e61a871596b3f3b33359f42b8175602e89f7e06e5f658a24"
              "3667807ed300314b95cacdd579f3e33abdfbe351909519a846d465c59582f321"},
        {129, "4f681e0bd53cda4b5a2041cc8a06f2eabde44fb16c951fbd5b87702f07aeab61"
              "1565b19c47fde30587177ebb852e3971bbd8d3fd30da18d71037dfbd98420429"},
        {239, "52c853cb8d907f3d4d6b889beb027985d7c273486d75f8baf26f80d24e90c74c"
              "6c3de3e22131582380a7d14d43f2941a31385439cd6ddc469f628015e50bf286"},
    };
    Sha512 h;
    for (const auto& c : cases) {
        const size_t n = c.first;
        const std::string expected = c.second;
        CAPTURE(n);
        CHECK(hex(sha512(as_byte_view(std::string(n, 'a')))) == expected);
        for (size_t i = 0; i < n; ++i) h.update(as_byte_view("a"));
        CHECK(hex(h.finish()) == expected);
    }
}

// ------------------------------------------------------------------ HMAC

namespace {

struct HmacCase {
    int number;
    Bytes key;
    Bytes data;
    const char* sha256;
    const char* sha512;
};

Bytes repeat(uint8_t b, size_t n) { return Bytes(n, b); }
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("HMAC-SHA-256/512 RFC 4231 test cases 1-4, 6, 7") {
    Bytes key4;
    for (uint8_t i = 1; i <= 25; ++i) key4.push_back(i);
    const HmacCase cases[] = {
        {1, repeat(0x0b, 20), bytes_of("Hi There"),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
         "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
         "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
        {2, bytes_of("Jefe"), bytes_of("what do ya want for nothing?"),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
         "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
         "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {3, repeat(0xaa, 20), repeat(0xdd, 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
         "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
         "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
        {4, key4, repeat(0xcd, 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
         "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
         "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
        {6, repeat(0xaa, 131), bytes_of("Test Using Larger Than Block-Size Key - Hash Key First"),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
         "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
         "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
        {7, repeat(0xaa, 131),
         bytes_of("This is a test using a larger than block-size key and a larger than "
                  "block-size data. The key needs to be hashed before being used by the "
                  "HMAC algorithm."),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
         "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
         "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.number);
        CHECK(hex(hmac_sha256(c.key, c.data)) == c.sha256);
        CHECK(hex(hmac_sha512(c.key, c.data)) == c.sha512);

        // Incremental, and a keyed object reused for a second message.
        HmacSha256 h256(c.key);
        HmacSha512 h512(c.key);
        for (int round = 0; round < 2; ++round) {
            for (uint8_t b : c.data) {
                h256.update({&b, 1});
                h512.update({&b, 1});
            }
            CHECK(hex(h256.finish()) == c.sha256);
            CHECK(hex(h512.finish()) == c.sha512);
        }
    }
}

// ------------------------------------------------------------------ PBKDF2

TEST_CASE("PBKDF2-HMAC-SHA256, RFC 7914 section 11") {
    CHECK(hex(pbkdf2_hmac_sha256(as_byte_view("passwd"), as_byte_view("salt"), 1, 64)) ==
          "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
          "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    CHECK(hex(pbkdf2_hmac_sha256(as_byte_view("Password"), as_byte_view("NaCl"), 80000, 64)) ==
          "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
          "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

TEST_CASE("PBKDF2 output length is a prefix, SHA-512 variant") {
    const Bytes full = pbkdf2_hmac_sha256(as_byte_view("passwd"), as_byte_view("salt"), 1, 64);
    const Bytes part = pbkdf2_hmac_sha256(as_byte_view("passwd"), as_byte_view("salt"), 1, 40);
    REQUIRE(part.size() == 40);
    CHECK(Bytes(full.begin(), full.begin() + 40) == part);
    CHECK(pbkdf2_hmac_sha256(as_byte_view("passwd"), as_byte_view("salt"), 1, 0).empty());

    // Computed independently from the RFC 8018 definition.
    CHECK(hex(pbkdf2_hmac_sha512(as_byte_view("password"), as_byte_view("salt"), 4096, 64)) ==
          "d197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5"
          "143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5");
}

// ------------------------------------------------------------------ base64

TEST_CASE("base64 RFC 4648 section 10 vectors") {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},     {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& c : cases) {
        const std::string plain = c.first;
        const std::string encoded = c.second;
        CAPTURE(plain);
        CHECK(base64_encode(as_byte_view(plain)) == encoded);
        auto d = base64_decode(encoded);
        REQUIRE(d);
        CHECK(str(*d) == plain);
    }
    CHECK(base64_encode(Bytes{0xfb, 0xff, 0xbf}) == "+/+/");
}

TEST_CASE("base64 round trips every byte value and length") {
    for (size_t n = 0; n < 300; ++n) {
        Bytes b(n);
        for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 151 + n);
        const std::string e = base64_encode(b);
        CHECK(e.size() == (n + 2) / 3 * 4);
        auto d = base64_decode(e);
        REQUIRE(d);
        CHECK(*d == b);
    }
}

TEST_CASE("base64 strict decoding rejects invalid input") {
    const char* bad[] = {
        "Zg",        // missing padding
        "Zg=",       // short padding
        "Zm9vY",     // length not a multiple of 4
        "Zg===",     // too much padding
        "====",      // padding only
        "Z===",      // three padding characters
        "Zg==Zg==",  // padding in the middle
        "Zm=v",      // '=' before a data character
        "Zm9v\n",    // whitespace
        "Zm 9v",     // whitespace
        "Zm9-",      // URL-safe alphabet
        "Zm9_",      // URL-safe alphabet
        "Zm9*",      // not in any alphabet
        "Zh==",      // non-zero bits under the padding (canonical: Zg==)
        "Zm9=",      // non-zero bits under the padding (canonical: Zm8=)
    };
    for (const char* s : bad) {
        CAPTURE(s);
        auto d = base64_decode(s);
        CHECK_FALSE(d);
        CHECK(d.error() == client_errc::malformed);
    }
    CHECK_FALSE(base64_decode(std::string_view("Zm\0v", 4)));  // embedded NUL
    CHECK_FALSE(base64_decode("\xc3\xa9Zg="));                 // non-ASCII
}

// ------------------------------------------------------------------ SCRAM

namespace {

// RFC 7677 section 3. The published server-final value is
// "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" (44 characters, 32 bytes).
constexpr std::string_view kRfcNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kRfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view kRfcClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view kRfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramClient rfc_client() {
    return ScramClient(ScramMechanism::sha256, "user", "pencil", std::string(kRfcNonce));
}

// A client that has reached the point of checking server-final.
ScramClient rfc_client_after_final() {
    ScramClient c = rfc_client();
    (void)c.client_first();
    auto f = c.client_final(kRfcServerFirst);
    REQUIRE(f);
    return c;
}

// Splits "a=x,b=y" and returns the value of attribute `name`.
std::string attr(std::string_view msg, char name) {
    size_t pos = 0;
    while (pos <= msg.size()) {
        size_t comma = msg.find(',', pos);
        if (comma == std::string_view::npos) comma = msg.size();
        const std::string_view a = msg.substr(pos, comma - pos);
        if (a.size() >= 2 && a[0] == name && a[1] == '=') return std::string(a.substr(2));
        pos = comma + 1;
    }
    return {};
}

// The server side of RFC 5802 built from the primitives, for SCRAM-SHA-512:
// checks the client proof against the stored credential and answers with the
// server signature.
struct Sha512TestServer {
    Bytes salt;
    uint32_t iterations;
    Sha512::Digest stored_key{};
    Sha512::Digest server_key{};

    Sha512TestServer(std::string_view password, Bytes s, uint32_t i)
        : salt(std::move(s)), iterations(i) {
        const Bytes salted = pbkdf2_hmac_sha512(as_byte_view(password), salt, iterations, 64);
        stored_key = sha512(as_byte_view(hmac_sha512(salted, as_byte_view("Client Key"))));
        server_key = hmac_sha512(salted, as_byte_view("Server Key"));
    }

    // Returns server-final, or "e=invalid-proof".
    std::string finish(std::string_view client_first_bare, std::string_view server_first,
                       std::string_view client_final) const {
        const size_t p = client_final.rfind(",p=");
        REQUIRE(p != std::string_view::npos);
        const std::string auth = std::string(client_first_bare) + "," +
                                 std::string(server_first) + "," +
                                 std::string(client_final.substr(0, p));
        auto proof = base64_decode(client_final.substr(p + 3));
        REQUIRE(proof);
        REQUIRE(proof->size() == 64);
        const auto client_signature = hmac_sha512(as_byte_view(stored_key), as_byte_view(auth));
        Bytes client_key(64);
        for (size_t i = 0; i < 64; ++i) client_key[i] = (*proof)[i] ^ client_signature[i];
        if (sha512(client_key) != stored_key) return "e=invalid-proof";
        return "v=" + base64_encode(as_byte_view(
                          hmac_sha512(as_byte_view(server_key), as_byte_view(auth))));
    }
};

}  // namespace

TEST_CASE("SCRAM mechanism names") {
    CHECK(scram_mechanism_name(ScramMechanism::sha256) == "SCRAM-SHA-256");
    CHECK(scram_mechanism_name(ScramMechanism::sha512) == "SCRAM-SHA-512");
}

TEST_CASE("SCRAM-SHA-256: the RFC 7677 exchange, byte for byte") {
    ScramClient c = rfc_client();
    CHECK(c.mechanism() == ScramMechanism::sha256);
    CHECK(c.client_first() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    CHECK(c.client_first() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");  // idempotent
    auto final_msg = c.client_final(kRfcServerFirst);
    REQUIRE(final_msg);
    CHECK(*final_msg == kRfcClientFinal);
    CHECK_FALSE(c.complete());
    CHECK_FALSE(c.verify_server_final(kRfcServerFinal));
    CHECK(c.complete());
    // The exchange is over.
    CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::invalid_argument);
    CHECK(c.client_final(kRfcServerFirst).error() == client_errc::invalid_argument);
}

TEST_CASE("SCRAM: a server signature that does not match fails authentication") {
    {
        ScramClient c = rfc_client_after_final();
        // Last base64 digit changed: decodes fine, one bit differs.
        CHECK(c.verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G8=") ==
              client_errc::authentication_failed);
        CHECK_FALSE(c.complete());
        // No second attempt.
        CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::invalid_argument);
    }
    {
        ScramClient c = rfc_client_after_final();
        CHECK(c.verify_server_final("v=" + base64_encode(Bytes(32, 0))) ==
              client_errc::authentication_failed);
    }
    {
        ScramClient c = rfc_client_after_final();  // wrong length
        CHECK(c.verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl9") ==
              client_errc::authentication_failed);
    }
    {
        // 45 characters: not base64 at all.
        ScramClient c = rfc_client_after_final();
        CHECK(c.verify_server_final("v=6rriTRBi23WpRR/wtup+mMhUZUn/dOEDVBNEXYQ7AdGg=") ==
              client_errc::malformed);
        CHECK_FALSE(c.complete());
    }
    {
        // The RFC's server signature, but the client has another password.
        ScramClient c(ScramMechanism::sha256, "user", "pencil!", std::string(kRfcNonce));
        (void)c.client_first();
        auto f = c.client_final(kRfcServerFirst);
        REQUIRE(f);
        CHECK(*f != kRfcClientFinal);
        CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::authentication_failed);
    }
}

TEST_CASE("SCRAM: a server error in server-final fails authentication") {
    for (const char* msg : {"e=invalid-proof", "e=other-error", "e=unknown-user,x=1"}) {
        CAPTURE(msg);
        ScramClient c = rfc_client_after_final();
        CHECK(c.verify_server_final(msg) == client_errc::authentication_failed);
        CHECK_FALSE(c.complete());
    }
}

TEST_CASE("SCRAM: malformed server-final") {
    for (const char* msg : {"", "v", "v=", "x=abc", "v6rriTRBi23Wp", ",v=abcd", "v=*bad"}) {
        CAPTURE(msg);
        ScramClient c = rfc_client_after_final();
        const auto ec = c.verify_server_final(msg);
        CHECK(ec);
        CHECK_FALSE(c.complete());
    }
    ScramClient c = rfc_client_after_final();
    CHECK(c.verify_server_final("x=abc") == client_errc::malformed);
}

TEST_CASE("SCRAM: extensions after the signature are ignored") {
    ScramClient c = rfc_client_after_final();
    CHECK_FALSE(c.verify_server_final(std::string(kRfcServerFinal) + ",x=whatever"));
    CHECK(c.complete());
}

TEST_CASE("SCRAM: the server nonce must extend the client nonce") {
    const std::string rest = ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    for (std::string nonce : {"XOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",  // first char
                              "rOprNGfwEbeRWgbNEkqX%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",  // last char
                              "rOprNGfwEbeRWgbNEkq",                                 // a prefix
                              "rOprNGfwEbeRWgbNEkqO",   // no server part at all
                              "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0rOprNGfwEbeRWgbNEkqO"}) {
        CAPTURE(nonce);
        ScramClient c = rfc_client();
        (void)c.client_first();
        auto f = c.client_final("r=" + nonce + rest);
        CHECK_FALSE(f);
        CHECK(f.error() == client_errc::authentication_failed);
        // The failed exchange cannot continue.
        CHECK(c.client_final(kRfcServerFirst).error() == client_errc::invalid_argument);
        CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::invalid_argument);
    }
}

TEST_CASE("SCRAM: iteration count bounds") {
    auto try_count = [](const std::string& i) {
        ScramClient c = rfc_client();
        (void)c.client_first();
        return c.client_final(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=" +
            i);
    };
    CHECK(try_count("4096"));
    CHECK(try_count("4095").error() == client_errc::authentication_failed);
    CHECK(try_count("1").error() == client_errc::authentication_failed);
    CHECK(try_count("1000001").error() == client_errc::authentication_failed);
    CHECK(try_count("4294967296").error() == client_errc::authentication_failed);
    CHECK(try_count("99999999999999999999999999999").error() ==
          client_errc::authentication_failed);
    for (const char* bad : {"", "0", "04096", "-4096", "+4096", "4096x", " 4096", "4e3"}) {
        CAPTURE(bad);
        CHECK(try_count(bad).error() == client_errc::malformed);
    }
}

TEST_CASE("SCRAM: malformed server-first") {
    const char* bad[] = {
        "",
        "r=rOprNGfwEbeRWgbNEkqO%hvY",                                           // no salt
        "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==",                 // no count
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqO%hvY,i=4096",          // order
        "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096",           // bad base64
        "r=rOprNGfwEbeRWgbNEkqO%hvY,s=,i=4096",                                  // empty salt
        "r=rOprNGfwEbeRWgbNEkqO%hvY,,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",         // empty attr
        "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,",         // trailing ','
        "r=rOprNGfwEbeRWgbNEkqO%h vY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",         // space in nonce
        "r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,junk",     // bad extension
    };
    for (const char* msg : bad) {
        CAPTURE(msg);
        ScramClient c = rfc_client();
        (void)c.client_first();
        auto f = c.client_final(msg);
        CHECK_FALSE(f);
        CHECK(f.error() == client_errc::malformed);
    }
    // A mandatory extension, or an error instead of a challenge.
    for (const char* msg : {"m=must-understand,r=rOprNGfwEbeRWgbNEkqO%hvY,s=W22Z,i=4096",
                            "e=unknown-user"}) {
        CAPTURE(msg);
        ScramClient c = rfc_client();
        (void)c.client_first();
        CHECK(c.client_final(msg).error() == client_errc::authentication_failed);
    }
}

TEST_CASE("SCRAM: optional extensions in server-first are accepted") {
    // The extension is part of AuthMessage, so the proof differs from the RFC's.
    ScramClient c = rfc_client();
    (void)c.client_first();
    auto f = c.client_final(std::string(kRfcServerFirst) + ",x=ext");
    REQUIRE(f);
    CHECK(f->rfind("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=", 0) == 0);
    CHECK(*f != kRfcClientFinal);
}

TEST_CASE("SCRAM: calls out of order") {
    {
        ScramClient c = rfc_client();
        CHECK(c.client_final(kRfcServerFirst).error() == client_errc::invalid_argument);
    }
    {
        ScramClient c = rfc_client();
        CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::invalid_argument);
        (void)c.client_first();
        CHECK(c.verify_server_final(kRfcServerFinal) == client_errc::invalid_argument);
    }
    {
        ScramClient a = rfc_client();
        (void)a.client_first();
        ScramClient b = std::move(a);  // the state moves with the object
        auto f = b.client_final(kRfcServerFirst);
        REQUIRE(f);
        CHECK(*f == kRfcClientFinal);
        CHECK_FALSE(b.verify_server_final(kRfcServerFinal));
        CHECK(b.complete());
    }
}

TEST_CASE("SCRAM: the user name is escaped, the nonce is checked") {
    ScramClient c(ScramMechanism::sha256, "a=b,c==,", "pw", "abc");
    CHECK(c.client_first() == "n,,n=a=3Db=2Cc=3D=3D=2C,r=abc");

    for (const char* nonce : {"has,comma", "has space", "tab\tin", "\x7f", "caf\xc3\xa9"}) {
        CAPTURE(nonce);
        ScramClient bad(ScramMechanism::sha256, "user", "pw", nonce);
        (void)bad.client_first();
        CHECK(bad.client_final("r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").error() ==
              client_errc::invalid_argument);
    }
}

TEST_CASE("SCRAM: generated nonces are long, printable and distinct") {
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) {
        ScramClient c(ScramMechanism::sha512, "user", "pw");
        const std::string first = c.client_first();
        REQUIRE(first.rfind("n,,n=user,r=", 0) == 0);
        const std::string nonce = first.substr(12);
        CHECK(nonce.size() >= 24);
        for (char ch : nonce) {
            CHECK(ch > 0x20);
            CHECK(ch < 0x7f);
            CHECK(ch != ',');
        }
        seen.insert(nonce);
    }
    CHECK(seen.size() == 20);
}

TEST_CASE("SCRAM-SHA-512: known answer") {
    // Computed independently from the RFC 5802 formulas. The user name needs
    // escaping and the password is UTF-8 with a space.
    ScramClient c(ScramMechanism::sha512, "alice=admin,ops", "p\xc3\xa4ssw0rd secret",
                  "fyko+d2lbbFgONRv9qkxdawL");
    CHECK(c.client_first() == "n,,n=alice=3Dadmin=2Cops,r=fyko+d2lbbFgONRv9qkxdawL");
    auto f = c.client_final(
        "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=a2Fma2Etc2NyYW0tNTEyLXNhbHQh,i=4096");
    REQUIRE(f);
    CHECK(*f ==
          "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
          "p=34bat1D0Q3VFOkmwpCt+7KARIXxdpR5qerLuyY4D5t6cpu3nqh7m//vxuDQt6BeWjG4HY5Dg3Kwd4z8lDBinlQ==");
    CHECK_FALSE(c.verify_server_final(
        "v=18lcewQkpGwG1RajnQdKsgFyFVFGue3UzuP5LOkweI31uVoeL1IVOKkCZ2FUMTvrbWeG4CDvvZjkQ/5fr9kZ4Q=="));
    CHECK(c.complete());
}

TEST_CASE("SCRAM-SHA-512: self-consistency against a server built from the primitives") {
    const std::string password = "correct horse battery staple";
    const Sha512TestServer server(password, bytes_of("some salt bytes\x01\x02"), 4096);
    const std::string server_part = "S3rv3rN0nc3/+=~";

    auto run = [&](const std::string& client_password, std::string& server_final) {
        ScramClient c(ScramMechanism::sha512, "kafka,user", client_password);
        const std::string first = c.client_first();
        REQUIRE(first.rfind("n,,", 0) == 0);
        const std::string bare = first.substr(3);
        CHECK(bare.rfind("n=kafka=2Cuser,r=", 0) == 0);
        const std::string server_first = "r=" + attr(bare, 'r') + server_part +
                                         ",s=" + base64_encode(server.salt) +
                                         ",i=" + std::to_string(server.iterations);
        auto final_msg = c.client_final(server_first);
        REQUIRE(final_msg);
        CHECK(attr(*final_msg, 'c') == "biws");
        CHECK(attr(*final_msg, 'r') == attr(server_first, 'r'));
        CHECK(attr(*final_msg, 'p').size() == 88);  // base64 of 64 bytes
        server_final = server.finish(bare, server_first, *final_msg);
        return c.verify_server_final(server_final);
    };

    std::string server_final;
    CHECK_FALSE(run(password, server_final));
    CHECK(server_final.rfind("v=", 0) == 0);

    CHECK(run("wrong password", server_final) == client_errc::authentication_failed);
    CHECK(server_final == "e=invalid-proof");
}

TEST_CASE("constant-time comparison") {
    CHECK(equal_constant_time(as_byte_view("abc"), as_byte_view("abc")));
    CHECK_FALSE(equal_constant_time(as_byte_view("abc"), as_byte_view("abd")));
    CHECK_FALSE(equal_constant_time(as_byte_view("abc"), as_byte_view("ab")));
    CHECK(equal_constant_time(as_byte_view(""), as_byte_view("")));
}

TEST_CASE("secure_wipe clears strings and byte vectors") {
    std::string s = "a secret longer than the small-string buffer";
    secure_wipe(s);
    CHECK(s.empty());
    Bytes b = {1, 2, 3};
    secure_wipe(b);
    CHECK(b.empty());
    std::array<uint8_t, 3> a = {1, 2, 3};
    secure_wipe(a);
    CHECK(a == std::array<uint8_t, 3>{0, 0, 0});
}
