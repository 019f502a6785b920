// Request round trips on one connection with our net::Connection: the
// measured program of net_roundtrip_bench (which starts the broker and runs
// the librdkafka baseline, peers/rdkafka_roundtrip.c, the same way).
//
//   net_roundtrip -b HOST:PORT [-n REQUESTS] [-d DEPTH] [-w WARMUP]
//
// The request is Metadata for no topics (the brokers only), which a broker
// answers at once without touching a log. DEPTH requests are kept in flight
// on the one connection (max_in_flight = DEPTH): each completion sends the
// next request. DEPTH 1 is unpipelined. After WARMUP requests (connect,
// handshake) it times REQUESTS more and prints
//   RESULT count=N seconds=S cpu=C
// where C is the user + system CPU time of the whole process over those
// requests.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <asio/io_context.hpp>

#include "net/config.hpp"
#include "net/connection.hpp"
#include "protocol/messages/metadata.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

class RoundTrips {
public:
    RoundTrips(const kafka::net::HostPort& broker, int depth) : depth_(depth) {
        kafka::net::ConnectionOptions o;
        o.max_in_flight = static_cast<size_t>(depth);
        o.client_id = "net_roundtrip";
        conn_ = kafka::net::Connection::create(io_.get_executor(), broker.host, broker.port, o);
    }
    ~RoundTrips() {
        conn_->close();
        io_.restart();
        io_.run_for(std::chrono::seconds(1));
    }

    // Runs `n` round trips; false on any error or after two minutes.
    bool run(long n) {
        sent_ = 0;
        done_ = 0;
        target_ = n;
        failed_ = false;
        for (int i = 0; i < depth_ && sent_ < target_; ++i) send_one();
        auto limit = Clock::now() + std::chrono::minutes(2);
        while (done_ < target_ && !failed_) {
            io_.restart();
            io_.run_for(std::chrono::milliseconds(100));
            if (Clock::now() > limit) failed_ = true;
        }
        return !failed_;
    }

private:
    void send_one() {
        ++sent_;
        conn_->async_request_with(
            [](int16_t version) {
                kafka::MetadataRequest r;  // topics: [] - the brokers only
                if (version >= 4) r.allow_auto_topic_creation = false;
                return r;
            },
            [this](std::error_code ec, kafka::MetadataResponse resp) {
                if (ec || resp.brokers.empty()) {
                    if (!failed_)
                        std::fprintf(stderr, "net_roundtrip: %s %s\n", ec.message().c_str(),
                                     conn_->error_detail().c_str());
                    failed_ = true;
                    return;
                }
                ++done_;
                if (sent_ < target_) send_one();
            });
    }

    asio::io_context io_;
    std::shared_ptr<kafka::net::Connection> conn_;
    int depth_;
    long sent_ = 0, done_ = 0, target_ = 0;
    bool failed_ = false;
};

[[noreturn]] void usage() {
    std::fprintf(stderr, "usage: net_roundtrip -b HOST:PORT [-n REQUESTS] [-d DEPTH] [-w WARMUP]\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    std::string bootstrap;
    long requests = 20000, warmup = 200;
    int depth = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string f = argv[i], v = argv[i + 1];
        if (f == "-b") bootstrap = v;
        else if (f == "-n") requests = std::atol(v.c_str());
        else if (f == "-d") depth = std::atoi(v.c_str());
        else if (f == "-w") warmup = std::atol(v.c_str());
        else usage();
    }
    // The first broker of a list is the one measured.
    bootstrap = bootstrap.substr(0, bootstrap.find(','));
    auto broker = kafka::net::parse_host_port(bootstrap);
    if (!broker || requests <= 0 || depth <= 0 || warmup < 1) usage();

    RoundTrips rt(*broker, depth);
    if (!rt.run(warmup)) return 1;
    double cpu0 = cpu_seconds();
    auto t0 = Clock::now();
    if (!rt.run(requests)) return 1;
    double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    double cpu = cpu_seconds() - cpu0;
    std::printf("RESULT count=%ld seconds=%.6f cpu=%.6f\n", requests, seconds, cpu);
    return 0;
}
