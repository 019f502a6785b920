// Our group consumer, served what recorded brokers answered kcat's group
// consumer (kfake with kcat on librdkafka 2.15; the librdkafka 2.0.2 mock
// with kcat on librdkafka 2.0.2).
//
// The answers come from the recording, not from us: the member id and
// generation the coordinator handed out, the membership the leader gets, the
// committed offsets, the offsets ListOffsets gave, and every Fetch answer's
// record bytes (gzip and zstd batches as the broker wrote them), looked up by
// the offset asked for. Our requests may be at other versions than kcat's
// (we use the highest both sides know), so each answer is the recorded one
// re-encoded at our version. What this broker builds itself: the OffsetCommit
// and LeaveGroup acknowledgements, and an empty Fetch answer (after a short
// long-poll wait) at the log end. It declines fetch sessions (session id 0),
// as a broker out of session slots does.
//
// The oracles: the values kcat produced (the recorded Produce requests) come
// back in order on each partition; our leader assigns what librdkafka's did
// (the recorded SyncGroup request); we commit the offsets kcat committed last
// and leave with the recorded member id.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "client/consumer.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/all.hpp"
#include "protocol/messages/consumer_protocol.hpp"
#include "protocol/records.hpp"
#include "tests/support/frame_server.hpp"
#include "tests/support/replay_test.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

using PartitionKey = std::pair<std::string, int32_t>;  // topic, partition

// topic -> partitions, sorted
std::map<std::string, std::vector<int32_t>> assignment_of(ByteView bytes) {
    std::map<std::string, std::vector<int32_t>> out;
    auto a = decode_consumer_assignment(bytes);
    REQUIRE(a.has_value());
    for (const auto& tp : a->assigned_partitions) {
        auto parts = tp.partitions;
        std::sort(parts.begin(), parts.end());
        out[tp.topic] = parts;
    }
    return out;
}

// The recorded conversation, indexed by what a broker needs to answer.
struct Recording {
    std::optional<ApiVersionsResponse> api_versions;
    std::optional<MetadataResponse> metadata;  // the last full answer
    int32_t coordinator = -1;
    std::vector<JoinGroupResponse> joins;      // in order
    std::optional<SyncGroupResponse> sync;
    Bytes leader_assignment;                   // what the recorded leader assigned itself
    std::string group;
    std::optional<OffsetFetchResponse> offset_fetch;
    std::map<std::tuple<std::string, int32_t, int64_t>, int64_t> list_offsets;  // (topic, p, ts) -> offset
    std::map<std::tuple<std::string, int32_t, int64_t>, FetchResponse::PartitionData> fetches;  // by fetch offset
    std::map<PartitionKey, int64_t> high_watermark;
    std::map<PartitionKey, std::vector<std::string>> produced;  // values, in order
    std::map<PartitionKey, int64_t> last_commit;                // kcat's last OffsetCommit
};

std::string topic_name(const MetadataResponse& md, const std::string& name, const Uuid& id) {
    if (!id.is_zero())
        for (const auto& t : md.topics)
            if (t.topic_id == id && t.name) return *t.name;
    return name;
}

Recording index(const KcapFile& file) {
    Recording rec;
    // Requests by (conn, correlation id), to pair each response with its request.
    std::map<std::pair<int, int32_t>, const KcapFrame*> requests;
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
            case MetadataRequest::key.value: {
                auto r = response_of<MetadataResponse>(f);
                if (!r.topics.empty()) rec.metadata = r;
                break;
            }
            case FindCoordinatorRequest::key.value: {
                auto r = response_of<FindCoordinatorResponse>(f);
                rec.coordinator = r.coordinators.empty() ? r.node_id : r.coordinators[0].node_id;
                break;
            }
            case JoinGroupRequest::key.value:
                rec.group = request_of<JoinGroupRequest>(req).group_id;
                rec.joins.push_back(response_of<JoinGroupResponse>(f));
                break;
            case SyncGroupRequest::key.value: {
                auto q = request_of<SyncGroupRequest>(req);
                for (const auto& a : q.assignments)
                    if (a.member_id == q.member_id) rec.leader_assignment = a.assignment;
                rec.sync = response_of<SyncGroupResponse>(f);
                break;
            }
            case OffsetFetchRequest::key.value:
                rec.offset_fetch = response_of<OffsetFetchResponse>(f);
                break;
            case OffsetCommitRequest::key.value: {
                auto q = request_of<OffsetCommitRequest>(req);
                for (const auto& t : q.topics)
                    for (const auto& p : t.partitions) rec.last_commit[{t.name, p.partition_index}] = p.committed_offset;
                break;
            }
            case ListOffsetsRequest::key.value: {
                auto q = request_of<ListOffsetsRequest>(req);
                auto r = response_of<ListOffsetsResponse>(f);
                for (const auto& t : q.topics)
                    for (const auto& p : t.partitions)
                        if (const auto* a = r.find(t.name, p.partition_index); a && a->error_code == 0)
                            rec.list_offsets[{t.name, p.partition_index, p.timestamp}] = a->offset;
                break;
            }
            case FetchRequest::key.value: {
                REQUIRE(rec.metadata.has_value());
                auto q = request_of<FetchRequest>(req);
                auto r = response_of<FetchResponse>(f);
                for (const auto& t : q.topics) {
                    const std::string name = topic_name(*rec.metadata, t.topic, t.topic_id);
                    for (const auto& p : t.partitions) {
                        const auto* d = f.version >= 13 ? r.find(t.topic_id, p.partition) : r.find(t.topic, p.partition);
                        if (!d || d->error_code != 0) continue;
                        rec.high_watermark[{name, p.partition}] = d->high_watermark;
                        auto key = std::make_tuple(name, p.partition, p.fetch_offset);
                        // Keep the answer that brought records, if any did.
                        bool has_records = d->records.data && !d->records.data->empty();
                        if (has_records || !rec.fetches.count(key)) rec.fetches[key] = *d;
                    }
                }
                break;
            }
            case ProduceRequest::key.value: {
                auto q = request_of<ProduceRequest>(req);
                for (const auto& t : q.topic_data)
                    for (const auto& p : t.partition_data) {
                        if (!p.records.data) continue;
                        auto set = decode_records(ByteView(*p.records.data));
                        REQUIRE(set.has_value());
                        for (const auto& b : set->batches)
                            for (const auto& r : b.records)
                                rec.produced[{t.name, p.index}].emplace_back(r.value ? std::string(r.value->begin(), r.value->end())
                                                                                    : std::string());
                    }
                break;
            }
            default:
                break;
        }
    }
    return rec;
}

// Answers our consumer from a Recording (a FrameServer on 127.0.0.1).
class RecordedGroupBroker {
public:
    explicit RecordedGroupBroker(Recording rec) : rec_(std::move(rec)) {}

    std::string bootstrap() const { return server_.address(); }

    struct Seen {
        std::vector<std::string> failures;
        std::vector<int16_t> apis;                     // every request, in order
        int joins = 0;
        std::optional<SyncGroupRequest> sync;          // ours
        std::map<PartitionKey, int64_t> last_commit;   // ours
        std::optional<LeaveGroupRequest> leave;
        std::string join_group, join_protocols;
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

    // Decodes the request body at its version, or notes a failure.
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

    Bytes handle(const Bytes& frame) {
        Reader peek{ByteView(frame)};
        const int16_t key = peek.i16();
        const int16_t v = peek.i16();
        const int32_t corr = peek.i32();
        {
            std::lock_guard<std::mutex> lock(mu_);
            seen_.apis.push_back(key);
        }
        switch (key) {
            case ApiVersionsRequest::key.value: {
                if (!body<ApiVersionsRequest>(frame, v)) return {};
                return encode_response_frame(corr, v, *rec_.api_versions);
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
            case FindCoordinatorRequest::key.value: {
                auto q = body<FindCoordinatorRequest>(frame, v);
                if (!q) return {};
                FindCoordinatorResponse r;
                r.node_id = rec_.coordinator;
                r.host = "127.0.0.1";
                r.port = server_.port();
                for (const auto& k : q->coordinator_keys) {
                    FindCoordinatorResponse::Coordinator c;
                    c.key = k;
                    c.node_id = rec_.coordinator;
                    c.host = "127.0.0.1";
                    c.port = server_.port();
                    r.coordinators.push_back(c);
                }
                return encode_response_frame(corr, v, r);
            }
            case JoinGroupRequest::key.value: {
                auto q = body<JoinGroupRequest>(frame, v);
                if (!q) return {};
                size_t n;
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    n = static_cast<size_t>(seen_.joins++);
                    seen_.join_group = q->group_id;
                    for (const auto& p : q->protocols) seen_.join_protocols += p.name + ",";
                }
                if (n >= rec_.joins.size()) {
                    fail("JoinGroup #" + std::to_string(n + 1) + ": kcat joined only " + std::to_string(rec_.joins.size()) +
                         " time(s)");
                    return {};
                }
                JoinGroupResponse r = rec_.joins[n];
                // An empty id asks the coordinator for one (the recorded one); any other must be it.
                if (r.error_code == 0 && !q->member_id.empty() && q->member_id != r.member_id)
                    fail("JoinGroup: member id \"" + q->member_id + "\", recorded \"" + r.member_id + "\"");
                if (v >= 7) r.protocol_type = "consumer";
                return encode_response_frame(corr, v, r);
            }
            case SyncGroupRequest::key.value: {
                auto q = body<SyncGroupRequest>(frame, v);
                if (!q) return {};
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    seen_.sync = *q;
                }
                SyncGroupResponse r = *rec_.sync;
                if (v >= 5) {
                    r.protocol_type = "consumer";
                    r.protocol_name = rec_.joins.back().protocol_name;
                }
                return encode_response_frame(corr, v, r);
            }
            case HeartbeatRequest::key.value:
                if (!body<HeartbeatRequest>(frame, v)) return {};
                return encode_response_frame(corr, v, HeartbeatResponse{});
            case OffsetFetchRequest::key.value: {
                auto q = body<OffsetFetchRequest>(frame, v);
                if (!q) return {};
                auto answer = [&](const std::string& group, const std::vector<OffsetFetchRequest::Topic>& topics) {
                    std::vector<OffsetFetchResponse::Topic> out;
                    for (const auto& t : topics) {
                        OffsetFetchResponse::Topic rt;
                        rt.name = topic_name(*rec_.metadata, t.name, t.topic_id);  // by id from v10
                        rt.topic_id = t.topic_id;
                        for (int32_t p : t.partition_indexes) {
                            const auto* got = rec_.offset_fetch->find(group, rt.name, p);
                            if (!got) fail("OffsetFetch: nothing recorded for " + rt.name + "/" + std::to_string(p));
                            OffsetFetchResponse::Partition rp;
                            rp.partition_index = p;
                            rp.committed_offset = got ? got->committed_offset : -1;
                            rt.partitions.push_back(rp);
                        }
                        out.push_back(rt);
                    }
                    return out;
                };
                OffsetFetchResponse r;
                if (v >= 8) {
                    for (const auto& g : q->groups) {
                        OffsetFetchResponse::Group rg;
                        rg.group_id = g.group_id;
                        if (g.topics) rg.topics = answer(g.group_id, *g.topics);
                        r.groups.push_back(rg);
                    }
                } else if (q->topics) {
                    r.topics = answer(q->group_id, *q->topics);
                }
                return encode_response_frame(corr, v, r);
            }
            case OffsetCommitRequest::key.value: {
                auto q = body<OffsetCommitRequest>(frame, v);
                if (!q) return {};
                OffsetCommitResponse r;
                std::lock_guard<std::mutex> lock(mu_);
                for (const auto& t : q->topics) {
                    OffsetCommitResponse::Topic rt;
                    rt.name = t.name;
                    rt.topic_id = t.topic_id;
                    const std::string name = topic_name(*rec_.metadata, t.name, t.topic_id);  // by id from v10
                    for (const auto& p : t.partitions) {
                        seen_.last_commit[{name, p.partition_index}] = p.committed_offset;
                        OffsetCommitResponse::Partition rp;
                        rp.partition_index = p.partition_index;
                        rt.partitions.push_back(rp);
                    }
                    r.topics.push_back(rt);
                }
                return encode_response_frame(corr, v, r);
            }
            case LeaveGroupRequest::key.value: {
                auto q = body<LeaveGroupRequest>(frame, v);
                if (!q) return {};
                LeaveGroupResponse r;
                for (const auto& m : q->members) {
                    LeaveGroupResponse::MemberResponse rm;
                    rm.member_id = m.member_id;
                    rm.group_instance_id = m.group_instance_id;
                    r.members.push_back(rm);
                }
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    seen_.leave = *q;
                }
                return encode_response_frame(corr, v, r);
            }
            case ListOffsetsRequest::key.value: {
                auto q = body<ListOffsetsRequest>(frame, v);
                if (!q) return {};
                ListOffsetsResponse r;
                for (const auto& t : q->topics) {
                    ListOffsetsResponse::Topic rt;
                    rt.name = t.name;
                    for (const auto& p : t.partitions) {
                        auto it = rec_.list_offsets.find({t.name, p.partition_index, p.timestamp});
                        if (it == rec_.list_offsets.end()) {
                            fail("ListOffsets: nothing recorded for " + t.name + "/" + std::to_string(p.partition_index) +
                                 " at " + std::to_string(p.timestamp));
                            return {};
                        }
                        ListOffsetsResponse::Partition rp;
                        rp.partition_index = p.partition_index;
                        rp.offset = it->second;
                        rt.partitions.push_back(rp);
                    }
                    r.topics.push_back(rt);
                }
                return encode_response_frame(corr, v, r);
            }
            case FetchRequest::key.value: {
                auto q = body<FetchRequest>(frame, v);
                if (!q) return {};
                FetchResponse r;
                r.session_id = 0;  // no fetch session: full fetches
                bool any_records = false;
                for (const auto& t : q->topics) {
                    FetchResponse::FetchableTopicResponse rt;
                    rt.topic = topic_name(*rec_.metadata, t.topic, t.topic_id);
                    rt.topic_id = t.topic_id;
                    for (const auto& p : t.partitions) {
                        FetchResponse::PartitionData d;
                        auto it = rec_.fetches.find({rt.topic, p.partition, p.fetch_offset});
                        if (it != rec_.fetches.end()) {
                            d = it->second;
                        } else {
                            auto hw = rec_.high_watermark.find({rt.topic, p.partition});
                            if (hw == rec_.high_watermark.end() || hw->second != p.fetch_offset)
                                fail("Fetch: nothing recorded for " + rt.topic + "/" + std::to_string(p.partition) +
                                     " at offset " + std::to_string(p.fetch_offset));
                            d.high_watermark = hw == rec_.high_watermark.end() ? p.fetch_offset : hw->second;
                            d.last_stable_offset = d.high_watermark;
                            d.log_start_offset = 0;
                            d.records.data = Bytes{};
                        }
                        d.partition_index = p.partition;
                        if (d.records.data && !d.records.data->empty()) any_records = true;
                        rt.partitions.push_back(std::move(d));
                    }
                    r.responses.push_back(std::move(rt));
                }
                // A broker holds a Fetch with nothing new for up to max_wait_ms.
                if (!any_records)
                    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(q->max_wait_ms, 100)));
                return encode_response_frame(corr, v, r);
            }
            default:
                fail("API key " + std::to_string(key) + " v" + std::to_string(v) + ": not in a group consume");
                return {};
        }
    }

    Recording rec_;
    mutable std::mutex mu_;
    Seen seen_;
    FrameServer server_{[this](const Bytes& frame) {  // last: stops first
        Bytes out = handle(frame);
        // Nothing to send: a failure was noted; hang up so that the client fails fast.
        return FrameServer::Reply{out, out.empty()};
    }};
};

void replay_group_consume(const std::string& capture) {
    Recording rec = index(load_capture(capture));
    REQUIRE(rec.api_versions.has_value());
    REQUIRE(rec.metadata.has_value());
    REQUIRE(rec.sync.has_value());
    REQUIRE(rec.offset_fetch.has_value());
    REQUIRE(!rec.joins.empty());
    REQUIRE(!rec.produced.empty());
    REQUIRE(!rec.last_commit.empty());
    size_t total = 0;
    std::set<std::string> topics;
    for (const auto& [tp, values] : rec.produced) {
        total += values.size();
        topics.insert(tp.first);
    }
    const std::string protocol = rec.joins.back().protocol_name.value_or("");
    const std::string member = rec.joins.back().member_id;
    auto recorded_assignment = assignment_of(ByteView(rec.leader_assignment));
    auto expected = rec.produced;
    auto kcat_commits = rec.last_commit;
    const std::string group = rec.group;
    const int kcat_joins = static_cast<int>(rec.joins.size());

    RecordedGroupBroker broker(std::move(rec));
    Properties props;
    props.set("bootstrap.servers", broker.bootstrap());
    props.set("group.id", group);
    props.set("auto.offset.reset", "earliest");
    props.set("partition.assignment.strategy", protocol);
    props.set("fetch.max.wait.ms", "100");
    props.set("request.timeout.ms", "5000");
    props.set("default.api.timeout.ms", "5000");
    std::map<PartitionKey, std::vector<std::string>> got;
    size_t n = 0;
    {
        Consumer c(props);
        c.subscribe(std::vector<std::string>(topics.begin(), topics.end()));
        auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (n < total && std::chrono::steady_clock::now() < end && broker.seen().failures.empty()) {
            auto recs = c.poll(std::chrono::milliseconds(100));
            for (const auto& r : recs) {
                got[{r.topic(), r.partition()}].emplace_back(r.value());
                ++n;
            }
            for (const auto& e : recs.events()) MESSAGE("event: " << e.message);
        }
        c.close();
    }
    auto seen = broker.seen();
    for (const auto& f : seen.failures) FAIL_CHECK(f);
    CHECK(n == total);
    CHECK(got == expected);
    // The same group, the recorded member id throughout, and the assignment librdkafka made.
    CHECK(seen.join_group == group);
    CHECK(seen.join_protocols.find(protocol + ",") != std::string::npos);
    CHECK(seen.joins == kcat_joins);  // KIP-394's member id round, then the join
    REQUIRE(seen.sync.has_value());
    CHECK(seen.sync->member_id == member);
    Bytes ours;
    for (const auto& a : seen.sync->assignments)
        if (a.member_id == member) ours = a.assignment;
    CHECK(seen.sync->assignments.size() == 1);
    CHECK(assignment_of(ByteView(ours)) == recorded_assignment);
    // close() committed where kcat's last commit stood, and left the group.
    CHECK(seen.last_commit == kcat_commits);
    REQUIRE(seen.leave.has_value());
    if (seen.leave->members.empty()) CHECK(seen.leave->member_id == member);
    else CHECK(seen.leave->members[0].member_id == member);
}

}  // namespace

TEST_CASE("replay consumer: kfake's answers to kcat 1.7.1 (librdkafka 2.15) group consume, gzip and zstd") {
#ifndef KAFKA_WITH_ZSTD
    MESSAGE("built without zstd: the recording's zstd batches cannot be read");
    return;
#endif
    replay_group_consume("kfake/consume-group-kcat215.kcap");
}

TEST_CASE("replay consumer: the librdkafka 2.0.2 mock's answers to kcat (librdkafka 2.0.2) group consume") {
    replay_group_consume("rdkafka-mock-2.0/consume-group-kcat20.kcap");
}
