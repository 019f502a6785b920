#include "net/sasl.hpp"

#include <string>

#include "net/sasl_scram.hpp"
#include "net/sha2.hpp"

namespace kafka::net {
namespace {

Bytes to_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

// RFC 4616: [authzid] NUL authcid NUL passwd, in one message; the broker
// answers with an empty token.
class PlainAuthenticator final : public SaslAuthenticator {
public:
    PlainAuthenticator(std::string user, std::string password)
        : user_(std::move(user)), password_(std::move(password)) {}
    ~PlainAuthenticator() override { secure_wipe(password_); }

    Result<Bytes> first() override {
        Bytes out;
        out.reserve(user_.size() + password_.size() + 2);
        out.push_back(0);
        out.insert(out.end(), user_.begin(), user_.end());
        out.push_back(0);
        out.insert(out.end(), password_.begin(), password_.end());
        return out;
    }
    Result<std::optional<Bytes>> next(ByteView) override { return std::optional<Bytes>{}; }

private:
    std::string user_;
    std::string password_;
};

// RFC 5802: client-first, server-first, client-final, server-final.
class ScramAuthenticator final : public SaslAuthenticator {
public:
    ScramAuthenticator(ScramMechanism m, std::string user, std::string password, std::string nonce)
        : scram_(m, std::move(user), std::move(password), std::move(nonce)) {}

    Result<Bytes> first() override { return to_bytes(scram_.client_first()); }

    Result<std::optional<Bytes>> next(ByteView server) override {
        std::string_view text(reinterpret_cast<const char*>(server.data), server.size);
        if (step_ == 0) {
            step_ = 1;
            auto final_msg = scram_.client_final(text);
            if (!final_msg) return final_msg.error();
            return std::optional<Bytes>(to_bytes(*final_msg));
        }
        if (step_ == 1) {
            step_ = 2;
            if (auto ec = scram_.verify_server_final(text)) return ec;
            return std::optional<Bytes>{};
        }
        return client_errc::authentication_failed;
    }

private:
    ScramClient scram_;
    int step_ = 0;
};

}  // namespace

std::unique_ptr<SaslAuthenticator> make_sasl_authenticator(const SaslConfig& config) {
    switch (config.mechanism) {
    case SaslMechanism::plain:
        return std::make_unique<PlainAuthenticator>(config.username, config.password);
    case SaslMechanism::scram_sha_256:
        return std::make_unique<ScramAuthenticator>(ScramMechanism::sha256, config.username, config.password,
                                                    config.scram_client_nonce);
    case SaslMechanism::scram_sha_512:
        return std::make_unique<ScramAuthenticator>(ScramMechanism::sha512, config.username, config.password,
                                                    config.scram_client_nonce);
    }
    return nullptr;
}

}  // namespace kafka::net
