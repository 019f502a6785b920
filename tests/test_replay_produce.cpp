// Idempotent produce against a recorded kfake broker: InitProducerId, then
// one Produce per partition, as kcat 1.7.1 (librdkafka 2.15) sent them. Our
// requests are built from what the recorded requests mean (records, producer
// id, sequence numbers) with our own record batch encoder and lz4; the
// replay broker checks them field by field, down to each record.
#include "tests/support/replay_test.hpp"

#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/records.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

struct Msg {
    std::optional<std::string> key;
    std::string value;
};

// `kcat -P -X enable.idempotence=true -z lz4 -K:` with 12 lines and two
// headers on each message, as keyed by librdkafka's default partitioner.
const int64_t kTimestamp = 1795319436280;
const std::vector<std::vector<Msg>> kByPartition = {
    {{"key-07", "golf value seven, the quick brown fox jumps over the lazy dog"},
     {"key-10", "juliett value ten, the quick brown fox jumps over the lazy dog"}},
    {{"key-02", "bravo value two, the quick brown fox jumps over the lazy dog"},
     {"key-03", "charlie value three, the quick brown fox jumps over the lazy dog"},
     {"key-05", "echo value five, the quick brown fox jumps over the lazy dog"},
     {"key-06", "foxtrot value six, the quick brown fox jumps over the lazy dog"},
     {"key-08", "hotel value eight, the quick brown fox jumps over the lazy dog"},
     {"key-11", ""}},
    {{"key-01", "alpha value one, the quick brown fox jumps over the lazy dog"},
     {"key-04", "delta value four, the quick brown fox jumps over the lazy dog"},
     {"key-09", "india value nine, the quick brown fox jumps over the lazy dog"},
     {std::nullopt, "no delimiter on this line so the key is null"}},
};

ByteView view(const std::string& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

ProduceRequest produce_one_partition(int32_t partition, int64_t producer_id, int16_t epoch) {
    std::vector<RecordHeader> headers(2);
    headers[0].key = "app";
    headers[0].value = Bytes{'k', 'c', 'a', 'p'};
    headers[1].key = "trace-id";
    headers[1].value = Bytes{'0', '0', '0', '2'};

    RecordBatchBuilder b;
    b.set_producer(producer_id, epoch, 0);  // each partition's first batch: sequence 0
    b.set_partition_leader_epoch(0);         // what librdkafka writes
    for (const auto& m : kByPartition.at(static_cast<size_t>(partition))) {
        std::optional<ByteView> key;
        if (m.key) key = view(*m.key);
        b.append(kTimestamp, key, view(m.value), headers);
    }
    auto batch = b.finish(Compression::lz4);
    REQUIRE(batch.has_value());

    ProduceRequest p;
    p.acks = -1;
    p.timeout_ms = 30000;
    ProduceRequest::TopicProduceData t;
    t.name = "t1";
    ProduceRequest::PartitionProduceData pd;
    pd.index = partition;
    pd.records.data = std::move(*batch);
    t.partition_data.push_back(std::move(pd));
    p.topic_data.push_back(std::move(t));
    return p;
}

// Skips the fields that follow from the compressed bytes (their size, the
// batch length and CRC), so that a diff reaches the records themselves.
// An idempotent, non-transactional producer's InitProducerId, as recorded.
InitProducerIdRequest idempotent_init() {
    InitProducerIdRequest init;
    init.transaction_timeout_ms = -1;
    return init;
}

ReplayOptions ignore_compressed_size() {
    ReplayOptions o;
    const std::string batches = "body.topic_data[*].partition_data[*].records.batches[*]";
    o.ignore = {"body.topic_data[*].partition_data[*].records.size", batches + ".batch_length", batches + ".crc"};
    return o;
}

}  // namespace

TEST_CASE("replay produce: idempotent producer, InitProducerId then Produce v10 per partition (kfake)") {
    // No field is ignored: our batches, lz4 frames included, decode to the
    // same fields as librdkafka's (same size and CRC too).
    ReplayBroker replay(load_capture("kfake/produce-idempotent-kcat215.kcap"));

    {
        // Recorded conn 1: metadata for t1.
        ReplayClient meta(replay);
        MetadataRequest m;
        m.add_topic("t1");
        auto reply = meta.call(m);
        REQUIRE_MESSAGE(replay.ok(), replay.report());
        REQUIRE(!reply.ec);
        REQUIRE(reply.response.topics.size() == 1);
        CHECK(reply.response.topics[0].partitions.size() == kByPartition.size());
    }

    // Recorded conn 2: the producer. kcat also sent client telemetry
    // (KIP-714) on it, which we do not: the replay skips it.
    ReplayClient producer(replay);
    auto id = producer.call(idempotent_init());
    REQUIRE_MESSAGE(replay.ok(), replay.report());
    REQUIRE(!id.ec);
    CHECK(id.response.error_code == 0);
    CHECK(id.response.producer_id == 43030503574528967);
    CHECK(id.response.producer_epoch == 0);

    // Partition 0 alone, then 1 and 2 pipelined, as recorded.
    auto p0 = producer.call(produce_one_partition(0, id.response.producer_id, id.response.producer_epoch));
    REQUIRE_MESSAGE(replay.ok(), replay.report());
    REQUIRE(!p0.ec);
    auto p1 = producer.start(produce_one_partition(1, id.response.producer_id, id.response.producer_epoch));
    auto p2 = producer.start(produce_one_partition(2, id.response.producer_id, id.response.producer_epoch));
    REQUIRE(producer.wait(p1));
    REQUIRE(producer.wait(p2));
    REQUIRE_MESSAGE(replay.ok(), replay.report());
    REQUIRE(!p1->ec);
    REQUIRE(!p2->ec);

    int32_t partition = 0;
    for (const ProduceResponse* r : {&p0.response, &p1->response, &p2->response}) {
        const auto* pr = r->find("t1", partition);
        REQUIRE(pr != nullptr);
        CHECK(pr->error_code == 0);
        CHECK(pr->base_offset == 0);
        ++partition;
    }
    CHECK_MESSAGE(replay.unserved().empty(), replay.report());
}

TEST_CASE("replay produce: a record that differs is named down to its field") {
    ReplayBroker replay(load_capture("kfake/produce-idempotent-kcat215.kcap"), ignore_compressed_size());
    ReplayClient producer(replay);
    auto id = producer.call(idempotent_init());
    REQUIRE(!id.ec);
    ProduceRequest p = produce_one_partition(0, id.response.producer_id, 0);
    // The same batch, but with the second record's value changed.
    RecordBatchBuilder b;
    b.set_producer(id.response.producer_id, 0, 0);
    b.set_partition_leader_epoch(0);
    std::vector<RecordHeader> headers(2);
    headers[0].key = "app";
    headers[0].value = Bytes{'k', 'c', 'a', 'p'};
    headers[1].key = "trace-id";
    headers[1].value = Bytes{'0', '0', '0', '2'};
    b.append(kTimestamp, view(*kByPartition[0][0].key), view(kByPartition[0][0].value), headers);
    b.append(kTimestamp, view(*kByPartition[0][1].key), view(std::string("something else")), headers);
    auto batch = b.finish(Compression::lz4);
    REQUIRE(batch.has_value());
    p.topic_data[0].partition_data[0].records.data = std::move(*batch);
    auto reply = producer.call(p);
    CHECK(reply.ec);
    auto failures = replay.failures();
    REQUIRE(failures.size() == 1);
    INFO(failures[0]);
    CHECK(failures[0].find("body.topic_data[0].partition_data[0].records.batches[0].records[1].value: recorded "
                           "\"juliett value ten, the quick brown fox jumps over the lazy dog\", got \"something "
                           "else\"") != std::string::npos);
}
