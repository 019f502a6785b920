// Sending from a C++20 coroutine: the producer takes Asio completion tokens,
// so `co_await producer.send(record, asio::use_awaitable)` works. The
// producer runs on the io_context given to it, like any Asio object.
//
//     produce_coro [BROKERS] [TOPIC]
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <cstdio>
#include <string>
#include <thread>

#include "client/producer.hpp"

asio::awaitable<void> produce(kafka::Producer& producer, std::string topic) {
    for (int i = 0; i < 5; ++i) {
        try {
            kafka::RecordMetadata md =
                co_await producer.send(kafka::ProducerRecord(topic, "coroutine " + std::to_string(i)), asio::use_awaitable);
            std::printf("%s [%d] @ %lld\n", md.topic.c_str(), md.partition, static_cast<long long>(md.offset));
        } catch (const std::system_error& e) {
            std::fprintf(stderr, "send failed: %s\n", e.what());
        }
    }
}

int main(int argc, char** argv) {
    const std::string brokers = argc > 1 ? argv[1] : "localhost:9092";
    const std::string topic = argc > 2 ? argv[2] : "events";

    asio::io_context io;
    auto work = asio::make_work_guard(io);
    std::thread io_thread([&] { io.run(); });
    {
        kafka::Producer producer(io.get_executor(), kafka::Properties{{"bootstrap.servers", brokers}});
        asio::co_spawn(io, produce(producer, topic), asio::use_future).get();
        producer.close();  // from outside the io_context's thread
    }
    work.reset();
    io.stop();
    io_thread.join();
}
