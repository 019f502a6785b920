// Interop: kcat and kafka-python read what our producer writes, and we read
// (with plain Fetch requests) what they write, with exact keys, values,
// headers and partitions; keyed records land where kafka-python puts them.
// The peers run as bounded subprocesses against a mock cluster on 127.0.0.1.
#include "test_producer_support.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <tuple>

using namespace kafka;
using namespace kafka::test;

namespace {

const char* kPython = "/usr/bin/python3";

bool have_kafka_python() {
    return run_shell(std::string(kPython) + " -c 'import kafka' >/dev/null 2>&1").status == 0;
}

// A scratch directory for peer scripts and input files.
struct TempDir {
    TempDir() {
        char tmpl[] = "/tmp/kprod-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { run_shell("rm -rf '" + path + "'"); }
    std::string file(const std::string& name, const std::string& content) const {
        std::string p = path + "/" + name;
        std::ofstream(p) << content;
        return p;
    }
    std::string path;
};

std::multiset<Row> fetch_rows(const MockCluster& mock, const std::string& topic, int32_t partitions) {
    FetchReader reader(mock);
    std::multiset<Row> rows;
    for (int32_t p = 0; p < partitions; ++p)
        for (const auto& r : reader.read(topic, p).records)
            rows.insert({p, text(r.key), text(r.value), headers_text(r.headers)});
    return rows;
}

// kafka-python, reading every partition of a topic from the start.
const char* kPythonConsume = R"(
import sys
from kafka import KafkaConsumer, TopicPartition
bs, topic = sys.argv[1], sys.argv[2]
c = KafkaConsumer(bootstrap_servers=bs.split(','), auto_offset_reset='earliest', enable_auto_commit=False,
                  consumer_timeout_ms=3000, request_timeout_ms=10000)
tps = [TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic))]
c.assign(tps)
c.seek_to_beginning()
for m in c:
    h = ','.join(k + '=' + (v or b'').decode() for k, v in m.headers)
    print('%d|%s|%s|%s' % (m.partition, m.key.decode() if m.key is not None else '<null>', m.value.decode(), h))
c.close()
)";

// kafka-python, producing keyed records with headers (default partitioner).
const char* kPythonProduce = R"(
import sys
from kafka import KafkaProducer
bs, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = KafkaProducer(bootstrap_servers=bs.split(','), acks='all', linger_ms=5)
for i in range(n):
    p.send(topic, key=('key-%d' % i).encode(), value=('py-value-%d' % i).encode(),
           headers=[('src', b'kafka-python'), ('i', str(i).encode())])
p.flush(20)
p.close(20)
)";

}  // namespace

TEST_CASE("producer interop: kcat and kafka-python read exactly what we wrote") {
    MockCluster mock(3);
    mock.create_topic("ours", 4);
    std::multiset<Row> sent;
    {
        // gzip: the codec kafka-python reads without extra libraries.
        Producer producer(producer_props(mock, {{"compression.type", "gzip"}}));
        for (int i = 0; i < 60; ++i) {
            const std::string key = "k" + std::to_string(i % 10), value = "value " + std::to_string(i);
            ProducerRecord r("ours", key, value);
            r.with_header("n", std::to_string(i)).with_header("from", "kafka-cpp");
            producer.send(r);
            sent.insert({key_partition(as_bytes(key), 4), key, value, "n=" + std::to_string(i) + ",from=kafka-cpp"});
        }
        CHECK_FALSE(producer.close(10000ms));
    }
    CHECK(fetch_rows(mock, "ours", 4) == sent);

    if (have_command("kcat")) {
        auto out = run_shell("timeout 30 kcat -b " + mock.bootstraps() +
                               " -C -t ours -o beginning -e -q -f '%p|%k|%s|%h\\n' 2>&1");
        CHECK_MESSAGE(out.status == 0, out.out);
        CHECK_MESSAGE(parse_rows(out.out) == sent, show(parse_rows(out.out)));
    } else {
        MESSAGE("kcat not installed: skipped");
    }
    if (have_kafka_python()) {
        TempDir dir;
        auto script = dir.file("consume.py", kPythonConsume);
        auto out = run_shell("timeout 60 " + std::string(kPython) + " " + script + " " + mock.bootstraps() +
                               " ours 2>&1");
        CHECK_MESSAGE(out.status == 0, out.out);
        CHECK_MESSAGE(parse_rows(out.out) == sent, out.out);
    } else {
        MESSAGE("kafka-python not installed: skipped");
    }
}

TEST_CASE("producer interop: we read exactly what kcat and kafka-python wrote") {
    MockCluster mock(3);
    mock.create_topic("theirs", 3);
    std::multiset<Row> expected;
    if (have_command("kcat")) {
        TempDir dir;
        for (int i = 0; i < 30; ++i)
            expected.insert({i % 3, "kk" + std::to_string(i), "kcat value " + std::to_string(i), "via=kcat"});
        // One partition per run, so that we know where each line went.
        for (int32_t p = 0; p < 3; ++p) {
            std::string part;
            for (int i = p; i < 30; i += 3) part += "kk" + std::to_string(i) + ":kcat value " + std::to_string(i) + "\n";
            auto f = dir.file("p" + std::to_string(p) + ".txt", part);
            auto res = run_shell("timeout 30 kcat -b " + mock.bootstraps() + " -P -t theirs -p " +
                                   std::to_string(p) + " -K: -H via=kcat -z gzip -l " + f + " 2>&1");  // -l: a message per line
            CHECK_MESSAGE(res.status == 0, res.out);
        }
    }
    if (have_kafka_python()) {
        TempDir dir;
        auto script = dir.file("produce.py", kPythonProduce);
        auto res = run_shell("timeout 60 " + std::string(kPython) + " " + script + " " + mock.bootstraps() +
                               " theirs 40 2>&1");
        CHECK_MESSAGE(res.status == 0, res.out);
        for (int i = 0; i < 40; ++i) {
            const std::string key = "key-" + std::to_string(i);
            expected.insert({key_partition(as_bytes(key), 3), key, "py-value-" + std::to_string(i),
                             "src=kafka-python,i=" + std::to_string(i)});
        }
    }
    if (expected.empty()) {
        MESSAGE("no peer installed: skipped");
        return;
    }
    auto got = fetch_rows(mock, "theirs", 3);
    CHECK_MESSAGE(got == expected, "got:\n" << show(got) << "expected:\n" << show(expected));
}

TEST_CASE("producer interop: keyed records land on kafka-python's partition") {
    if (!have_kafka_python()) {
        MESSAGE("kafka-python not installed: skipped");
        return;
    }
    MockCluster mock(3);
    mock.create_topic("py-keys", 7);
    mock.create_topic("our-keys", 7);
    TempDir dir;
    auto script = dir.file("produce.py", kPythonProduce);
    auto res = run_shell("timeout 60 " + std::string(kPython) + " " + script + " " + mock.bootstraps() +
                           " py-keys 300 2>&1");
    REQUIRE_MESSAGE(res.status == 0, res.out);

    // Where kafka-python put each key...
    std::map<std::string, int32_t> theirs;
    FetchReader reader(mock);
    for (int32_t p = 0; p < 7; ++p)
        for (const auto& r : reader.read("py-keys", p).records) theirs[text(r.key)] = p;
    REQUIRE(theirs.size() == 300);

    // ...is where we put it.
    Producer producer(producer_props(mock, {{"linger.ms", "1"}}));
    std::mutex mu;
    std::map<std::string, int32_t> ours;
    for (const auto& [key, p] : theirs) {
        producer.send(ProducerRecord("our-keys", key, "v"), [&, key = key](std::error_code ec, RecordMetadata md) {
            CHECK_FALSE(ec);
            std::lock_guard<std::mutex> lock(mu);
            ours[key] = md.partition;
        });
    }
    CHECK_FALSE(producer.flush(10000ms));
    CHECK(ours == theirs);
}
