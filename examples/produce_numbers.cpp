// Produces the numbers 0..499 as JSON ({"num": n}) and prints where each landed.
//
//     produce_numbers [BROKERS] [TOPIC] [keyed]   (default localhost:9092, "numbers")
//
// Unkeyed records stick to one partition for a batch's worth (the sticky
// partitioner, as in the Java client), so 500 small ones share a partition;
// with "keyed" each record has its number as key and the keys spread them.
//
// The kafka-python equivalent:
//     producer = KafkaProducer(bootstrap_servers=brokers,
//                              value_serializer=lambda v: json.dumps(v).encode())
//     futures = [producer.send(topic, {"num": n}) for n in range(500)]
//     for n, f in enumerate(futures): md = f.get(); print(n, md.partition, md.offset)
#include <cstdio>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "client/producer.hpp"
#include "client/producer_serializer.hpp"

int main(int argc, char** argv) {
    const std::string brokers = argc > 1 ? argv[1] : "localhost:9092";
    const std::string topic = argc > 2 ? argv[2] : "numbers";
    const bool keyed = argc > 3 && std::string(argv[3]) == "keyed";

    using Json = std::map<std::string, int>;
    try {
        kafka::Producer producer({{"bootstrap.servers", brokers}});
        // value_serializer=lambda v: json.dumps(v).encode()
        kafka::TypedProducer<Json> numbers(producer, kafka::json_serializer<Json>());

        std::vector<std::future<kafka::RecordMetadata>> landed;
        for (int n = 0; n < 500; ++n)
            landed.push_back(keyed ? numbers.send(topic, std::to_string(n), Json{{"num", n}}, asio::use_future)
                                   : numbers.send(topic, Json{{"num", n}}, asio::use_future));

        int failed = 0;
        for (int n = 0; n < 500; ++n) {
            try {
                kafka::RecordMetadata md = landed[n].get();
                std::printf("{\"num\": %d} -> %s [%d] @ offset %lld\n", n, md.topic.c_str(), md.partition,
                            static_cast<long long>(md.offset));
            } catch (const std::system_error& e) {
                std::printf("{\"num\": %d} failed: %s\n", n, e.what());
                ++failed;
            }
        }
        producer.close();
        return failed == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "produce_numbers: %s\n", e.what());
        return 2;
    }
}
