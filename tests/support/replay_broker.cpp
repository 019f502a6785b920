#include "tests/support/replay_broker.hpp"

// Standard headers before Asio's (see net/connection.hpp).
#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "protocol/api_names.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/metadata.hpp"

namespace kafka::test {
namespace {

constexpr int16_t kApiVersions = 18;
constexpr int16_t kSaslHandshake = 17;
constexpr int16_t kSaslAuthenticate = 36;
constexpr int16_t kMetadata = 3;
constexpr int16_t kFindCoordinator = 10;
constexpr size_t kMaxFrame = 100 * 1024 * 1024;

// ---------------------------------------------------------------- diffs

std::string value_text(const FieldNode& n) {
    switch (n.kind) {
    case FieldNode::Kind::string: return json_quote(n.text);
    case FieldNode::Kind::bytes:
        if (n.text.size() > 128) return "0x" + n.text.substr(0, 128) + "... (" + std::to_string(n.text.size() / 2) + " bytes)";
        return "0x" + n.text;
    case FieldNode::Kind::null: return "null";
    case FieldNode::Kind::number:
    case FieldNode::Kind::boolean: return n.text;
    case FieldNode::Kind::object:
    case FieldNode::Kind::array: {
        std::string j = render_json(n);
        if (j.size() > 160) j = j.substr(0, 160) + "...";
        return j;
    }
    }
    return n.text;
}

std::string child_path(const std::string& parent, const std::string& name) {
    return parent.empty() ? name : parent + "." + name;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// SCRAM client messages: client-first "n,,..." and client-final "c=..."
// (RFC 5802), as hex, the way a bytes field is kept in a FieldNode.
const char* scram_kind(const std::string& hex) {
    if (starts_with(hex, "6e2c2c")) return "client-first";
    if (starts_with(hex, "633d")) return "client-final";
    return nullptr;
}

struct DiffContext {
    int16_t api_key;
    const std::vector<std::string>& ignore;

    // The fields that must differ between the recording and our client.
    bool skipped(const std::string& path, const FieldNode& recorded, const FieldNode& got) const {
        if (path == "header.correlation_id" || path == "header.client_id") return true;
        if (api_key == kApiVersions && (path == "body.client_software_name" || path == "body.client_software_version"))
            return true;
        if (api_key == kSaslAuthenticate && path == "body.auth_bytes") {
            // kcli proxy records SaslAuthenticate with its auth_bytes emptied,
            // so that no recording holds a password: nothing to compare then.
            if (recorded.kind == FieldNode::Kind::bytes && recorded.text.empty()) return true;
            // SCRAM nonces are random: only the shape can match.
            const char* a = scram_kind(recorded.text);
            const char* b = scram_kind(got.text);
            if (a && b && std::string(a) == b) return true;
        }
        for (const auto& p : ignore)
            if (path_matches(p, path)) return true;
        return false;
    }
};

FieldDiff make_diff(std::string path, const FieldNode* recorded, const FieldNode* got) {
    return FieldDiff{std::move(path), recorded ? value_text(*recorded) : "<absent>", got ? value_text(*got) : "<absent>"};
}

std::optional<FieldDiff> diff_nodes(const FieldNode& a, const FieldNode& b, const std::string& path,
                                    const DiffContext& ctx) {
    if (ctx.skipped(path, a, b)) return std::nullopt;
    if (a.kind != b.kind) return make_diff(path, &a, &b);
    switch (a.kind) {
    case FieldNode::Kind::number:
    case FieldNode::Kind::boolean:
    case FieldNode::Kind::string:
    case FieldNode::Kind::bytes:
    case FieldNode::Kind::null:
        if (a.text != b.text) return make_diff(path, &a, &b);
        return std::nullopt;
    case FieldNode::Kind::array: {
        size_t n = std::min(a.children.size(), b.children.size());
        for (size_t i = 0; i < n; ++i) {
            if (auto d = diff_nodes(a.children[i], b.children[i], path + "[" + std::to_string(i) + "]", ctx)) return d;
        }
        if (a.children.size() != b.children.size()) {
            return FieldDiff{path, std::to_string(a.children.size()) + " items",
                             std::to_string(b.children.size()) + " items"};
        }
        return std::nullopt;
    }
    case FieldNode::Kind::object: {
        // Fields in schema order; matched by name (and tag, for unknown
        // tagged fields) so that one missing field does not shift the rest.
        std::vector<bool> seen(b.children.size(), false);
        for (const auto& ca : a.children) {
            const FieldNode* cb = nullptr;
            for (size_t j = 0; j < b.children.size(); ++j) {
                if (!seen[j] && b.children[j].name == ca.name && b.children[j].tag == ca.tag) {
                    seen[j] = true;
                    cb = &b.children[j];
                    break;
                }
            }
            std::string p = child_path(path, ca.name);
            if (!cb) {
                if (ctx.skipped(p, ca, ca)) continue;
                return make_diff(p, &ca, nullptr);
            }
            if (auto d = diff_nodes(ca, *cb, p, ctx)) return d;
        }
        for (size_t j = 0; j < b.children.size(); ++j) {
            if (seen[j]) continue;
            std::string p = child_path(path, b.children[j].name);
            if (ctx.skipped(p, b.children[j], b.children[j])) continue;
            return make_diff(p, nullptr, &b.children[j]);
        }
        return std::nullopt;
    }
    }
    return std::nullopt;
}

std::string frame_name(int16_t api_key, int16_t version) {
    return api_name(api_key) + " v" + std::to_string(version);
}

void put_i32(Bytes& b, size_t at, int32_t v) {
    auto u = static_cast<uint32_t>(v);
    b[at] = static_cast<uint8_t>(u >> 24);
    b[at + 1] = static_cast<uint8_t>(u >> 16);
    b[at + 2] = static_cast<uint8_t>(u >> 8);
    b[at + 3] = static_cast<uint8_t>(u);
}

int16_t response_header_version_of(int16_t api_key, int16_t version) {
    const ApiCodec* c = find_codec(api_key);
    return response_header_version(api_key, version, c ? c->first_flexible : kNeverFlexible);
}

// Decodes a response body as M, lets `edit` change it, and encodes it again
// behind the original header. Returns false (and leaves `frame` alone) when
// the body does not decode or nothing changed.
template <class M, class Edit>
bool rewrite_body(Bytes& frame, int16_t api_key, int16_t version, Edit edit) {
    Reader r(frame);
    if (!ResponseHeader::decode(r, response_header_version_of(api_key, version))) return false;
    size_t body_at = r.position();
    auto m = M::decode(r, version);
    if (!m || r.finish()) return false;
    if (!edit(*m)) return false;
    Writer w;
    w.raw(ByteView(frame).subview(0, body_at));
    m->encode(w, version);
    if (!w.ok()) return false;
    frame = w.take();
    return true;
}

}  // namespace

// ---------------------------------------------------------------- public diff API

bool path_matches(const std::string& pattern, const std::string& path) {
    size_t i = 0, j = 0;
    while (i < pattern.size()) {
        if (pattern.compare(i, 3, "[*]") == 0) {
            if (j >= path.size() || path[j] != '[') return false;
            size_t close = path.find(']', j);
            if (close == std::string::npos) return false;
            i += 3;
            j = close + 1;
            continue;
        }
        if (j >= path.size() || pattern[i] != path[j]) return false;
        ++i;
        ++j;
    }
    // The pattern names this field or one of its parents.
    return j == path.size() || path[j] == '.' || path[j] == '[';
}

std::string FieldDiff::describe() const { return path + ": recorded " + recorded + ", got " + got; }

std::optional<FieldDiff> diff_requests(const DecodedFrame& recorded, const DecodedFrame& got,
                                       const std::vector<std::string>& ignore) {
    DiffContext ctx{recorded.api_key, ignore};
    if (auto d = diff_nodes(recorded.header, got.header, "header", ctx)) return d;
    if (got.error && !recorded.error) {
        std::string field = got.error_field.empty() ? "body" : "body." + got.error_field;
        return FieldDiff{field, "a well-formed field", "does not decode (" + got.error.message() + ")"};
    }
    return diff_nodes(recorded.body, got.body, "body", ctx);
}

// ---------------------------------------------------------------- the script

struct ReplayScript::Session {
    bool started = false;                // candidates filled in
    std::vector<size_t> candidates;      // recorded connections still matching, before commit
    std::map<size_t, size_t> cursor;     // per candidate: its next exchange
    std::map<size_t, std::vector<size_t>> matched;  // per candidate: exchanges matched so far
    std::optional<size_t> committed;
    bool failed = false;
    bool closed = false;
};

ReplayScript::ReplayScript(KcapFile recording, ReplayOptions options) : opts_(std::move(options)) {
    std::map<int, size_t> by_id;
    auto conn_for = [&](int id) -> ReplayConnection& {
        auto it = by_id.find(id);
        if (it == by_id.end()) {
            it = by_id.emplace(id, conns_.size()).first;
            conns_.push_back(ReplayConnection{});
            conns_.back().id = id;
        }
        return conns_[it->second];
    };
    for (const auto& c : recording.conns) conn_for(c.id);

    // Pair each response with its request: same connection, same correlation id.
    for (auto& f : recording.frames) {
        ReplayConnection& c = conn_for(f.conn);
        if (f.request) {
            if (f.api_key == kApiVersions) {  // answered from the responses, below
                if (!c.script.empty()) c.trailing_api_versions = true;
                continue;
            }
            c.trailing_api_versions = false;
            ReplayExchange ex;
            ex.decoded = decode_request_frame(f.bytes);
            ex.request = f;
            c.script.push_back(std::move(ex));
            if (pinned_.find(f.api_key) == pinned_.end()) pinned_[f.api_key] = f.version;
            continue;
        }
        if (f.api_key == kApiVersions) {
            Reader r(f.bytes);
            r.skip(4);  // the ApiVersions response header is always v0
            int16_t error_code = r.i16();
            if (!r.ok()) continue;
            if (error_code == static_cast<int16_t>(errc::unsupported_version)) {
                if (!c.api_versions_error) c.api_versions_error = f;
            } else if (error_code == 0) {
                c.api_versions = f;
                if (!fallback_api_versions_) fallback_api_versions_ = f;
            }
            continue;
        }
        for (auto it = c.script.rbegin(); it != c.script.rend(); ++it) {
            if (it->request.correlation_id == f.correlation_id && !it->response) {
                it->response = f;
                break;
            }
        }
    }
    used_.assign(conns_.size(), false);
    served_.assign(conns_.size(), {});
    for (size_t i = 0; i < conns_.size(); ++i) served_[i].assign(conns_[i].script.size(), false);
}

ReplayScript::~ReplayScript() = default;

void ReplayScript::set_advertised_address(std::string host, uint16_t port) {
    std::lock_guard<std::mutex> lock(mu_);
    advertised_host_ = std::move(host);
    advertised_port_ = port;
}

int ReplayScript::open_session() {
    std::lock_guard<std::mutex> lock(mu_);
    int id = next_session_++;
    sessions_[id] = std::make_unique<Session>();
    return id;
}

void ReplayScript::close_session(int session) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session);
    if (it != sessions_.end()) it->second->closed = true;
}

ReplayResult ReplayScript::on_request(int session, ByteView frame) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session);
    if (it == sessions_.end() || it->second->failed || it->second->closed) return ReplayResult{{}, true};
    return handle(*it->second, session, frame);
}

std::vector<std::string> ReplayScript::failures() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failures_;
}

std::vector<std::string> ReplayScript::events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
}

size_t ReplayScript::requests_served() const {
    std::lock_guard<std::mutex> lock(mu_);
    return served_count_;
}

std::vector<std::string> ReplayScript::unserved() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (size_t c = 0; c < conns_.size(); ++c) {
        for (size_t i = 0; i < conns_[c].script.size(); ++i) {
            const auto& req = conns_[c].script[i].request;
            if (served_[c][i] || opts_.optional_apis.count(req.api_key)) continue;
            out.push_back("conn " + std::to_string(conns_[c].id) + ": " + frame_name(req.api_key, req.version) +
                          " (line " + std::to_string(req.line) + ")");
        }
    }
    return out;
}

bool ReplayScript::is_handshake(int16_t api_key) const {
    return api_key == kSaslHandshake || api_key == kSaslAuthenticate;
}

ReplayResult ReplayScript::fail(Session& s, std::string message) {
    s.failed = true;
    failures_.push_back(std::move(message));
    return ReplayResult{{}, true};
}

ReplayScript::Match ReplayScript::match(const ReplayConnection& conn, size_t from, const DecodedFrame& got) const {
    for (size_t i = from; i < conn.script.size(); ++i) {
        const ReplayExchange& ex = conn.script[i];
        auto d = diff_requests(ex.decoded, got, opts_.ignore);
        if (!d) return Match{i, std::nullopt, &ex};
        // A recorded request our client need not send (client telemetry).
        if (opts_.optional_apis.count(ex.request.api_key) && ex.request.api_key != got.api_key) continue;
        return Match{std::nullopt, d, &ex};
    }
    return Match{};
}

Bytes ReplayScript::response_for(const KcapFrame& recorded, int32_t correlation_id) const {
    Bytes out = recorded.bytes;
    if (out.size() >= 4) put_i32(out, 0, correlation_id);  // every response header starts with it
    if (!opts_.rewrite_broker_addresses || advertised_port_ == 0) return out;
    const std::string host = advertised_host_;
    const int32_t port = advertised_port_;
    auto point = [&](std::string& h, int32_t& p) {
        bool changed = h != host || p != port;
        h = host;
        p = port;
        return changed;
    };
    if (recorded.api_key == kMetadata) {
        rewrite_body<MetadataResponse>(out, recorded.api_key, recorded.version, [&](MetadataResponse& m) {
            bool changed = false;
            for (auto& b : m.brokers) changed |= point(b.host, b.port);
            return changed;
        });
    } else if (recorded.api_key == kFindCoordinator) {
        rewrite_body<FindCoordinatorResponse>(out, recorded.api_key, recorded.version,
                                              [&](FindCoordinatorResponse& m) {
                                                  bool changed = false;
                                                  if (recorded.version <= 3 && m.error_code == 0)
                                                      changed |= point(m.host, m.port);
                                                  for (auto& c : m.coordinators)
                                                      if (c.error_code == 0) changed |= point(c.host, c.port);
                                                  return changed;
                                              });
    }
    return out;
}

ReplayResult ReplayScript::handle(Session& s, int session_id, ByteView frame) {
    const std::string who = "session " + std::to_string(session_id);
    DecodedFrame got = decode_request_frame(frame);
    const std::string what = frame_name(got.api_key, got.api_version) + " request corr=" +
                             std::to_string(got.correlation_id);
    if (got.error && got.error_field.rfind("header", 0) == 0)
        return fail(s, who + ": a request whose header does not decode (" + got.error.message() + ")");

    if (!s.started) {
        s.started = true;
        for (size_t c = 0; c < conns_.size(); ++c) {
            if (used_[c]) continue;
            s.candidates.push_back(c);
            s.cursor[c] = 0;
        }
    }
    if (!s.committed) {
        // Another session may have taken a candidate meanwhile.
        s.candidates.erase(std::remove_if(s.candidates.begin(), s.candidates.end(), [&](size_t c) { return used_[c]; }),
                           s.candidates.end());
    }

    if (got.api_key == kApiVersions) return answer_api_versions(s, session_id, got);

    if (!s.committed) {
        if (s.candidates.empty())
            return fail(s, who + ": " + what + ": no recorded connection left to match (" +
                               std::to_string(conns_.size()) + " recorded, all in use)");
        std::vector<size_t> still;
        std::optional<std::pair<size_t, Match>> closest;
        int best = -1;
        for (size_t c : s.candidates) {
            Match m = match(conns_[c], s.cursor[c], got);
            if (m.index) {
                still.push_back(c);
                s.cursor[c] = *m.index + 1;
                s.matched[c].push_back(*m.index);
                continue;
            }
            // Report the miss against the closest candidate: one that
            // expected the same API, differing deepest in the message.
            int score = 0;
            if (m.compared && m.compared->request.api_key == got.api_key) score += 1000;
            if (m.diff) score += static_cast<int>(std::count_if(m.diff->path.begin(), m.diff->path.end(),
                                                                [](char ch) { return ch == '.' || ch == '['; }));
            if (score > best) {
                best = score;
                closest = std::make_pair(c, m);
            }
        }
        if (still.empty()) {
            const auto& [c, m] = *closest;
            if (!m.compared)
                return fail(s, who + ": " + what + " has no recorded counterpart (recorded conn " +
                                   std::to_string(conns_[c].id) + " has no more requests)");
            return fail(s, who + ": " + what + " matches no unused recorded connection; against conn " +
                               std::to_string(conns_[c].id) + " (kcap line " + std::to_string(m.compared->request.line) +
                               "): " + m.diff->describe());
        }
        s.candidates = still;
        size_t c = still.front();
        if (is_handshake(got.api_key)) {
            // Not decided yet: answer as the first candidate would.
            const ReplayExchange& ex = conns_[c].script[s.cursor[c] - 1];
            ++served_count_;
            ReplayResult out;
            if (ex.response) out.frames.push_back(response_for(*ex.response, got.correlation_id));
            return out;
        }
        // The first request after the handshake decides.
        s.committed = c;
        used_[c] = true;
        for (size_t i : s.matched[c]) served_[c][i] = true;
        events_.push_back(who + ": is recorded conn " + std::to_string(conns_[c].id));
        return reply(s, session_id, c, s.cursor[c] - 1, got);
    }

    const size_t c = *s.committed;
    const ReplayConnection& conn = conns_[c];
    Match m = match(conn, s.cursor[c], got);
    if (!m.index) {
        if (!m.compared)
            return fail(s, who + " (recorded conn " + std::to_string(conn.id) + "): " + what +
                               " has no recorded counterpart: the recording has no more requests on this connection");
        return fail(s, who + " (recorded conn " + std::to_string(conn.id) + "): " + what +
                           " differs from kcap line " + std::to_string(m.compared->request.line) + " at " +
                           m.diff->describe());
    }
    s.cursor[c] = *m.index + 1;
    served_[c][*m.index] = true;
    return reply(s, session_id, c, *m.index, got);
}

ReplayResult ReplayScript::reply(Session& s, int session_id, size_t c, size_t index, const DecodedFrame& got) {
    const ReplayConnection& conn = conns_[c];
    ++served_count_;
    ReplayResult out;
    const ReplayExchange& ex = conn.script[index];
    if (ex.response) out.frames.push_back(response_for(*ex.response, got.correlation_id));
    // The end of the script: nothing left but requests our client need not send.
    bool more = false;
    for (size_t i = s.cursor[c]; i < conn.script.size() && !more; ++i)
        more = !opts_.optional_apis.count(conn.script[i].request.api_key);
    if (!more && !conn.trailing_api_versions) {
        out.close = true;
        events_.push_back("session " + std::to_string(session_id) + ": end of recorded conn " +
                          std::to_string(conn.id) + ", closing");
    }
    return out;
}

// How the replay pins versions: it answers ApiVersions with the recorded
// answer, narrowed so that every API the recorded client used is advertised
// at exactly the version it used. Our client picks the highest version both
// sides support, so it sends the versions of the recording, and the requests
// can be compared field by field. ApiVersions itself is left alone, and is
// not compared (its only fields are the client software name and version):
// a client asking a version beyond the recorded broker's range gets the
// broker's recorded UNSUPPORTED_VERSION answer, so the fallback of KIP-511
// runs as it did against that broker.
ReplayResult ReplayScript::answer_api_versions(Session& s, int session_id, const DecodedFrame& got) {
    const std::string who = "session " + std::to_string(session_id);
    const ReplayConnection* conn = nullptr;
    if (s.committed) conn = &conns_[*s.committed];
    else if (!s.candidates.empty()) conn = &conns_[s.candidates.front()];

    const KcapFrame* success = conn && conn->api_versions ? &*conn->api_versions
                               : fallback_api_versions_   ? &*fallback_api_versions_
                                                          : nullptr;
    if (!success) return fail(s, who + ": ApiVersions: the recording has no successful ApiVersions response");
    Reader r(success->bytes);
    r.skip(4);  // header v0: correlation id only
    auto resp = ApiVersionsResponse::decode(r, success->version);
    if (!resp) return fail(s, who + ": ApiVersions: the recorded response does not decode");

    const int16_t asked = got.api_version;
    const auto* own = resp->find(kApiVersions);
    if (own && asked > own->max_version) {
        ReplayResult out;
        if (conn && conn->api_versions_error) {
            out.frames.push_back(response_for(*conn->api_versions_error, got.correlation_id));
            events_.push_back(who + ": ApiVersions v" + std::to_string(asked) + " -> recorded UNSUPPORTED_VERSION");
        } else {
            // KIP-511: the error, with the broker's own ApiVersions range, in a v0 body.
            ApiVersionsResponse e;
            e.error_code = static_cast<int16_t>(errc::unsupported_version);
            e.api_keys.push_back(*own);
            Writer w;
            w.i32(got.correlation_id);
            e.encode(w, 0);
            out.frames.push_back(w.take());
            events_.push_back(who + ": ApiVersions v" + std::to_string(asked) + " -> UNSUPPORTED_VERSION (made up)");
        }
        return out;
    }

    for (auto& a : resp->api_keys) {
        auto p = pinned_.find(a.api_key);
        if (p == pinned_.end() || a.api_key == kApiVersions) continue;
        a.min_version = p->second;
        a.max_version = p->second;
    }
    if (asked < 3) {  // the feature fields are v3+
        resp->supported_features.clear();
        resp->finalized_features_epoch = -1;
        resp->finalized_features.clear();
        resp->zk_migration_ready = false;
        resp->unknown_tags.clear();
        for (auto& a : resp->api_keys) a.unknown_tags.clear();
    }
    Writer w;
    w.i32(got.correlation_id);
    resp->encode(w, asked);
    if (!w.ok())
        return fail(s, who + ": ApiVersions: cannot answer v" + std::to_string(asked) + " (" + w.error().message() + ")");
    events_.push_back(who + ": ApiVersions v" + std::to_string(asked) + " -> recorded v" +
                      std::to_string(success->version) + " answer, versions pinned");
    ReplayResult out;
    out.frames.push_back(w.take());
    return out;
}

// ---------------------------------------------------------------- the server

// Named, not anonymous: ReplayBroker::Impl holds these.
namespace replay_detail {

class ReplaySocket : public std::enable_shared_from_this<ReplaySocket> {
public:
    ReplaySocket(asio::ip::tcp::socket socket, ReplayScript& script)
        : socket_(std::move(socket)), script_(script), session_(script.open_session()) {}

    void start() { read_size(); }
    void close() {
        std::error_code ignored;
        socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

private:
    void read_size() {
        auto self = shared_from_this();
        asio::async_read(socket_, asio::buffer(size_), [self](std::error_code ec, size_t) {
            if (ec) return self->end();
            uint32_t n = (uint32_t{self->size_[0]} << 24) | (uint32_t{self->size_[1]} << 16) |
                         (uint32_t{self->size_[2]} << 8) | uint32_t{self->size_[3]};
            if (n > kMaxFrame) return self->end();
            self->frame_.resize(n);
            self->read_frame();
        });
    }
    void read_frame() {
        auto self = shared_from_this();
        asio::async_read(socket_, asio::buffer(frame_), [self](std::error_code ec, size_t) {
            if (ec) return self->end();
            ReplayResult r = self->script_.on_request(self->session_, self->frame_);
            self->reply(std::move(r));
        });
    }
    void reply(ReplayResult r) {
        out_.clear();
        for (const auto& f : r.frames) {
            auto n = static_cast<uint32_t>(f.size());
            out_.push_back(static_cast<uint8_t>(n >> 24));
            out_.push_back(static_cast<uint8_t>(n >> 16));
            out_.push_back(static_cast<uint8_t>(n >> 8));
            out_.push_back(static_cast<uint8_t>(n));
            out_.insert(out_.end(), f.begin(), f.end());
        }
        bool close_after = r.close;
        if (out_.empty()) {
            if (close_after) return end();
            return read_size();
        }
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(out_), [self, close_after](std::error_code ec, size_t) {
            if (ec || close_after) return self->end();
            self->read_size();
        });
    }
    void end() {
        script_.close_session(session_);
        close();
    }

    asio::ip::tcp::socket socket_;
    ReplayScript& script_;
    int session_;
    std::array<uint8_t, 4> size_{};
    Bytes frame_;
    Bytes out_;
};

}  // namespace replay_detail

using replay_detail::ReplaySocket;

struct ReplayBroker::Impl {
    asio::io_context io;
    asio::ip::tcp::acceptor acceptor{io};
    ReplayScript script;
    std::vector<std::weak_ptr<ReplaySocket>> sockets;
    uint16_t port = 0;
    std::thread thread;

    Impl(KcapFile recording, ReplayOptions options) : script(std::move(recording), std::move(options)) {}

    void accept() {
        acceptor.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
            if (ec) return;  // closed
            auto sock = std::make_shared<ReplaySocket>(std::move(s), script);
            sockets.push_back(sock);
            sock->start();
            accept();
        });
    }
};

ReplayBroker::ReplayBroker(KcapFile recording, ReplayOptions options)
    : impl_(std::make_unique<Impl>(std::move(recording), std::move(options))) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    impl_->script.set_advertised_address("127.0.0.1", impl_->port);
    impl_->accept();
    impl_->thread = std::thread([io = &impl_->io] { io->run(); });
}

ReplayBroker::~ReplayBroker() {
    Impl* impl = impl_.get();
    asio::post(impl->io, [impl] {
        std::error_code ignored;
        impl->acceptor.close(ignored);
        for (auto& w : impl->sockets)
            if (auto s = w.lock()) s->close();
    });
    impl->thread.join();
}

uint16_t ReplayBroker::port() const { return impl_->port; }

std::string ReplayBroker::address() const { return "127.0.0.1:" + std::to_string(port()); }
ReplayScript& ReplayBroker::script() { return impl_->script; }
const ReplayScript& ReplayBroker::script() const { return impl_->script; }

std::string ReplayBroker::report() const {
    std::string s;
    for (const auto& f : script().failures()) s += "replay failure: " + f + "\n";
    for (const auto& u : script().unserved()) s += "not served: " + u + "\n";
    for (const auto& e : script().events()) s += "  " + e + "\n";
    return s;
}

KcapFile load_kcap_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    size_t line = 0;
    auto f = parse_kcap(ss.str(), &line);
    if (!f) throw std::runtime_error(path + ":" + std::to_string(line) + ": " + f.error().message());
    return std::move(*f);
}

}  // namespace kafka::test
