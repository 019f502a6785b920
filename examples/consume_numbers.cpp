// Consumes the numbers of produce_numbers ({"num": n}) through a consumer
// group and sinks them into a file store, committing each record's offset
// after it is written. Run it again: it reads nothing new, since the group
// resumes from its committed offsets.
//
//     consume_numbers [BROKERS] [TOPIC] [STORE] [GROUP]
//         (default localhost:9092, "testnum", "numbers.store", "numbers-sink")
//
// Stops after 10 s without a record (kafka-python's consumer_timeout_ms).
//
// The kafka-python equivalent:
//     consumer = KafkaConsumer(topic, bootstrap_servers=brokers, group_id=group,
//                              auto_offset_reset='earliest', enable_auto_commit=False,
//                              consumer_timeout_ms=10000,
//                              value_deserializer=lambda m: json.loads(m.decode()))
//     for message in consumer:
//         store.write('%d\n' % message.value['num']); store.flush()
//         consumer.commit({TopicPartition(message.topic, message.partition):
//                          OffsetAndMetadata(message.offset + 1, None)})
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "client/consumer.hpp"

namespace {

// {"num": 17} -> 17. Enough JSON for this record shape.
std::optional<long> parse_num(std::string_view json) {
    auto key = json.find("\"num\"");
    if (key == std::string_view::npos) return std::nullopt;
    auto colon = json.find(':', key);
    if (colon == std::string_view::npos) return std::nullopt;
    std::string rest(json.substr(colon + 1));
    char* end = nullptr;
    long n = std::strtol(rest.c_str(), &end, 10);
    if (end == rest.c_str()) return std::nullopt;
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string brokers = argc > 1 ? argv[1] : "localhost:9092";
    const std::string topic = argc > 2 ? argv[2] : "testnum";
    const std::string store_path = argc > 3 ? argv[3] : "numbers.store";
    const std::string group = argc > 4 ? argv[4] : "numbers-sink";

    try {
        kafka::Consumer consumer({{"bootstrap.servers", brokers},
                                  {"group.id", group},
                                  {"auto.offset.reset", "earliest"},
                                  {"enable.auto.commit", "false"}});
        consumer.subscribe({topic});

        FILE* store = std::fopen(store_path.c_str(), "a");
        if (!store) {
            std::perror(store_path.c_str());
            return 2;
        }
        long stored = 0, skipped = 0;
        // for message in consumer:
        for (const kafka::ConsumerRecord& message :
             consumer.stream(std::chrono::seconds(10), [](const kafka::ConsumerEvent& e) {
                 std::fprintf(stderr, "consume_numbers: %s\n", e.message.c_str());
             })) {
            if (auto n = parse_num(message.value())) {
                std::fprintf(store, "%ld\n", *n);
                std::fflush(store);  // written before its offset is committed
                ++stored;
            } else {
                ++skipped;
            }
            // The next offset to read, for this partition only.
            if (auto ec = consumer.commit_sync({{{message.topic(), message.partition()}, {message.offset() + 1, "", -1}}}))
                std::fprintf(stderr, "consume_numbers: commit failed: %s\n", ec.message().c_str());
        }
        std::fclose(store);
        consumer.close();
        std::printf("stored %ld number(s) in %s%s\n", stored, store_path.c_str(),
                    skipped ? (", skipped " + std::to_string(skipped) + " other record(s)").c_str() : "");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "consume_numbers: %s\n", e.what());
        return 2;
    }
}
