// kcli produce: the console producer (kcat -P, kafka-console-producer).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "args.hpp"
#include "client/producer.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "protocol/errors.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage: kcli -b BROKERS produce -t TOPIC [-p N] [-K DELIM] [-z CODEC] [-H name=value]...\n"
    "                               [-X key=value]... [-F FILE] [-q] [INPUT...]\n"
    "  sends each line of standard input (or of the INPUT files, in turn) as a record,\n"
    "  then waits until every record is delivered. Exits non-zero when one fails.\n"
    "  Keyed records go to the partition Java and kafka-python would pick (murmur2);\n"
    "  unkeyed ones stick to a partition for a batch (KIP-480).\n"
    "flags:\n"
    "  -t TOPIC          the topic\n"
    "  -p N              send every record to partition N\n"
    "  -K DELIM          the text before the first DELIM is the key, the rest the value\n"
    "                    (a line without DELIM has a null key)\n"
    "  -z CODEC          compression.type: none, gzip, snappy, lz4, zstd\n"
    "  -H name=value     a header on every record (repeatable)\n"
    "  -X key=value      any producer setting by its Kafka name: acks, linger.ms,\n"
    "                    batch.size, enable.idempotence, delivery.timeout.ms, ...\n"
    "  -F FILE           settings from a key=value file\n"
    "  -q                no summary on standard error\n";


struct Failures {
    std::mutex mu;
    uint64_t count = 0;
    int printed = 0;
    void add(std::error_code ec, const std::string& topic, int32_t partition, int32_t n) {
        std::lock_guard<std::mutex> lock(mu);
        count += static_cast<uint64_t>(n);
        if (printed++ < 10) {
            std::fprintf(stderr, "kcli produce: %d record(s) to %s", n, topic.c_str());
            if (partition >= 0) std::fprintf(stderr, " [%d]", partition);
            std::fprintf(stderr, " failed: %s\n", ec.message().c_str());
        }
    }
};

}  // namespace

int cmd_produce(int argc, char** argv) {
    Args args(argc, argv, with_common({"-t", "-p", "-K", "-z", "-H"}));
    if (args.has("--help") || args.has("-h")) {
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli produce: %s\n", args.error().c_str());
        return 2;
    }
    if (auto unknown = args.unknown({"-q"}); !unknown.empty()) {
        std::fprintf(stderr, "kcli produce: unknown flag %s (see --help)\n", unknown[0].c_str());
        return 2;
    }
    auto topic = args.get("-t");
    if (!topic || topic->empty()) {
        std::fprintf(stderr, "kcli produce: give a topic with -t (see --help)\n");
        return 2;
    }
    int32_t partition = -1;
    if (auto p = args.get("-p")) {
        char* end = nullptr;
        long v = std::strtol(p->c_str(), &end, 10);
        if (p->empty() || *end != '\0' || v < 0 || v > INT32_MAX) {
            std::fprintf(stderr, "kcli produce: -p wants a partition number\n");
            return 2;
        }
        partition = static_cast<int32_t>(v);
    }
    std::vector<kafka::RecordHeader> headers;
    for (const auto& h : args.all("-H")) {
        auto eq = h.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::fprintf(stderr, "kcli produce: -H wants name=value\n");
            return 2;
        }
        headers.push_back({h.substr(0, eq), kafka::to_bytes(h.substr(eq + 1))});
    }
    const std::string delim = args.get("-K").value_or("");

    kafka::Properties props;
    if (!client_properties(args, props, "produce")) return 2;
    if (auto z = args.get("-z")) props.set("compression.type", *z);
    std::string error;
    auto cfg = kafka::ProducerConfig::from(props, &error);
    if (!cfg) {
        std::fprintf(stderr, "kcli produce: %s\n", error.c_str());
        return 2;
    }

    std::vector<std::string> inputs = args.positional();
    for (const auto& f : inputs) {
        std::FILE* in = std::fopen(f.c_str(), "rb");
        if (!in) {
            std::fprintf(stderr, "kcli produce: cannot read %s\n", f.c_str());
            return 2;
        }
        std::fclose(in);
    }

    Failures failures;
    uint64_t sent = 0;
    bool input_failed = false;  // a file that went away after the check above
    kafka::Producer producer(std::move(*cfg));
    producer.on_delivery_error([&](std::error_code ec, const kafka::DeliveryFailure& f) {
        failures.add(ec, f.topic, f.partition, f.record_count);
    });
    stop_on_signals();

    auto send_lines = [&](std::FILE* in) {
        LineReader lines(in);
        std::string line;
        kafka::RecordView r;
        r.topic = *topic;
        r.partition = partition;
        r.headers = headers.data();
        r.header_count = headers.size();
        while (!stop_requested() && lines.next(line)) {
            size_t at = delim.empty() ? std::string::npos : line.find(delim);
            if (at == std::string::npos) {
                r.key.reset();
                r.value = kafka::as_bytes(line);
            } else {
                r.key = kafka::as_bytes(std::string_view(line).substr(0, at));
                r.value = kafka::as_bytes(std::string_view(line).substr(at + delim.size()));
            }
            // An error found at once is reported to the handler too.
            producer.send(r);
            ++sent;
        }
    };
    if (inputs.empty()) {
        send_lines(stdin);
    } else {
        for (const auto& f : inputs) {
            std::FILE* in = std::fopen(f.c_str(), "rb");
            if (!in) {
                std::fprintf(stderr, "kcli produce: cannot read %s\n", f.c_str());
                input_failed = true;
                continue;
            }
            send_lines(in);
            std::fclose(in);
        }
    }

    std::error_code ec = producer.close();
    if (ec) std::fprintf(stderr, "kcli produce: close: %s\n", ec.message().c_str());
    const uint64_t failed = failures.count;
    if (!args.has("-q"))
        std::fprintf(stderr, "%llu record(s) sent to %s, %llu delivered, %llu failed\n",
                     static_cast<unsigned long long>(sent), topic->c_str(),
                     static_cast<unsigned long long>(producer.stats().records_acked),
                     static_cast<unsigned long long>(failed));
    return failed > 0 || ec || input_failed ? 1 : 0;
}

}  // namespace kcli
