// kcli metadata over SASL_PLAINTEXT, end to end: the built kcli against a
// fake broker that requires PLAIN or SCRAM (tests/support/sasl_fake_broker.hpp;
// the librdkafka mock has no SASL). JSON is parsed by Python's json module.
// A wrong password must fail fast and clearly, and the password must never
// appear in what kcli prints, even with the protocol trace on.
#include <ostream>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "test_kcli_admin_support.hpp"
#include "tests/support/sasl_fake_broker.hpp"

using namespace kafka;
using namespace kafka::test;
using namespace std::chrono_literals;

namespace {

const std::string kPassword = "alice-S3cret-pw";

RunResult kcli_sasl(const SaslFakeBroker& broker, const std::string& mechanism, const std::string& password,
                    std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-b", broker.bootstrap(), "-X", "security.protocol=SASL_PLAINTEXT",
                                     "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=alice",
                                     "-X", "sasl.password=" + password, "metadata", "-J"};
    args.insert(args.end(), extra.begin(), extra.end());
    return kcli(args, {}, 30s);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

}  // namespace

TEST_CASE("kcli metadata over SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 succeed") {
    SaslFakeBroker broker("alice", kPassword, {{"secured", 2}});
    const std::vector<std::string> mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
    for (const auto& mechanism : mechanisms) {
        CAPTURE(mechanism);
        auto r = kcli_sasl(broker, mechanism, kPassword);
        REQUIRE_MESSAGE(r.code == 0, r.err);
        CHECK(json_eval(r.out, "d['cluster_id']") == "sasl-fake");
        CHECK(json_eval(r.out, "[b['id'] for b in d['brokers']]") == "[1]");
        CHECK(json_eval(r.out, "[t['name'] for t in d['topics']]") == "[\"secured\"]");
        CHECK(json_eval(r.out, "len(d['topics'][0]['partitions'])") == "2");
        // The per-broker ApiVersions went over an authenticated connection too.
        CHECK(json_eval(r.out, "[v['max_version'] for v in d['brokers'][0]['api_versions'] if v['name']=='SaslAuthenticate']") ==
              "[2]");
        CHECK(r.out.find(kPassword) == std::string::npos);
        CHECK(r.err.find(kPassword) == std::string::npos);
    }
    // Every connection authenticated before its Metadata, with each mechanism.
    CHECK(broker.unauthenticated() == 0);
    CHECK(broker.failed() == 0);
    auto used = broker.mechanisms_used();
    for (const auto& mechanism : mechanisms) CHECK(std::count(used.begin(), used.end(), mechanism) >= 1);
}

TEST_CASE("kcli metadata over SASL_PLAINTEXT: the protocol trace hides the credentials") {
    SaslFakeBroker broker("alice", kPassword, {{"secured", 1}});
    auto r = kcli_sasl(broker, "PLAIN", kPassword, {"-X", "debug=protocol"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.err.find("SaslAuthenticate v2 request") != std::string::npos);
    CHECK(r.err.find("(credentials, not shown)") != std::string::npos);
    CHECK(r.err.find(kPassword) == std::string::npos);
    CHECK(r.out.find(kPassword) == std::string::npos);
}

TEST_CASE("kcli metadata over SASL_PLAINTEXT: a wrong password is a clear authentication error") {
    SaslFakeBroker broker("alice", kPassword, {{"secured", 2}});
    const std::string wrong = "Wrong-pw-Zq81x";
    for (const std::string mechanism : {"PLAIN", "SCRAM-SHA-512"}) {
        CAPTURE(mechanism);
        for (bool json : {true, false}) {
            CAPTURE(json);
            auto r = json ? kcli_sasl(broker, mechanism, wrong) : kcli(
                {"-b", broker.bootstrap(), "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=" + mechanism,
                 "-X", "sasl.username=alice", "-X", "sasl.password=" + wrong, "metadata"}, {}, 30s);
            CHECK(r.code != 0);
            CHECK(r.code != -1000);  // it ended on its own, it did not hang
            CHECK_MESSAGE(lower(r.err).find("authentication failed") != std::string::npos, r.err);
            CHECK_MESSAGE(r.err.find("SASL authentication with the cluster") != std::string::npos, r.err);
            CHECK(r.err.find("cannot reach") == std::string::npos);  // it was reached
            CHECK(r.out.find(wrong) == std::string::npos);
            CHECK(r.err.find(wrong) == std::string::npos);
            CHECK(r.out.find(kPassword) == std::string::npos);
            if (json) CHECK(lower(json_eval(r.out, "d['error']")).find("authentication") != std::string::npos);
        }
    }
    CHECK(broker.authenticated() == 0);
    CHECK(broker.failed() >= 4);
    CHECK(broker.unauthenticated() == 0);
}
