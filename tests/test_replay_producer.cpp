// Our idempotent Producer, served what recorded brokers answered kcat's
// idempotent producer (`kcat -P -X enable.idempotence=true`, 12 keyed records
// with two headers each, to the 3 partitions of t1).
//
// The answers come from the recording: the broker list and topic (addresses
// rewritten to this broker), the producer id and epoch InitProducerId handed
// out, and each Produce answer (base offset, log start offset, append time)
// for the batch that starts at the same sequence number. Our requests may be
// at other versions than kcat's (we use the highest both sides know), so each
// answer is the recorded one re-encoded at our version.
//
// The oracles, all from the recording: kcat's records (keys, values, headers,
// timestamps) and their order on each partition, kcat's codec and acks, the
// producer id and epoch the broker gave, and the offsets it gave each record.
// Sequence numbers are checked the way a broker checks them (KIP-98): from 0
// on each partition, without gaps.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "client/producer.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/all.hpp"
#include "protocol/records.hpp"
#include "tests/support/frame_server.hpp"
#include "tests/support/replay_test.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

using PartitionKey = std::pair<std::string, int32_t>;  // topic, partition

struct RecordedRecord {
    Record record;       // key, value, headers, timestamp as kcat sent them
    int64_t offset = -1;  // what the broker answered: base offset + index in the batch
};

// The recorded conversation, indexed by what a broker needs to answer.
struct Recording {
    std::optional<ApiVersionsResponse> api_versions;
    std::optional<MetadataResponse> metadata;  // the last full answer
    std::optional<InitProducerIdResponse> init;
    int16_t acks = 0;
    std::optional<Compression> codec;
    std::map<PartitionKey, std::vector<RecordedRecord>> produced;  // in order
    // The answer to the batch that starts at (topic, partition, base sequence).
    std::map<std::tuple<std::string, int32_t, int32_t>, ProduceResponse::PartitionProduceResponse> answers;
};

std::string topic_name(const MetadataResponse& md, const std::string& name, const Uuid& id) {
    if (!id.is_zero())
        for (const auto& t : md.topics)
            if (t.topic_id == id && t.name) return *t.name;
    return name;
}

Uuid topic_id(const MetadataResponse& md, const std::string& name) {
    for (const auto& t : md.topics)
        if (t.name == name) return t.topic_id;
    return {};
}

Recording index(const KcapFile& file) {
    Recording rec;
    std::map<std::pair<int, int32_t>, const KcapFrame*> requests;  // by (conn, correlation id)
    for (const auto& f : file.frames) {
        if (f.request) {
            requests[{f.conn, f.correlation_id}] = &f;
            continue;
        }
        auto it = requests.find({f.conn, f.correlation_id});
        REQUIRE(it != requests.end());
        const KcapFrame& req = *it->second;
        switch (f.api_key) {
            case ApiVersionsRequest::key.value:
                if (auto r = response_of<ApiVersionsResponse>(f); r.error_code == 0) rec.api_versions = r;
                break;
            case MetadataRequest::key.value:
                if (auto r = response_of<MetadataResponse>(f); !r.topics.empty()) rec.metadata = r;
                break;
            case InitProducerIdRequest::key.value:
                REQUIRE(!request_of<InitProducerIdRequest>(req).transactional_id);  // idempotent only
                rec.init = response_of<InitProducerIdResponse>(f);
                break;
            case ProduceRequest::key.value: {
                REQUIRE(rec.metadata.has_value());
                auto q = request_of<ProduceRequest>(req);
                auto r = response_of<ProduceResponse>(f);
                rec.acks = q.acks;
                for (const auto& t : q.topic_data) {
                    const std::string name = topic_name(*rec.metadata, t.name, t.topic_id);
                    for (const auto& p : t.partition_data) {
                        REQUIRE(p.records.data.has_value());
                        const auto* a = f.version >= 13 ? r.find(t.topic_id, p.index) : r.find(name, p.index);
                        REQUIRE(a != nullptr);
                        REQUIRE(a->error_code == 0);
                        auto set = decode_records(ByteView(*p.records.data));
                        REQUIRE(set.has_value());
                        auto& log = rec.produced[{name, p.index}];
                        int64_t offset = a->base_offset;
                        for (const auto& b : set->batches) {
                            rec.codec = static_cast<Compression>(b.attributes & RecordBatch::kCompressionMask);
                            rec.answers[{name, p.index, b.base_sequence}] = *a;
                            for (const auto& one : b.records) log.push_back({one, offset++});
                        }
                    }
                }
                break;
            }
            default:
                break;  // client telemetry (KIP-714): not ours to replay
        }
    }
    return rec;
}

// One batch as our producer sent it.
struct SentBatch {
    std::string topic;
    int32_t partition = 0;
    RecordBatch batch;
};

// Answers our producer from a Recording (a FrameServer on 127.0.0.1).
class RecordedProduceBroker {
public:
    explicit RecordedProduceBroker(Recording rec) : rec_(std::move(rec)) {}

    std::string bootstrap() const { return server_.address(); }

    struct Seen {
        std::vector<std::string> failures;
        std::vector<InitProducerIdRequest> inits;
        std::vector<int16_t> produce_acks;                          // per Produce request
        std::vector<std::optional<std::string>> produce_txn_ids;    // per Produce request
        std::vector<SentBatch> batches;                             // in arrival order
    };
    Seen seen() const {
        std::lock_guard<std::mutex> lock(mu_);
        return seen_;
    }

private:
    void fail(std::string what) {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.failures.push_back(std::move(what));
    }

    template <class Req>
    std::optional<Req> body(const Bytes& frame, int16_t version) {
        Reader r{ByteView(frame)};
        auto h = RequestHeader::decode(r, request_header_version(Req::key.value, version, Req::first_flexible));
        if (!h) {
            fail(std::string(Req::name) + ": bad header");
            return std::nullopt;
        }
        auto req = Req::decode(r, version);
        if (!req) {
            fail(std::string(Req::name) + " v" + std::to_string(version) + ": does not decode");
            return std::nullopt;
        }
        return std::move(*req);
    }

    // The recorded answer for a batch of ours; empty after a failure.
    std::optional<ProduceResponse::PartitionProduceResponse> answer(const std::string& topic, int32_t partition,
                                                                    const RecordBatch& b) {
        const std::string where = topic + "/" + std::to_string(partition);
        auto log = rec_.produced.find({topic, partition});
        if (log == rec_.produced.end()) {
            fail("Produce: kcat sent nothing to " + where);
            return std::nullopt;
        }
        if (b.base_sequence < 0 || static_cast<size_t>(b.base_sequence) + b.records.size() > log->second.size()) {
            fail("Produce: " + where + " sequence " + std::to_string(b.base_sequence) + " with " +
                 std::to_string(b.records.size()) + " records, kcat sent " + std::to_string(log->second.size()));
            return std::nullopt;
        }
        // The recorded answer to a batch that started here; else (our batches
        // split differently) the recorded offset of the record at this sequence.
        auto it = rec_.answers.find({topic, partition, b.base_sequence});
        if (it != rec_.answers.end()) return it->second;
        auto a = rec_.answers.lower_bound({topic, partition, INT32_MIN})->second;
        a.base_offset = log->second[static_cast<size_t>(b.base_sequence)].offset;
        return a;
    }

    Bytes handle(const Bytes& frame) {
        Reader peek{ByteView(frame)};
        const int16_t key = peek.i16();
        const int16_t v = peek.i16();
        const int32_t corr = peek.i32();
        switch (key) {
            case ApiVersionsRequest::key.value: {
                if (!body<ApiVersionsRequest>(frame, v)) return {};
                ApiVersionsResponse r = *rec_.api_versions;
                // Produce v13+ names topics by id (KIP-516). kfake has ids, but
                // a Metadata answer recorded before v10 does not carry them, so
                // this broker cannot tell them: it offers what it can answer.
                bool ids = false;
                for (const auto& t : rec_.metadata->topics) ids = ids || !t.topic_id.is_zero();
                for (auto& a : r.api_keys)
                    if (a.api_key == ProduceRequest::key.value && !ids) a.max_version = std::min<int16_t>(a.max_version, 12);
                return encode_response_frame(corr, v, r);
            }
            case MetadataRequest::key.value: {
                if (!body<MetadataRequest>(frame, v)) return {};
                MetadataResponse md = *rec_.metadata;
                for (auto& b : md.brokers) {
                    b.host = "127.0.0.1";
                    b.port = server_.port();
                }
                return encode_response_frame(corr, v, md);
            }
            case InitProducerIdRequest::key.value: {
                auto q = body<InitProducerIdRequest>(frame, v);
                if (!q) return {};
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    seen_.inits.push_back(*q);
                }
                return encode_response_frame(corr, v, *rec_.init);
            }
            case ProduceRequest::key.value: {
                auto q = body<ProduceRequest>(frame, v);
                if (!q) return {};
                ProduceResponse r;
                std::vector<SentBatch> got;
                for (const auto& t : q->topic_data) {
                    ProduceResponse::TopicProduceResponse rt;
                    rt.name = t.name;
                    rt.topic_id = t.topic_id;
                    const std::string name = topic_name(*rec_.metadata, t.name, t.topic_id);
                    if (v >= 13 && t.topic_id != topic_id(*rec_.metadata, name)) {
                        fail("Produce v" + std::to_string(v) + ": topic id of \"" + name + "\" is not the broker's");
                        return {};
                    }
                    for (const auto& p : t.partition_data) {
                        auto set = decode_records(p.records.data ? ByteView(*p.records.data) : ByteView());
                        if (!set || set->batches.size() != 1 || set->partial_tail) {
                            fail("Produce: " + name + "/" + std::to_string(p.index) + ": not one whole batch");
                            return {};
                        }
                        auto a = answer(name, p.index, set->batches[0]);
                        if (!a) return {};
                        a->index = p.index;
                        rt.partition_responses.push_back(*a);
                        got.push_back({name, p.index, std::move(set->batches[0])});
                    }
                    r.responses.push_back(std::move(rt));
                }
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    seen_.produce_acks.push_back(q->acks);
                    seen_.produce_txn_ids.push_back(q->transactional_id);
                    for (auto& b : got) seen_.batches.push_back(std::move(b));
                }
                if (q->acks == 0) return {};  // no answer, as Kafka specifies
                return encode_response_frame(corr, v, r);
            }
            default:
                fail("API key " + std::to_string(key) + " v" + std::to_string(v) + ": not in an idempotent produce");
                return {};
        }
    }

    Recording rec_;
    mutable std::mutex mu_;
    Seen seen_;
    FrameServer server_{[this](const Bytes& frame) {  // last: stops first
        Bytes out = handle(frame);
        bool failed;
        {
            std::lock_guard<std::mutex> lock(mu_);
            failed = !seen_.failures.empty();
        }
        // A failure was noted: hang up so that the producer fails fast.
        return FrameServer::Reply{out, failed};
    }};
};

std::string text(const std::optional<Bytes>& b) {
    return b ? "\"" + std::string(b->begin(), b->end()) + "\"" : std::string("null");
}

std::string describe(const Record& r) {
    std::string s = "key " + text(r.key) + ", value " + text(r.value) + ", ts " + std::to_string(r.timestamp) + ", headers";
    for (const auto& h : r.headers) s += " " + h.key + "=" + text(h.value);
    return s;
}

void replay_idempotent_produce(const std::string& capture) {
    Recording rec = index(load_capture(capture));
    REQUIRE(rec.api_versions.has_value());
    REQUIRE(rec.metadata.has_value());
    REQUIRE(rec.init.has_value());
    REQUIRE(rec.codec.has_value());
    REQUIRE(!rec.produced.empty());
    REQUIRE(rec.acks == -1);  // idempotence needs acks=all
    const int64_t producer_id = rec.init->producer_id;
    const int16_t epoch = rec.init->producer_epoch;
    const Compression codec = *rec.codec;
    const auto expected = rec.produced;
    if (!compression_available(codec)) {
        MESSAGE("built without " << compression_name(codec) << ": kcat's codec is not available");
        return;
    }

    // kcat's records, each to the partition it went to, partitions taken in
    // turn (one record from each), each partition in kcat's order.
    struct Sent {
        PartitionKey at;
        size_t index;
        std::future<RecordMetadata> result;
    };
    std::vector<Sent> sent;
    RecordedProduceBroker broker(std::move(rec));
    Properties props;
    props.set("bootstrap.servers", broker.bootstrap());
    props.set("enable.idempotence", "true");
    props.set("acks", "all");
    props.set("compression.type", std::string(compression_name(codec)));
    props.set("linger.ms", "20");
    props.set("request.timeout.ms", "3000");
    props.set("delivery.timeout.ms", "8000");
    props.set("max.block.ms", "5000");
    {
        Producer producer(props);
        for (size_t i = 0, left = 1; left > 0; ++i) {
            left = 0;
            for (const auto& [tp, log] : expected) {
                if (i >= log.size()) continue;
                ++left;
                const Record& r = log[i].record;
                ProducerRecord out;
                out.topic = tp.first;
                out.partition = tp.second;
                out.key = r.key;
                out.value = r.value;
                out.headers = r.headers;
                out.timestamp = r.timestamp;
                sent.push_back({tp, i, producer.send(std::move(out), asio::use_future)});
            }
        }
        CHECK(!producer.flush(std::chrono::seconds(10)));
        CHECK(!producer.close(std::chrono::seconds(5)));
    }

    auto seen = broker.seen();
    for (const auto& f : seen.failures) FAIL_CHECK(f);

    // Each send's result is where the recorded broker put that record.
    for (auto& s : sent) {
        const std::string what = s.at.first + "/" + std::to_string(s.at.second) + " record " + std::to_string(s.index);
        REQUIRE_MESSAGE(s.result.wait_for(std::chrono::seconds(1)) == std::future_status::ready, what);
        try {
            RecordMetadata md = s.result.get();
            CHECK_MESSAGE(md.topic == s.at.first, what);
            CHECK_MESSAGE(md.partition == s.at.second, what);
            CHECK_MESSAGE(md.offset == expected.at(s.at)[s.index].offset, what);
        } catch (const std::system_error& e) {
            FAIL_CHECK(what << ": " << e.code() << " " << e.what());
        }
    }

    // Idempotent, not transactional: a producer id without a transactional id.
    REQUIRE(seen.inits.size() == 1);
    CHECK(!seen.inits[0].transactional_id);
    CHECK(seen.inits[0].producer_id == -1);
    CHECK(seen.inits[0].producer_epoch == -1);
    REQUIRE(!seen.produce_acks.empty());
    for (size_t i = 0; i < seen.produce_acks.size(); ++i) {
        CHECK(seen.produce_acks[i] == -1);  // as recorded
        CHECK(!seen.produce_txn_ids[i]);
    }

    // Every batch: the recorded producer id and epoch, kcat's codec, and
    // sequences that run from 0 without a gap on each partition.
    std::map<PartitionKey, std::string> got, want;  // a line per record
    std::map<PartitionKey, int32_t> next_sequence;
    for (const auto& s : seen.batches) {
        const PartitionKey tp{s.topic, s.partition};
        const std::string where = s.topic + "/" + std::to_string(s.partition);
        const RecordBatch& b = s.batch;
        CHECK_MESSAGE(b.producer_id == producer_id, where);
        CHECK_MESSAGE(b.producer_epoch == epoch, where);
        CHECK_MESSAGE(static_cast<Compression>(b.attributes & RecordBatch::kCompressionMask) == codec, where);
        CHECK_MESSAGE(!b.is_transactional(), where);
        CHECK_MESSAGE(b.base_sequence == next_sequence[tp], where);
        next_sequence[tp] = b.base_sequence + b.record_count;
        for (const auto& r : b.records) got[tp] += describe(r) + "\n";
    }
    for (const auto& [tp, log] : expected) {
        for (const auto& r : log) want[tp] += describe(r.record) + "\n";
        INFO(tp.first << "/" << tp.second);
        CHECK(got[tp] == want[tp]);
    }
    CHECK(got.size() == want.size());
}

}  // namespace

// kfake offers Produce v13, where a topic goes by its id alone: our producer
// used to send its name there too, and every record failed to encode
// (field_not_in_version) before a byte was sent.
TEST_CASE("replay producer: kfake's answers to kcat 1.7.1 (librdkafka 2.15) idempotent produce, lz4") {
    replay_idempotent_produce("kfake/produce-idempotent-kcat215.kcap");
}

TEST_CASE("replay producer: kfake's answers to kcat (librdkafka 2.0.2) idempotent produce, uncompressed") {
    replay_idempotent_produce("kfake/produce-idempotent-kcat20.kcap");
}

TEST_CASE("replay producer: the librdkafka 2.15 mock's answers to kcat (librdkafka 2.15) idempotent produce") {
    replay_idempotent_produce("rdkafka-mock-2.15/produce-idempotent-kcat215.kcap");
}

TEST_CASE("replay producer: the librdkafka 2.0.2 mock's answers to kcat (librdkafka 2.0.2) idempotent produce") {
    replay_idempotent_produce("rdkafka-mock-2.0/produce-idempotent-kcat20.kcap");
}
