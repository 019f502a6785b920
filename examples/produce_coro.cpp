// Sending from a C++20 coroutine: the producer takes Asio completion tokens,
// so `co_await producer.send(record, asio::use_awaitable)` works. The
// producer runs on the io_context given to it, like any Asio object.
//
//     produce_coro [BROKERS] [TOPIC]   (default localhost:9092, "events")
//
// kafka-python has no coroutines; with Python's asyncio the same is aiokafka's
//     producer = AIOKafkaProducer(bootstrap_servers=brokers)
//     await producer.start()
//     for i in range(5):
//         md = await producer.send_and_wait(topic, b'coroutine %d' % i)
//         print('%s [%d] @ %d' % (md.topic, md.partition, md.offset))
//     await producer.stop()
//
// (C++20: this file is built only when the compiler and Asio support
// coroutines together; see examples/CMakeLists.txt.)
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <cstdio>
#include <string>
#include <thread>

#include "client/producer.hpp"

// Sends five records one after the other; returns how many failed.
asio::awaitable<int> produce(kafka::Producer& producer, std::string topic) {
    int failed = 0;
    for (int i = 0; i < 5; ++i) {
        try {
            kafka::RecordMetadata md =
                co_await producer.send(kafka::ProducerRecord(topic, "coroutine " + std::to_string(i)), asio::use_awaitable);
            std::printf("%s [%d] @ %lld\n", md.topic.c_str(), md.partition, static_cast<long long>(md.offset));
        } catch (const std::system_error& e) {
            std::fprintf(stderr, "send failed: %s\n", e.what());
            ++failed;
        }
    }
    co_return failed;
}

int main(int argc, char** argv) {
    const std::string brokers = argc > 1 ? argv[1] : "localhost:9092";
    const std::string topic = argc > 2 ? argv[2] : "events";

    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread io_thread([&] { io.run(); });
    int failed = 0;
    {
        kafka::Producer producer(io.get_executor(), kafka::Properties{{"bootstrap.servers", brokers}});
        failed = asio::co_spawn(io, produce(producer, topic), asio::use_future).get();
        producer.close();  // from outside the io_context's thread
    }
    work.reset();
    io.stop();
    io_thread.join();
    return failed == 0 ? 0 : 1;
}
