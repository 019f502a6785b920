// The three ways to send, side by side: fire-and-forget, synchronous, and
// asynchronous with a callback; then flush and close.
//
//     produce_callbacks [BROKERS] [TOPIC]
#include <atomic>
#include <cstdio>
#include <string>

#include "client/producer.hpp"

int main(int argc, char** argv) {
    const std::string brokers = argc > 1 ? argv[1] : "localhost:9092";
    const std::string topic = argc > 2 ? argv[2] : "events";

    kafka::Producer producer({{"bootstrap.servers", brokers}, {"linger.ms", "5"}, {"compression.type", "lz4"}});
    // Fire-and-forget records that fail are reported here.
    producer.on_delivery_error([](std::error_code ec, const kafka::DeliveryFailure& f) {
        std::fprintf(stderr, "%d record(s) to %s failed: %s\n", f.record_count, f.topic.c_str(), ec.message().c_str());
    });

    // 1. Fire-and-forget.
    producer.send(kafka::ProducerRecord(topic, "fire-and-forget"));

    // 2. Synchronous: wait for the broker's answer.
    try {
        kafka::RecordMetadata md = producer.send_sync(kafka::ProducerRecord(topic, "user-42", "synchronous"));
        std::printf("synchronous: %s [%d] @ %lld\n", md.topic.c_str(), md.partition, static_cast<long long>(md.offset));
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "synchronous send failed: %s\n", e.what());
    }

    // 3. Asynchronous with a callback (it runs on the producer's I/O thread).
    std::atomic<int> delivered{0};
    for (int i = 0; i < 10; ++i) {
        kafka::ProducerRecord r(topic, "user-" + std::to_string(i), "callback " + std::to_string(i));
        r.with_header("source", "example");
        producer.send(r, [&](std::error_code ec, kafka::RecordMetadata md) {
            if (ec) std::fprintf(stderr, "failed: %s\n", ec.message().c_str());
            else ++delivered;
            (void)md;
        });
    }

    producer.flush();
    std::printf("callbacks: %d delivered\n", delivered.load());
    return producer.close() ? 1 : 0;
}
