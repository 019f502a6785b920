// A one-broker stand-in that checks producer sequences the way a Kafka broker
// does (KIP-98) and bumps epochs (KIP-360), which the librdkafka mock does
// not do for producers without a transactional id. It speaks ApiVersions,
// Metadata, InitProducerId and Produce through our codec, on 127.0.0.1, one
// thread per connection. It tests the producer's logic (order across
// retries, de-duplication, epoch bumps), not the codec: for bytes, the golden
// captures and the mock are the oracles.
//
// Faults: the next Produce requests can be answered with an error (nothing
// written), or written and then dropped with the connection (the answer is
// lost: the producer must resend, the broker must de-duplicate).
#pragma once

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/producer_idempotence.hpp"
#include "protocol/header.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/records.hpp"
#include "tests/support/frame_server.hpp"

namespace kafka::test {

class FakeBroker {
public:
    enum class Fault { error, drop_after_write };
    struct Stored {
        int64_t offset;
        std::string value;
        int64_t producer_id;
        int16_t epoch;
        int32_t sequence;
    };

    FakeBroker(std::map<std::string, int32_t> topics, int16_t init_producer_id_max = 4)
        : topics_(std::move(topics)), init_max_(init_producer_id_max) {}

    std::string bootstrap() const { return server_.address(); }

    void push_fault(Fault f, errc e = errc::none) {
        std::lock_guard<std::mutex> lock(mu_);
        faults_.push_back({f, e});
    }
    std::vector<Stored> log(const std::string& topic, int32_t partition) {
        std::lock_guard<std::mutex> lock(mu_);
        return logs_[{topic, partition}];
    }
    int bumps() const { return bumps_; }
    int out_of_order() const { return out_of_order_; }
    int duplicates() const { return duplicates_; }

private:
    struct PartitionState {  // per producer id, as the broker keeps it
        int16_t epoch = -1;
        int32_t last_sequence = -1;
        std::deque<std::pair<int32_t, int64_t>> recent;  // base sequence -> offset, the last 5
    };

    template <class Req>
    static Req decode_body(Reader& r, int16_t version) {
        auto req = Req::decode(r, version);
        return req ? std::move(*req) : Req{};
    }

    Bytes handle(const Bytes& frame, bool& drop) {
        Reader peek{ByteView(frame)};
        const int16_t key = peek.i16();
        const int16_t version = peek.i16();
        int16_t first_flexible = kNeverFlexible;
        if (key == 18) first_flexible = ApiVersionsRequest::first_flexible;
        else if (key == 3) first_flexible = MetadataRequest::first_flexible;
        else if (key == 22) first_flexible = InitProducerIdRequest::first_flexible;
        else if (key == 0) first_flexible = ProduceRequest::first_flexible;
        Reader r{ByteView(frame)};
        auto header = RequestHeader::decode(r, request_header_version(key, version, first_flexible));
        if (!header) return {};
        const int32_t corr = header->correlation_id;
        switch (key) {
        case 18: {
            ApiVersionsResponse resp;
            resp.api_keys = {{0, 3, 9, {}}, {3, 1, 12, {}}, {18, 0, 4, {}}, {22, 0, init_max_, {}}};
            return encode_response_frame(corr, version, resp);
        }
        case 3: {
            auto req = decode_body<MetadataRequest>(r, version);
            return encode_response_frame(corr, version,
                                         single_broker_metadata(req, topics_, 1, server_.port(), "fake"));
        }
        case 22: {
            auto req = decode_body<InitProducerIdRequest>(r, version);
            InitProducerIdResponse resp;
            std::lock_guard<std::mutex> lock(mu_);
            if (req.producer_id < 0) {
                resp.producer_id = next_pid_++;
                resp.producer_epoch = 0;
                epochs_[resp.producer_id] = 0;
            } else if (epochs_.count(req.producer_id) && epochs_[req.producer_id] == req.producer_epoch) {
                resp.producer_id = req.producer_id;
                resp.producer_epoch = static_cast<int16_t>(req.producer_epoch + 1);  // KIP-360
                epochs_[req.producer_id] = resp.producer_epoch;
                ++bumps_;
            } else {
                resp.error_code = static_cast<int16_t>(errc::invalid_producer_epoch);
            }
            return encode_response_frame(corr, version, resp);
        }
        case 0: {
            auto req = decode_body<ProduceRequest>(r, version);
            ProduceResponse resp;
            std::lock_guard<std::mutex> lock(mu_);
            std::pair<Fault, errc> fault{Fault::error, errc::none};
            if (!faults_.empty()) {
                fault = faults_.front();
                faults_.pop_front();
            }
            for (const auto& td : req.topic_data) {
                auto& tr = resp.responses.emplace_back();
                tr.name = td.name;
                for (const auto& pd : td.partition_data) {
                    auto& pr = tr.partition_responses.emplace_back();
                    pr.index = pd.index;
                    if (fault.first == Fault::error && fault.second != errc::none) {
                        pr.error_code = static_cast<int16_t>(fault.second);
                        pr.base_offset = -1;
                        continue;
                    }
                    append(td.name, pd, pr);
                }
            }
            if (fault.first == Fault::drop_after_write) {
                drop = true;
                return {};
            }
            return req.acks == 0 ? Bytes{} : encode_response_frame(corr, version, resp);
        }
        default: return {};
        }
    }

    // A broker's checks for one partition's batch (caller holds mu_).
    void append(const std::string& topic, const ProduceRequest::PartitionProduceData& pd,
                ProduceResponse::PartitionProduceResponse& pr) {
        auto set = decode_records(pd.records.data ? ByteView(*pd.records.data) : ByteView());
        if (!set || set->batches.size() != 1) {
            pr.error_code = static_cast<int16_t>(errc::corrupt_message);
            return;
        }
        const RecordBatch& b = set->batches[0];
        auto& log = logs_[{topic, pd.index}];
        if (b.producer_id >= 0) {
            auto ep = epochs_.find(b.producer_id);
            if (ep == epochs_.end()) {
                pr.error_code = static_cast<int16_t>(errc::unknown_producer_id);
                return;
            }
            if (b.producer_epoch < ep->second) {
                pr.error_code = static_cast<int16_t>(errc::invalid_producer_epoch);
                return;
            }
            PartitionState& st = state_[{topic, pd.index, b.producer_id}];
            if (b.producer_epoch != st.epoch) {
                // A new epoch starts at sequence 0.
                if (b.base_sequence != 0) {
                    ++out_of_order_;
                    pr.error_code = static_cast<int16_t>(errc::out_of_order_sequence_number);
                    return;
                }
                st = PartitionState{};
                st.epoch = b.producer_epoch;
            } else {
                for (const auto& [seq, offset] : st.recent) {
                    if (seq == b.base_sequence) {  // written before: answer as then
                        ++duplicates_;
                        pr.base_offset = offset;
                        return;
                    }
                }
                if (b.base_sequence != increment_sequence(st.last_sequence, 1)) {
                    ++out_of_order_;
                    pr.error_code = static_cast<int16_t>(errc::out_of_order_sequence_number);
                    return;
                }
            }
            st.last_sequence = last_sequence(b.base_sequence, b.record_count);
            st.recent.emplace_back(b.base_sequence, static_cast<int64_t>(log.size()));
            if (st.recent.size() > 5) st.recent.pop_front();
        }
        pr.base_offset = static_cast<int64_t>(log.size());
        int32_t i = 0;
        for (const auto& rec : b.records) {
            log.push_back({static_cast<int64_t>(log.size()),
                           rec.value ? std::string(rec.value->begin(), rec.value->end()) : std::string(),
                           b.producer_id, b.producer_epoch, b.base_sequence + i++});
        }
    }

    std::map<std::string, int32_t> topics_;
    int16_t init_max_;
    std::mutex mu_;
    std::deque<std::pair<Fault, errc>> faults_;
    int64_t next_pid_ = 1000;
    std::map<int64_t, int16_t> epochs_;
    std::map<std::tuple<std::string, int32_t, int64_t>, PartitionState> state_;
    std::map<std::pair<std::string, int32_t>, std::vector<Stored>> logs_;
    std::atomic<int> bumps_{0}, out_of_order_{0}, duplicates_{0};
    FrameServer server_{[this](const Bytes& frame) {  // last: stops first
        bool drop = false;
        Bytes out = handle(frame, drop);
        return FrameServer::Reply{std::move(out), drop};
    }};
};

}  // namespace kafka::test
