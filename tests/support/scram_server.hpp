// The server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) for
// tests: the scripted connection tests and the SASL fake broker play it
// against our client. It is built from the hash primitives (net/sha2.hpp),
// not from ScramClient, so that a bug in the client's message handling is not
// shared by its oracle. Stateless: every call takes the messages so far, so a
// broker serving many connections can keep them wherever it likes.
//
//   ScramTestServer server(ScramMechanism::sha256, "pencil", salt, 4096);
//   std::string first = server.server_first(client_first, "srvnonce");
//   std::string final_msg = server.server_final(client_first, first, client_final);  // "v=..." or "e=..."
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/sasl_scram.hpp"
#include "net/sha2.hpp"

namespace kafka::test {

class ScramTestServer {
public:
    ScramTestServer(ScramMechanism mechanism, std::string_view password, Bytes salt, uint32_t iterations)
        : mechanism_(mechanism), salt_(std::move(salt)), iterations_(iterations) {
        const Bytes salted = mechanism_ == ScramMechanism::sha256
                                 ? pbkdf2_hmac_sha256(as_byte_view(password), salt_, iterations_, 32)
                                 : pbkdf2_hmac_sha512(as_byte_view(password), salt_, iterations_, 64);
        client_key_ = hmac(salted, "Client Key");
        stored_key_ = hash(client_key_);
        server_key_ = hmac(salted, "Server Key");
    }

    // The value of attribute `name` ("r", "s", "p", ...) in a SCRAM message,
    // or nullopt. "n,," (the GS2 header of client-first) is skipped.
    static std::optional<std::string> attribute(std::string_view message, char name) {
        if (message.substr(0, 3) == "n,,") message.remove_prefix(3);
        while (!message.empty()) {
            size_t comma = message.find(',');
            std::string_view part = message.substr(0, comma);
            if (part.size() >= 2 && part[0] == name && part[1] == '=') return std::string(part.substr(2));
            if (comma == std::string_view::npos) break;
            message.remove_prefix(comma + 1);
        }
        return std::nullopt;
    }

    // "r=<client nonce><server_nonce>,s=<salt>,i=<iterations>".
    std::string server_first(std::string_view client_first, std::string_view server_nonce) const {
        return "r=" + attribute(client_first, 'r').value_or("") + std::string(server_nonce) +
               ",s=" + base64_encode(salt_) + ",i=" + std::to_string(iterations_);
    }

    // The client-final-message a client that knows the password must send:
    // "c=biws,r=<nonce>,p=<ClientKey XOR HMAC(StoredKey, AuthMessage)>".
    std::string expected_client_final(std::string_view client_first, std::string_view server_first) const {
        const std::string without_proof = "c=biws,r=" + attribute(server_first, 'r').value_or("");
        const Bytes signature = hmac(stored_key_, auth_message(client_first, server_first, without_proof));
        Bytes proof(client_key_.size());
        for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key_[i] ^ signature[i];
        return without_proof + ",p=" + base64_encode(proof);
    }

    // "v=<server signature>" when the client's proof is right, else
    // "e=invalid-proof" (RFC 5802 section 7), as a broker would refuse it.
    std::string server_final(std::string_view client_first, std::string_view server_first,
                             std::string_view client_final) const {
        const size_t p = client_final.rfind(",p=");
        if (p == std::string_view::npos) return "e=invalid-proof";
        const std::string without_proof(client_final.substr(0, p));
        const std::string auth = auth_message(client_first, server_first, without_proof);
        auto proof = base64_decode(client_final.substr(p + 3));
        if (!proof || proof->size() != client_key_.size()) return "e=invalid-proof";
        const Bytes signature = hmac(stored_key_, auth);
        Bytes client_key(proof->size());
        for (size_t i = 0; i < client_key.size(); ++i) client_key[i] = (*proof)[i] ^ signature[i];
        if (!equal_constant_time(hash(client_key), stored_key_)) return "e=invalid-proof";
        return "v=" + base64_encode(hmac(server_key_, auth));
    }

private:
    // client-first-message-bare "," server-first-message "," client-final-message-without-proof
    static std::string auth_message(std::string_view client_first, std::string_view server_first,
                                    std::string_view client_final_without_proof) {
        if (client_first.substr(0, 3) == "n,,") client_first.remove_prefix(3);
        return std::string(client_first) + "," + std::string(server_first) + "," +
               std::string(client_final_without_proof);
    }
    Bytes hmac(ByteView key, std::string_view data) const {
        if (mechanism_ == ScramMechanism::sha256) {
            auto d = hmac_sha256(key, as_byte_view(data));
            return Bytes(d.begin(), d.end());
        }
        auto d = hmac_sha512(key, as_byte_view(data));
        return Bytes(d.begin(), d.end());
    }
    Bytes hash(ByteView data) const {
        if (mechanism_ == ScramMechanism::sha256) {
            auto d = sha256(data);
            return Bytes(d.begin(), d.end());
        }
        auto d = sha512(data);
        return Bytes(d.begin(), d.end());
    }

    ScramMechanism mechanism_;
    Bytes salt_;
    uint32_t iterations_;
    Bytes client_key_;
    Bytes stored_key_;
    Bytes server_key_;
};

}  // namespace kafka::test
