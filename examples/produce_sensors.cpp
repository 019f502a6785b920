// Simulated sensor readings, one JSON record every INTERVAL_MS milliseconds,
// for a live chart:
//
//     produce_sensors BROKERS TOPIC [INTERVAL_MS] [COUNT]   (default 200 ms, until Ctrl-C)
//     kcli -b BROKERS chart -t TOPIC --fields temp1,temp2
//
// Each record is {"ts": <ms since the epoch>, "temp1": x, "temp2": y}: two
// temperatures drifting slowly around 21 and 17 degrees, with some noise.
// Records are sent fire-and-forget; failures go to the error handler, and
// the exit status says whether all were delivered.
//
// The kafka-python equivalent:
//     producer = KafkaProducer(bootstrap_servers=brokers)
//     while True:
//         producer.send(topic, json.dumps({"ts": ms, "temp1": t1, "temp2": t2}).encode())
//         time.sleep(interval_ms / 1000)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "client/producer.hpp"

namespace {

constexpr double kPi = 3.14159265358979323846;
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: produce_sensors BROKERS TOPIC [INTERVAL_MS] [COUNT]\n");
        return 2;
    }
    const std::string brokers = argv[1];
    const std::string topic = argv[2];
    const long interval_ms = argc > 3 ? std::atol(argv[3]) : 200;
    const long count = argc > 4 ? std::atol(argv[4]) : 0;  // 0: until Ctrl-C
    if (interval_ms < 0 || count < 0) {
        std::fprintf(stderr, "produce_sensors: INTERVAL_MS and COUNT are not negative\n");
        return 2;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    try {
        kafka::Producer producer({{"bootstrap.servers", brokers}, {"linger.ms", "0"}});
        std::atomic<long> failed{0};
        producer.on_delivery_error([&](std::error_code ec, const kafka::DeliveryFailure& f) {
            if (failed.fetch_add(f.record_count) == 0)
                std::fprintf(stderr, "produce_sensors: delivery failed: %s\n", ec.message().c_str());
        });

        std::mt19937 rng(std::random_device{}());
        std::normal_distribution<double> noise(0.0, 0.15);
        double drift1 = 0, drift2 = 0;  // a random walk on top of a slow swing
        const auto start = std::chrono::steady_clock::now();
        long sent = 0;
        for (long i = 0; !g_stop && (count == 0 || i < count); ++i) {
            const auto now = std::chrono::system_clock::now();
            const long long ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
            const double minutes = static_cast<double>(ms % 3600000) / 60000.0;
            drift1 = std::clamp(drift1 + noise(rng) * 0.3, -1.5, 1.5);
            drift2 = std::clamp(drift2 + noise(rng) * 0.3, -1.5, 1.5);
            const double temp1 = 21.0 + 2.0 * std::sin(minutes * 2 * kPi) + drift1 + noise(rng);
            const double temp2 = 17.0 + 1.5 * std::cos(minutes * 2 * kPi * 0.7) + drift2 + noise(rng);

            char json[128];
            std::snprintf(json, sizeof json, "{\"ts\": %lld, \"temp1\": %.2f, \"temp2\": %.2f}", ms, temp1, temp2);
            producer.send(kafka::ProducerRecord(topic, std::string_view(json)));
            ++sent;
            std::printf("%s\n", json);
            std::fflush(stdout);

            // On a fixed schedule: reading i+1 is due at start + (i+1) * interval.
            const auto due = start + std::chrono::milliseconds(interval_ms * (i + 1));
            while (!g_stop && std::chrono::steady_clock::now() < due)
                std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                    due - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
        }
        producer.close();
        std::fprintf(stderr, "produce_sensors: %ld reading(s) sent to %s, %ld failed\n", sent, topic.c_str(),
                     failed.load());
        return failed.load() == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "produce_sensors: %s\n", e.what());
        return 2;
    }
}
