// The three ways to send, side by side: fire-and-forget, synchronous, and
// asynchronous with a callback; then flush and close.
//
//     produce_callbacks [BROKERS] [TOPIC]   (default localhost:9092, "events")
//
// The kafka-python equivalent:
//     producer = KafkaProducer(bootstrap_servers=brokers, linger_ms=5, compression_type='lz4')
//     producer.send(topic, b'fire-and-forget')
//     md = producer.send(topic, key=b'user-42', value=b'synchronous').get()
//     print('synchronous: %s [%d] @ %d' % (md.topic, md.partition, md.offset))
//     for i in range(10):
//         future = producer.send(topic, key=b'user-%d' % i, value=b'callback %d' % i,
//                                headers=[('source', b'example')])
//         future.add_callback(on_delivered).add_errback(on_failed)
//     producer.flush()
//     producer.close()
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
    bool sync_ok = false;
    try {
        kafka::RecordMetadata md = producer.send_sync(kafka::ProducerRecord(topic, "user-42", "synchronous"));
        std::printf("synchronous: %s [%d] @ %lld\n", md.topic.c_str(), md.partition, static_cast<long long>(md.offset));
        sync_ok = true;
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
    const bool closed_ok = !producer.close();
    return sync_ok && delivered == 10 && closed_ok ? 0 : 1;
}
