// kcli proxy: a transparent proxy between any Kafka client and a broker. It
// relays frames as they are, prints them decoded and/or records them as kcap,
// and gives every upstream broker its own listener so that the client keeps
// talking through it (client/proxy.hpp rewrites the addresses).
//
// One io_context thread; each client connection is a Session with its own
// upstream socket. Bounded everywhere: frames are capped, a slow side pauses
// reading from the other, connects time out, and --max-seconds ends the run.
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "args.hpp"
#include "client/proxy.hpp"
#include "commands.hpp"
#include "net/config.hpp"
#include "net/frame.hpp"
#include "protocol/api_names.hpp"
#include "protocol/kcap.hpp"
#include "protocol/registry.hpp"

namespace kcli {
namespace {

using asio::ip::tcp;

const char* kHelp =
    "usage: kcli proxy --listen HOST:PORT --upstream HOST:PORT [--record FILE.kcap] [--print] [-J]\n"
    "                  [--max-seconds N]\n"
    "  Relays Kafka traffic between clients and a broker, frame by frame, untouched except\n"
    "  for the broker addresses in Metadata and FindCoordinator responses: each upstream\n"
    "  broker gets its own listener on the listen host (listen port + 1, + 2, ...; or\n"
    "  ephemeral ports when the listen port is 0), so clients keep talking through the proxy.\n"
    "flags:\n"
    "  --listen HOST:PORT    where clients connect (the bootstrap address to give them)\n"
    "  --upstream HOST:PORT  the broker to bootstrap from\n"
    "  --record FILE         write every frame as kcap (`kcli decode FILE` reads it back);\n"
    "                        responses are recorded as the broker sent them\n"
    "  --print               print every request and response decoded, live (stdout); responses\n"
    "                        are shown as the broker sent them\n"
    "  -J                    with --print: one JSON object per frame\n"
    "  --max-seconds N       stop after N seconds (SIGINT/SIGTERM stop it too)\n"
    "The listen address and one line per broker listener are printed on stderr.\n"
    "SASL tokens (SaslAuthenticate auth_bytes) are relayed but never printed or recorded.\n";

constexpr size_t kMaxFrame = 256u << 20;        // one frame, either direction
constexpr size_t kPauseAbove = 16u << 20;       // stop reading a side when the other lags this far
constexpr auto kConnectTimeout = std::chrono::seconds(10);

// Where frames go besides the other socket: stdout and the kcap file.
class Output {
public:
    bool print = false;
    bool json = false;
    FILE* record = nullptr;

    void conn(int id, const std::string& client, const std::string& broker) {
        if (record) line(kafka::format_kcap_conn({id, client, broker}));
        if (print && !json) std::printf("[conn %d] connected: client %s, broker %s\n", id, client.c_str(), broker.c_str());
        flush();
    }
    void frame(int conn, bool request, const kafka::ProxiedRequest& req, kafka::ByteView bytes) {
        // SASL tokens are relayed as they are but never shown or recorded:
        // only a copy with auth_bytes emptied is (the network layer's trace
        // and recorder withhold them too). A SaslAuthenticate frame that does
        // not decode is left out altogether.
        const bool secret = kafka::carries_credentials(req.api_key);
        kafka::Bytes redacted;
        if (secret) {
            auto r = kafka::redact_credentials(bytes, req, request);
            if (!r) {
                comment("conn " + std::to_string(conn) + ": a " + kafka::api_name(req.api_key) + " " +
                        (request ? "request" : "response") + " that does not decode, not shown (credentials)");
                return;
            }
            redacted = std::move(*r);
            bytes = kafka::ByteView(redacted);
        }
        if (record) {
            kafka::KcapFrame f;
            f.request = request;
            f.conn = conn;
            f.api_key = req.api_key;
            f.api_name = kafka::api_name(req.api_key);
            f.version = req.api_version;
            f.correlation_id = req.correlation_id;
            f.bytes.assign(bytes.begin(), bytes.end());
            line(kafka::format_kcap_frame(f));
        }
        if (print) {
            kafka::DecodedFrame d = request ? kafka::decode_request_frame(bytes)
                                            : kafka::decode_response_frame(bytes, req.api_key, req.api_version);
            if (json) {
                std::string s = kafka::render_frame_json(d);
                s.insert(1, "\"conn\":" + std::to_string(conn) + "," + (secret ? "\"redacted\":true," : ""));
                std::printf("%s\n", s.c_str());
            } else {
                std::string text = kafka::render_frame_text(d);
                if (secret) text.insert(std::min(text.find('\n'), text.size()), " (credentials, not shown)");
                std::printf("[conn %d] %s %s", conn, request ? ">" : "<", text.c_str());
            }
        }
        flush();
    }
    void comment(const std::string& text) {
        if (record) line("# " + text);
        flush();
    }
    void flush() {
        if (record) std::fflush(record);
        if (print) std::fflush(stdout);
    }

private:
    void line(const std::string& s) { std::fprintf(record, "%s\n", s.c_str()); }
};

class Proxy;

// One client connection and its upstream connection.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Proxy& proxy, tcp::socket client, kafka::BrokerEndpoint upstream, int id);
    void start();
    void close();
    int id() const { return id_; }

private:
    // One direction: frames waiting to be written to `to`.
    struct Pipe {
        std::deque<kafka::Bytes> queue;
        size_t queued_bytes = 0;
        bool writing = false;
    };

    void on_connected(std::error_code ec, const std::string& broker);
    void read_client();
    void read_upstream();
    void on_client_bytes(size_t n);
    void on_upstream_bytes(size_t n);
    void send(tcp::socket& to, Pipe& pipe, kafka::Bytes framed);
    void write_next(tcp::socket& to, Pipe& pipe);
    void after_write(Pipe& pipe);
    void drain();
    bool drained() const { return to_client_.queue.empty() && to_upstream_.queue.empty(); }
    void fail(const char* what, std::error_code ec);

    Proxy& proxy_;
    tcp::socket client_;
    tcp::socket upstream_;
    tcp::resolver resolver_;
    asio::steady_timer connect_timer_;
    kafka::BrokerEndpoint upstream_ep_;
    int id_;
    bool closed_ = false;
    bool connected_ = false;
    // One side hung up: close once what it sent has reached the other side.
    bool draining_ = false;
    bool client_paused_ = false, upstream_paused_ = false;
    bool client_reading_ = false, upstream_reading_ = false;
    kafka::ProxyConversation conversation_;
    kafka::net::FrameReader from_client_{kMaxFrame};
    kafka::net::FrameReader from_upstream_{kMaxFrame};
    Pipe to_upstream_, to_client_;
    std::array<uint8_t, 64 * 1024> client_buf_{};
    std::array<uint8_t, 64 * 1024> upstream_buf_{};
};

// The listeners and the sessions.
class Proxy {
public:
    Proxy(asio::io_context& io, Output& out, kafka::net::HostPort listen) : io_(io), out_(out), listen_(std::move(listen)) {}

    // The bootstrap listener. False (and a message) when it cannot bind.
    bool start(const kafka::BrokerEndpoint& upstream) {
        auto local = add_listener(upstream, -1, listen_.port);
        if (!local) return false;
        std::fprintf(stderr, "kcli proxy: listening on %s -> upstream %s\n", local->to_string().c_str(),
                     upstream.to_string().c_str());
        return true;
    }

    // The listener for an upstream broker, made on first sight.
    std::optional<kafka::BrokerEndpoint> endpoint_for(const kafka::BrokerEndpoint& upstream, int32_t node_id) {
        if (stopped_) return std::nullopt;
        auto it = by_upstream_.find(upstream.to_string());
        if (it != by_upstream_.end()) return it->second->local;
        uint16_t port = 0;
        if (listen_.port != 0) port = static_cast<uint16_t>(listen_.port + listeners_.size());
        auto local = add_listener(upstream, node_id, port);
        if (!local && port != 0) local = add_listener(upstream, node_id, 0);
        if (local)
            std::fprintf(stderr, "kcli proxy: broker %d %s -> %s\n", node_id, upstream.to_string().c_str(),
                         local->to_string().c_str());
        return local;
    }

    void stop() {
        if (stopped_) return;
        stopped_ = true;
        for (auto& l : listeners_) {
            std::error_code ignored;
            l->acceptor.close(ignored);
        }
        for (auto& [id, s] : sessions_) s->close();
        sessions_.clear();
    }
    void forget(int id) { sessions_.erase(id); }
    Output& out() { return out_; }
    asio::io_context& io() { return io_; }
    size_t connections() const { return next_id_ - 1; }

private:
    struct Listener {
        explicit Listener(asio::io_context& io) : acceptor(io) {}
        tcp::acceptor acceptor;
        kafka::BrokerEndpoint upstream;
        kafka::BrokerEndpoint local;
    };

    std::optional<kafka::BrokerEndpoint> add_listener(const kafka::BrokerEndpoint& upstream, int32_t node_id,
                                                      uint16_t port) {
        auto l = std::make_unique<Listener>(io_);
        std::error_code ec;
        auto addr = asio::ip::make_address(listen_.host, ec);
        if (ec) {
            std::fprintf(stderr, "kcli proxy: %s is not an IP address\n", listen_.host.c_str());
            return std::nullopt;
        }
        tcp::endpoint ep(addr, port);
        l->acceptor.open(ep.protocol(), ec);
        if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) l->acceptor.bind(ep, ec);
        if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            if (port == 0 || node_id < 0)
                std::fprintf(stderr, "kcli proxy: cannot listen on %s:%u: %s\n", listen_.host.c_str(), port,
                             ec.message().c_str());
            return std::nullopt;
        }
        l->upstream = upstream;
        l->local = {listen_.host, static_cast<int32_t>(l->acceptor.local_endpoint().port())};
        Listener* raw = l.get();
        by_upstream_[upstream.to_string()] = raw;
        listeners_.push_back(std::move(l));
        accept(*raw);
        return raw->local;
    }

    void accept(Listener& l) {
        l.acceptor.async_accept([this, &l](std::error_code ec, tcp::socket s) {
            if (stopped_ || ec == asio::error::operation_aborted) return;
            if (!ec) {
                int id = next_id_++;
                auto session = std::make_shared<Session>(*this, std::move(s), l.upstream, id);
                sessions_[id] = session;
                session->start();
            }
            accept(l);
        });
    }

    asio::io_context& io_;
    Output& out_;
    kafka::net::HostPort listen_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::map<std::string, Listener*> by_upstream_;
    std::map<int, std::shared_ptr<Session>> sessions_;
    int next_id_ = 1;
    bool stopped_ = false;
};

Session::Session(Proxy& proxy, tcp::socket client, kafka::BrokerEndpoint upstream, int id)
    : proxy_(proxy),
      client_(std::move(client)),
      upstream_(proxy.io()),
      resolver_(proxy.io()),
      connect_timer_(proxy.io()),
      upstream_ep_(std::move(upstream)),
      id_(id) {}

void Session::start() {
    auto self = shared_from_this();
    connect_timer_.expires_after(kConnectTimeout);
    connect_timer_.async_wait([self](std::error_code ec) {
        if (!ec && !self->connected_) self->fail("connect to upstream", asio::error::timed_out);
    });
    resolver_.async_resolve(upstream_ep_.host, std::to_string(upstream_ep_.port),
                            [self](std::error_code ec, const tcp::resolver::results_type& results) {
                                if (self->closed_) return;
                                if (ec) return self->fail("resolve upstream", ec);
                                asio::async_connect(self->upstream_, results,
                                                    [self](std::error_code e, const tcp::endpoint& ep) {
                                                        self->on_connected(e, ep.address().to_string() + ":" +
                                                                                  std::to_string(ep.port()));
                                                    });
                            });
}

void Session::on_connected(std::error_code ec, const std::string& broker) {
    if (closed_) return;
    connect_timer_.cancel();
    if (ec) return fail("connect to upstream", ec);
    connected_ = true;
    std::error_code ignored;
    upstream_.set_option(tcp::no_delay(true), ignored);
    client_.set_option(tcp::no_delay(true), ignored);
    std::string client = "?";
    auto peer = client_.remote_endpoint(ignored);
    if (!ignored) client = peer.address().to_string() + ":" + std::to_string(peer.port());
    proxy_.out().conn(id_, client, broker);
    read_client();
    read_upstream();
}

void Session::read_client() {
    if (closed_ || client_reading_) return;
    if (to_upstream_.queued_bytes > kPauseAbove) {
        client_paused_ = true;
        return;
    }
    client_paused_ = false;
    client_reading_ = true;
    client_.async_read_some(asio::buffer(client_buf_), [self = shared_from_this()](std::error_code ec, size_t n) {
        self->client_reading_ = false;
        if (self->closed_) return;
        if (ec == asio::error::eof) return self->drain();  // the client hung up: the usual end
        if (ec == asio::error::connection_reset) return self->fail(nullptr, ec);
        if (ec) return self->fail("read from client", ec);
        self->on_client_bytes(n);
    });
}

void Session::read_upstream() {
    if (closed_ || upstream_reading_) return;
    if (to_client_.queued_bytes > kPauseAbove) {
        upstream_paused_ = true;
        return;
    }
    upstream_paused_ = false;
    upstream_reading_ = true;
    upstream_.async_read_some(asio::buffer(upstream_buf_), [self = shared_from_this()](std::error_code ec, size_t n) {
        self->upstream_reading_ = false;
        if (self->closed_) return;
        if (ec == asio::error::eof) return self->drain();
        if (ec) return self->fail("read from upstream", ec);
        self->on_upstream_bytes(n);
    });
}

void Session::on_client_bytes(size_t n) {
    from_client_.append(kafka::ByteView(client_buf_.data(), n));
    while (auto frame = from_client_.next()) {
        if (conversation_.take_raw_sasl_token()) {
            proxy_.out().comment("conn " + std::to_string(id_) + ": a raw SASL token (after SaslHandshake v0), " +
                                 std::to_string(frame->size()) + " bytes, forwarded, not shown");
            send(upstream_, to_upstream_, kafka::with_size_prefix(*frame));
            continue;
        }
        auto req = conversation_.on_request(*frame);
        if (req) proxy_.out().frame(id_, true, *req, *frame);
        else proxy_.out().comment("conn " + std::to_string(id_) + ": a request too short to name its API, forwarded");
        send(upstream_, to_upstream_, kafka::with_size_prefix(*frame));
    }
    if (from_client_.error()) return fail("frame from client", from_client_.error());
    read_client();
}

void Session::on_upstream_bytes(size_t n) {
    from_upstream_.append(kafka::ByteView(upstream_buf_.data(), n));
    while (auto frame = from_upstream_.next()) {
        auto req = conversation_.on_response(*frame);
        if (!req) {
            proxy_.out().comment("conn " + std::to_string(id_) + ": a response that answers no request, forwarded");
            send(client_, to_client_, kafka::with_size_prefix(*frame));
            continue;
        }
        proxy_.out().frame(id_, false, *req, *frame);
        if (kafka::carries_broker_addresses(req->api_key)) {
            auto rewritten = kafka::rewrite_broker_addresses(
                *frame, *req, [this](const kafka::BrokerEndpoint& up, int32_t node) { return proxy_.endpoint_for(up, node); });
            if (!rewritten) {
                std::fprintf(stderr, "kcli proxy: conn %d: %s v%d response corr=%d does not decode (%s): forwarded as is\n",
                             id_, kafka::api_name(req->api_key).c_str(), req->api_version, req->correlation_id,
                             rewritten.error().message().c_str());
            } else if (*rewritten) {
                send(client_, to_client_, kafka::with_size_prefix(**rewritten));
                continue;
            }
        }
        send(client_, to_client_, kafka::with_size_prefix(*frame));
    }
    if (from_upstream_.error()) return fail("frame from upstream", from_upstream_.error());
    read_upstream();
}

void Session::send(tcp::socket& to, Pipe& pipe, kafka::Bytes framed) {
    pipe.queued_bytes += framed.size();
    pipe.queue.push_back(std::move(framed));
    if (!pipe.writing) write_next(to, pipe);
}

void Session::write_next(tcp::socket& to, Pipe& pipe) {
    if (closed_ || pipe.queue.empty()) return;
    pipe.writing = true;
    asio::async_write(to, asio::buffer(pipe.queue.front()),
                      [self = shared_from_this(), &to, &pipe](std::error_code ec, size_t) {
                          pipe.writing = false;
                          if (self->closed_) return;
                          if (ec) return self->fail(&to == &self->client_ ? "write to client" : "write to upstream", ec);
                          pipe.queued_bytes -= pipe.queue.front().size();
                          pipe.queue.pop_front();
                          if (self->draining_ && self->drained()) return self->fail(nullptr, {});
                          self->write_next(to, pipe);
                          self->after_write(pipe);
                      });
}

void Session::after_write(Pipe& pipe) {
    if (&pipe == &to_upstream_ && client_paused_) read_client();
    if (&pipe == &to_client_ && upstream_paused_) read_upstream();
}

void Session::drain() {
    draining_ = true;
    if (drained()) fail(nullptr, {});
}

void Session::fail(const char* what, std::error_code ec) {
    if (closed_) return;
    if (what) std::fprintf(stderr, "kcli proxy: conn %d: %s: %s\n", id_, what, ec.message().c_str());
    close();
    proxy_.forget(id_);
}

void Session::close() {
    if (closed_) return;
    closed_ = true;
    std::error_code ignored;
    connect_timer_.cancel();
    resolver_.cancel();
    client_.close(ignored);
    upstream_.close(ignored);
}

}  // namespace

int cmd_proxy(int argc, char** argv) {
    Args args(argc, argv, {"--listen", "--upstream", "--record", "--max-seconds"});
    if (args.has("--help") || args.has("-h")) {
        std::printf("%s", kHelp);
        return 0;
    }
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli proxy: %s\n", args.error().c_str());
        return 2;
    }
    if (auto bad = args.unknown({"--print", "-J"}); !bad.empty() || !args.positional().empty()) {
        std::fprintf(stderr, "kcli proxy: unknown argument '%s'\n%s",
                     (bad.empty() ? args.positional()[0] : bad[0]).c_str(), kHelp);
        return 2;
    }
    auto listen_arg = args.get("--listen");
    auto upstream_arg = args.get("--upstream");
    if (!listen_arg || !upstream_arg) {
        std::fprintf(stderr, "kcli proxy: --listen and --upstream are required\n%s", kHelp);
        return 2;
    }
    // Port 0 (ephemeral) is fine for the listen address, not for a broker's.
    auto listen = kafka::net::parse_host_port(*listen_arg);
    if (!listen && listen_arg->size() > 2 && listen_arg->compare(listen_arg->size() - 2, 2, ":0") == 0)
        listen = kafka::net::HostPort{listen_arg->substr(0, listen_arg->size() - 2), 0};
    auto upstream = kafka::net::parse_host_port(*upstream_arg);
    if (!listen || !upstream) {
        std::fprintf(stderr, "kcli proxy: %s is not HOST:PORT\n", (!listen ? *listen_arg : *upstream_arg).c_str());
        return 2;
    }
    long max_seconds = 0;
    if (auto s = args.get("--max-seconds")) {
        char* end = nullptr;
        max_seconds = std::strtol(s->c_str(), &end, 10);
        if (!end || *end || max_seconds <= 0) {
            std::fprintf(stderr, "kcli proxy: --max-seconds wants a positive number\n");
            return 2;
        }
    }

    Output out;
    out.print = args.has("--print");
    out.json = args.has("-J");
    if (auto path = args.get("--record")) {
        out.record = std::fopen(path->c_str(), "w");
        if (!out.record) {
            std::fprintf(stderr, "kcli proxy: cannot write %s\n", path->c_str());
            return 1;
        }
        std::fprintf(out.record, "# kcap v1\n# recorded by kcli proxy: upstream %s:%u\n", upstream->host.c_str(),
                     upstream->port);
        std::fprintf(out.record,
                     "# note: Metadata and FindCoordinator responses are recorded as the broker sent them; "
                     "clients saw the proxy's addresses in them\n");
        std::fprintf(out.record,
                     "# note: SaslAuthenticate frames are recorded with auth_bytes emptied: credentials are "
                     "never written\n");
        std::fflush(out.record);
    }

    asio::io_context io(1);
    Proxy proxy(io, out, *listen);
    if (!proxy.start({upstream->host, upstream->port})) {
        if (out.record) std::fclose(out.record);
        return 1;
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer deadline(io);
    auto shutdown = [&] {
        proxy.stop();
        signals.cancel();
        deadline.cancel();
    };
    signals.async_wait([&](std::error_code ec, int) {
        if (!ec) shutdown();
    });
    if (max_seconds > 0) {
        deadline.expires_after(std::chrono::seconds(max_seconds));
        deadline.async_wait([&](std::error_code ec) {
            if (!ec) shutdown();
        });
    }
    io.run();
    std::fprintf(stderr, "kcli proxy: stopped after %zu connection(s)\n", proxy.connections());
    if (out.record) std::fclose(out.record);
    return 0;
}

}  // namespace kcli
