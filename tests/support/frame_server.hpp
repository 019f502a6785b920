// A blocking server of Kafka frames for the small test brokers written with
// our codec (the sequence-checking FakeBroker, the recorded group broker). It
// listens on 127.0.0.1 (an ephemeral port), serves each connection on a
// thread of its own, hands every request frame (without its size prefix) to
// the handler and writes back what it returns. The destructor stops it and
// joins every thread; declare it as the last member of its owner, so that it
// goes first and the handler never sees a half-destroyed owner.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/errors.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/types.hpp"
#include "protocol/writer.hpp"

namespace kafka::test {

class FrameServer {
public:
    struct Reply {
        Bytes frame;           // with its size prefix; empty: nothing to send (acks=0)
        bool hang_up = false;  // close the connection after sending `frame`
    };
    using Handler = std::function<Reply(const Bytes& request)>;

    explicit FrameServer(Handler handler) : handler_(std::move(handler)), acceptor_(io_) {
        asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~FrameServer() {
        stop_ = true;
        std::error_code ec;
        {
            asio::ip::tcp::socket wake(io_);  // wakes the accept() blocked in accept_loop
            wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
        }
        if (accept_thread_.joinable()) accept_thread_.join();
        acceptor_.close(ec);
        {
            // shutdown() wakes the threads blocked reading these sockets.
            std::lock_guard<std::mutex> lock(mu_);
            for (auto& s : sockets_) s->shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        }
        for (auto& t : threads_) t.join();
    }
    FrameServer(const FrameServer&) = delete;
    FrameServer& operator=(const FrameServer&) = delete;

    uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    void accept_loop() {
        while (!stop_) {
            auto sock = std::make_shared<asio::ip::tcp::socket>(io_);
            std::error_code ec;
            acceptor_.accept(*sock, ec);
            if (ec || stop_) return;
            std::lock_guard<std::mutex> lock(mu_);
            sockets_.push_back(sock);
            threads_.emplace_back([this, sock] { serve(*sock); });
        }
    }

    void serve(asio::ip::tcp::socket& sock) {
        std::error_code ec;
        while (!stop_) {
            uint8_t size_buf[4];
            asio::read(sock, asio::buffer(size_buf), ec);
            if (ec) return;
            const uint32_t size = (uint32_t(size_buf[0]) << 24) | (uint32_t(size_buf[1]) << 16) |
                                  (uint32_t(size_buf[2]) << 8) | size_buf[3];
            Bytes frame(size);
            asio::read(sock, asio::buffer(frame), ec);
            if (ec) return;
            Reply reply = handler_(frame);
            if (!reply.frame.empty()) asio::write(sock, asio::buffer(reply.frame), ec);
            if (ec || reply.hang_up) {
                std::lock_guard<std::mutex> lock(mu_);  // the destructor shuts sockets down under it
                sock.close(ec);
                return;
            }
        }
    }

    Handler handler_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread accept_thread_;
    std::mutex mu_;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets_;
    std::vector<std::thread> threads_;
};

// A whole response frame, size prefix included, at `version`.
template <class Resp>
Bytes encode_response_frame(int32_t correlation_id, int16_t version, const Resp& resp) {
    Writer w;
    size_t at = w.reserve_i32();
    ResponseHeader h;
    h.correlation_id = correlation_id;
    h.encode(w, response_header_version(Resp::key.value, version, Resp::first_flexible));
    resp.encode(w, version);
    w.patch_i32(at, static_cast<int32_t>(w.size() - 4));
    return w.take();
}

// The Metadata answer of a one-broker cluster: `node` at 127.0.0.1:`port`
// leads every partition of `topics` (name -> partition count). The topics
// asked for, or all of them; an unknown one gets UNKNOWN_TOPIC_OR_PARTITION.
inline MetadataResponse single_broker_metadata(const MetadataRequest& req,
                                               const std::map<std::string, int32_t>& topics, int32_t node,
                                               uint16_t port, std::string cluster_id) {
    MetadataResponse resp;
    resp.brokers.push_back({node, "127.0.0.1", static_cast<int32_t>(port), std::nullopt, {}});
    resp.controller_id = node;
    resp.cluster_id = std::move(cluster_id);
    std::vector<std::string> names;
    if (req.topics && !req.topics->empty()) {
        for (const auto& t : *req.topics)
            if (t.name) names.push_back(*t.name);
    } else {
        for (const auto& [n, count] : topics) names.push_back(n);
    }
    for (const auto& n : names) {
        MetadataResponse::Topic t;
        t.name = n;
        auto it = topics.find(n);
        if (it == topics.end()) {
            t.error_code = static_cast<int16_t>(errc::unknown_topic_or_partition);
        } else {
            for (int32_t p = 0; p < it->second; ++p) {
                MetadataResponse::Partition part;
                part.partition_index = p;
                part.leader_id = node;
                part.replica_nodes = {node};
                part.isr_nodes = {node};
                t.partitions.push_back(part);
            }
        }
        resp.topics.push_back(t);
    }
    return resp;
}

}  // namespace kafka::test
