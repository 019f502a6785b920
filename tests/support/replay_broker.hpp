// The replay broker: a test tool that serves a recorded conversation (a kcap
// file from testdata/captures) to our client on 127.0.0.1.
//
//     kafka::test::ReplayBroker replay(kafka::test::load_kcap_file(dir + "/kfake/metadata-kcat215.kcap"));
//     connect a net::Connection to 127.0.0.1:replay.port(), send the requests...
//     CHECK_MESSAGE(replay.ok(), replay.report());
//
// Each request our client sends is checked against the recorded request and
// answered with the recorded response, its correlation id rewritten. The
// check compares decoded field trees (protocol/registry.hpp) and names the
// first differing field, e.g.
//     body.topics[0].name: recorded "t1", got "t2"
// Fields that must differ are skipped: header.correlation_id,
// header.client_id, the ApiVersions client software name and version,
// SCRAM messages in SaslAuthenticate, SaslAuthenticate tokens a recording
// withheld (kcli proxy records them empty), plus a per-test list of paths.
//
// It is not a broker: it knows nothing of topics or offsets. The codec is used
// to name fields in diffs, to answer ApiVersions (see ReplayScript) and,
// when asked, to point the broker addresses of Metadata and FindCoordinator
// responses at the replay itself.
//
// A recording has several connections, which our client may open in another
// order: a new connection is matched to the first unused recorded connection
// whose requests match, and is committed to it at its first request after the
// ApiVersions/SASL handshake. Responses go out in order per connection; a
// request without a recorded response (acks=0 Produce) gets none; when the
// recorded connection has no more requests, the replay closes it. A mismatch,
// or a request with no recorded counterpart, is recorded as a failure and the
// connection is closed, so that the client fails fast instead of waiting.
//
// Not supported: SASL after a v0 SaslHandshake (raw tokens, no header), and
// SCRAM (its server messages embed the recorded client nonce; SCRAM is
// tested against the RFC vectors instead).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocol/kcap.hpp"
#include "protocol/registry.hpp"

namespace kafka::test {

// ---------------------------------------------------------------- diffs

// A field path: "header.request_api_version", "body.topics[0].name". In an
// ignore pattern, "[*]" matches any index; a pattern covers its subtree.
bool path_matches(const std::string& pattern, const std::string& path);

struct FieldDiff {
    std::string path;
    std::string recorded;  // the values as text ("<absent>" when missing)
    std::string got;
    std::string describe() const;  // "path: recorded X, got Y"
};

// The first field where two decoded request frames differ, skipping the
// fields that must differ (see above) and any path matching `ignore`.
std::optional<FieldDiff> diff_requests(const DecodedFrame& recorded, const DecodedFrame& got,
                                       const std::vector<std::string>& ignore = {});

// ---------------------------------------------------------------- the script

struct ReplayOptions {
    // Extra paths to skip, e.g. "body.timeout_ms" or
    // "body.topic_data[*].partition_data[*].records.batches[*].crc".
    std::vector<std::string> ignore;
    // Recorded requests our client need not send: the replay skips them when
    // the next request does not match. By default the KIP-714 client
    // telemetry that librdkafka 2.x sends (GetTelemetrySubscriptions,
    // PushTelemetry).
    std::set<int16_t> optional_apis{71, 72};
    // Point the brokers in Metadata and FindCoordinator responses at the
    // replay's own address, so that a client that follows them (the cluster,
    // the producer, kcli) comes back to the replay. Off: the recorded bytes.
    bool rewrite_broker_addresses = false;
};

// One recorded request and its response, if any.
struct ReplayExchange {
    KcapFrame request;
    DecodedFrame decoded;               // the request as a field tree
    std::optional<KcapFrame> response;  // none for acks=0 Produce
};

struct ReplayConnection {
    int id = 0;                           // the kcap @conn number
    std::vector<ReplayExchange> script;   // every request but ApiVersions, in order
    std::optional<KcapFrame> api_versions_error;  // an UNSUPPORTED_VERSION answer, if recorded
    std::optional<KcapFrame> api_versions;        // the successful answer
    // An ApiVersions request came after the last other request (kcli
    // metadata asks each broker's versions last): the replay must not close
    // the connection at the end of `script`, or the client reconnects for it.
    bool trailing_api_versions = false;
};

struct ReplayResult {
    std::vector<Bytes> frames;  // responses to send, without their size prefix
    bool close = false;         // close the connection after sending them
};

// The logic of the replay, without sockets: the ReplayBroker below feeds it
// the frames read from each connection and writes back what it returns.
// Thread-safe.
class ReplayScript {
public:
    ReplayScript(KcapFile recording, ReplayOptions options = {});
    ~ReplayScript();
    ReplayScript(const ReplayScript&) = delete;
    ReplayScript& operator=(const ReplayScript&) = delete;

    // The address responses point the client at, when rewriting is on.
    void set_advertised_address(std::string host, uint16_t port);

    int open_session();
    // `frame` is one request without its size prefix.
    ReplayResult on_request(int session, ByteView frame);
    void close_session(int session);

    // Everything that went wrong, in order; empty when the replay went well.
    std::vector<std::string> failures() const;
    // Recorded requests that were not served (optional APIs left out), as
    // "conn 2: Produce v10 (line 17)".
    std::vector<std::string> unserved() const;
    // One line per notable step ("session 1: ApiVersions v4 -> recorded
    // UNSUPPORTED_VERSION"); for assertions on the path a client took.
    std::vector<std::string> events() const;
    size_t requests_served() const;

    // The versions the recorded client used, per API key (ApiVersions left out).
    const std::map<int16_t, int16_t>& pinned_versions() const { return pinned_; }
    const std::vector<ReplayConnection>& connections() const { return conns_; }

private:
    struct Session;

    ReplayResult handle(Session& s, int session_id, ByteView frame);
    ReplayResult answer_api_versions(Session& s, int session_id, const DecodedFrame& got);
    ReplayResult fail(Session& s, std::string message);
    // Answers exchange `index` of recorded connection `c`, closing at the end.
    ReplayResult reply(Session& s, int session_id, size_t c, size_t index, const DecodedFrame& got);
    // The index of the next exchange of `conn` at or after `from` that
    // matches `got`, skipping optional recorded requests; or the diff against
    // the first non-optional one.
    struct Match {
        std::optional<size_t> index;
        std::optional<FieldDiff> diff;
        const ReplayExchange* compared = nullptr;
    };
    Match match(const ReplayConnection& conn, size_t from, const DecodedFrame& got) const;
    Bytes response_for(const KcapFrame& recorded, int32_t correlation_id) const;
    bool is_handshake(int16_t api_key) const;

    ReplayOptions opts_;
    std::vector<ReplayConnection> conns_;
    std::map<int16_t, int16_t> pinned_;
    std::optional<KcapFrame> fallback_api_versions_;  // for connections that recorded none

    mutable std::mutex mu_;
    std::map<int, std::unique_ptr<Session>> sessions_;
    int next_session_ = 1;
    std::vector<bool> used_;                  // per recorded connection: taken by a session
    std::vector<std::vector<bool>> served_;   // per recorded connection and exchange
    std::vector<std::string> failures_;
    std::vector<std::string> events_;
    size_t served_count_ = 0;
    std::string advertised_host_ = "127.0.0.1";
    uint16_t advertised_port_ = 0;
};

// ---------------------------------------------------------------- the server

// Serves a ReplayScript on 127.0.0.1 (an ephemeral port) from a thread of its
// own. The destructor stops it and closes every connection.
class ReplayBroker {
public:
    explicit ReplayBroker(KcapFile recording, ReplayOptions options = {});
    ~ReplayBroker();
    ReplayBroker(const ReplayBroker&) = delete;
    ReplayBroker& operator=(const ReplayBroker&) = delete;

    uint16_t port() const;
    std::string address() const;  // "127.0.0.1:port"
    ReplayScript& script();
    const ReplayScript& script() const;

    bool ok() const { return script().failures().empty(); }
    std::vector<std::string> failures() const { return script().failures(); }
    std::vector<std::string> unserved() const { return script().unserved(); }
    // Failures, then unserved requests, one per line; for test messages.
    std::string report() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reads and parses a kcap file. Throws std::runtime_error naming the file
// (and the line) on failure.
KcapFile load_kcap_file(const std::string& path);

}  // namespace kafka::test
