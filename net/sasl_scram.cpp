#include "net/sasl_scram.hpp"

#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "net/sha2.hpp"

namespace kafka {

std::string_view scram_mechanism_name(ScramMechanism m) noexcept {
    switch (m) {
        case ScramMechanism::sha256: return "SCRAM-SHA-256";
        case ScramMechanism::sha512: return "SCRAM-SHA-512";
    }
    return "SCRAM-UNKNOWN";
}

namespace {

// No channel binding, no authzid: the only GS2 header Kafka accepts.
constexpr std::string_view kGs2Header = "n,,";

// RFC 5802 "printable": %x21-2B / %x2D-7E, i.e. visible ASCII except ','.
bool is_printable_nonce(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7e || c == ',') return false;
    }
    return true;
}

std::string random_nonce() {
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    constexpr size_t kLength = 32;  // 32 * log2(62) ~ 190 bits
    std::random_device rd;
    std::uniform_int_distribution<size_t> pick(0, sizeof kChars - 2);
    std::string out;
    out.reserve(kLength);
    for (size_t i = 0; i < kLength; ++i) out.push_back(kChars[pick(rd)]);
    return out;
}

// RFC 5802 section 5.1, saslname: '=' and ',' are escaped as "=3D" and "=2C".
std::string escape_username(std::string_view user) {
    std::string out;
    out.reserve(user.size());
    for (char c : user) {
        if (c == '=') {
            out += "=3D";
        } else if (c == ',') {
            out += "=2C";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Splits "a=x,b=y,..." into attributes; each must be "<letter>=<value>".
bool split_attributes(std::string_view msg, std::vector<std::string_view>& out) {
    out.clear();
    size_t pos = 0;
    for (;;) {
        const size_t comma = msg.find(',', pos);
        const std::string_view attr =
            msg.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        if (attr.size() < 2 || attr[1] != '=') return false;
        const char name = attr[0];
        if (!((name >= 'a' && name <= 'z') || (name >= 'A' && name <= 'Z'))) return false;
        out.push_back(attr);
        if (comma == std::string_view::npos) return true;
        pos = comma + 1;
    }
}

// RFC 5802 positive-number: %x31-39 *DIGIT. Saturates instead of overflowing.
bool parse_iterations(std::string_view s, uint64_t& out) noexcept {
    if (s.empty() || s[0] < '1' || s[0] > '9') return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        if (v < (uint64_t{1} << 40)) v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    out = v;
    return true;
}

struct Proof {
    std::string client_proof_b64;
    Bytes server_signature;
};

// RFC 5802 section 3:
//   SaltedPassword  := Hi(Normalize(password), salt, i)
//   ClientKey       := HMAC(SaltedPassword, "Client Key")
//   StoredKey       := H(ClientKey)
//   ClientSignature := HMAC(StoredKey, AuthMessage)
//   ClientProof     := ClientKey XOR ClientSignature
//   ServerKey       := HMAC(SaltedPassword, "Server Key")
//   ServerSignature := HMAC(ServerKey, AuthMessage)
// The password is used as its bytes; Kafka applies no further normalisation.
template <class Hash>
Proof compute_proof(const std::string& password, const Bytes& salt, uint32_t iterations,
                    std::string_view auth_message) {
    Bytes salted;
    if constexpr (std::is_same_v<Hash, Sha256>) {
        salted = pbkdf2_hmac_sha256(as_byte_view(password), salt, iterations, Hash::digest_size);
    } else {
        salted = pbkdf2_hmac_sha512(as_byte_view(password), salt, iterations, Hash::digest_size);
    }
    auto client_key = Hmac<Hash>::mac(salted, as_byte_view("Client Key"));
    auto stored_key = Hash::hash(as_byte_view(client_key));
    auto client_signature = Hmac<Hash>::mac(as_byte_view(stored_key), as_byte_view(auth_message));
    auto proof = client_key;
    for (size_t i = 0; i < proof.size(); ++i) proof[i] ^= client_signature[i];
    auto server_key = Hmac<Hash>::mac(salted, as_byte_view("Server Key"));
    const auto server_signature =
        Hmac<Hash>::mac(as_byte_view(server_key), as_byte_view(auth_message));

    Proof out;
    out.client_proof_b64 = base64_encode(as_byte_view(proof));
    out.server_signature.assign(server_signature.begin(), server_signature.end());

    secure_wipe(salted);
    secure_wipe(client_key);
    secure_wipe(stored_key);
    secure_wipe(client_signature);
    secure_wipe(proof);
    secure_wipe(server_key);
    return out;
}

enum class Phase { initial, first_sent, final_sent, done, failed };

}  // namespace

struct ScramClient::State {
    std::string user;
    std::string password;
    std::string client_nonce;
    std::string client_first_bare;
    Bytes expected_server_signature;
    Phase phase = Phase::initial;

    ~State() {
        secure_wipe(password);
        secure_wipe(expected_server_signature);
    }
};

ScramClient::ScramClient(ScramMechanism mechanism, std::string user, std::string password,
                         std::string nonce)
    : mechanism_(mechanism), state_(std::make_unique<State>()) {
    state_->user = std::move(user);
    state_->password = std::move(password);
    state_->client_nonce = nonce.empty() ? random_nonce() : std::move(nonce);
    state_->client_first_bare =
        "n=" + escape_username(state_->user) + ",r=" + state_->client_nonce;
    if (!is_printable_nonce(state_->client_nonce)) state_->phase = Phase::failed;
}

ScramClient::~ScramClient() = default;
ScramClient::ScramClient(ScramClient&&) noexcept = default;
ScramClient& ScramClient::operator=(ScramClient&&) noexcept = default;

std::string ScramClient::client_first() {
    if (!state_) return {};
    if (state_->phase == Phase::initial) state_->phase = Phase::first_sent;
    return std::string(kGs2Header) + state_->client_first_bare;
}

bool ScramClient::complete() const noexcept {
    return state_ && state_->phase == Phase::done;
}

Result<std::string> ScramClient::client_final(std::string_view server_first) {
    if (!state_ || state_->phase != Phase::first_sent) return client_errc::invalid_argument;
    State& st = *state_;
    st.phase = Phase::failed;  // until we succeed
    secure_wipe(st.expected_server_signature);

    // Any failure wipes the password: the exchange cannot be resumed.
    auto fail = [&st](client_errc e) -> Result<std::string> {
        secure_wipe(st.password);
        return e;
    };

    std::vector<std::string_view> attrs;
    if (!split_attributes(server_first, attrs)) return fail(client_errc::malformed);
    // A server error, or a mandatory extension we cannot understand (RFC 5802
    // section 5.1, "m"), ends the exchange.
    if (attrs[0][0] == 'e' || attrs[0][0] == 'm') return fail(client_errc::authentication_failed);
    if (attrs.size() < 3 || attrs[0][0] != 'r' || attrs[1][0] != 's' || attrs[2][0] != 'i') {
        return fail(client_errc::malformed);
    }
    const std::string_view server_nonce = attrs[0].substr(2);
    const std::string_view salt_b64 = attrs[1].substr(2);
    const std::string_view iter_text = attrs[2].substr(2);

    if (!is_printable_nonce(server_nonce)) return fail(client_errc::malformed);
    auto salt = base64_decode(salt_b64);
    if (!salt || salt->empty()) return fail(client_errc::malformed);
    uint64_t iterations = 0;
    if (!parse_iterations(iter_text, iterations)) return fail(client_errc::malformed);

    // The server must append its own part to our nonce (RFC 5802 section 5.1).
    if (server_nonce.size() <= st.client_nonce.size() ||
        server_nonce.substr(0, st.client_nonce.size()) != st.client_nonce) {
        return fail(client_errc::authentication_failed);
    }
    if (iterations < kScramMinIterations || iterations > kScramMaxIterations) {
        return fail(client_errc::authentication_failed);
    }

    std::string final_message = "c=" + base64_encode(as_byte_view(kGs2Header));
    final_message += ",r=";
    final_message += server_nonce;
    std::string auth_message;
    auth_message.reserve(st.client_first_bare.size() + server_first.size() +
                         final_message.size() + 2);
    auth_message += st.client_first_bare;
    auth_message += ',';
    auth_message += server_first;
    auth_message += ',';
    auth_message += final_message;

    const auto iters = static_cast<uint32_t>(iterations);
    Proof proof = mechanism_ == ScramMechanism::sha256
                      ? compute_proof<Sha256>(st.password, *salt, iters, auth_message)
                      : compute_proof<Sha512>(st.password, *salt, iters, auth_message);
    secure_wipe(st.password);  // not needed any more

    final_message += ",p=";
    final_message += proof.client_proof_b64;
    st.expected_server_signature = std::move(proof.server_signature);
    st.phase = Phase::final_sent;
    return final_message;
}

std::error_code ScramClient::verify_server_final(std::string_view server_final) {
    if (!state_ || state_->phase != Phase::final_sent) {
        return make_error_code(client_errc::invalid_argument);
    }
    State& st = *state_;
    st.phase = Phase::failed;  // until we succeed

    std::vector<std::string_view> attrs;
    std::error_code result;
    if (!split_attributes(server_final, attrs)) {
        result = make_error_code(client_errc::malformed);
    } else if (attrs[0][0] == 'e') {
        result = make_error_code(client_errc::authentication_failed);
    } else if (attrs[0][0] != 'v') {
        result = make_error_code(client_errc::malformed);
    } else {
        auto signature = base64_decode(attrs[0].substr(2));
        if (!signature) {
            result = make_error_code(client_errc::malformed);
        } else if (!equal_constant_time(*signature, st.expected_server_signature)) {
            result = make_error_code(client_errc::authentication_failed);
        } else {
            st.phase = Phase::done;
        }
    }
    secure_wipe(st.expected_server_signature);
    return result;
}

}  // namespace kafka
