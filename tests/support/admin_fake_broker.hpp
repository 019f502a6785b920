// A one-broker stand-in for the admin APIs the librdkafka mock lacks:
// CreateTopics, DeleteTopics, ListGroups and DescribeGroups, with the
// ApiVersions, Metadata and FindCoordinator answers around them. Topics
// created here show up in Metadata and go away when deleted; the groups are
// fixed at construction. Every admin request is kept as decoded, with its
// version, so that a test can check what the client asked for.
//
//   AdminFakeBroker broker({{"orders", 3}}, {group});
//   kcli -b broker.bootstrap() topics create -t t --partitions 6 ...
//   broker.create_topics().at(0).request.topics[0].num_partitions == 6
//
// On 127.0.0.1 (FrameServer), one thread per connection, under one lock.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "protocol/header.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/create_topics.hpp"
#include "protocol/messages/delete_topics.hpp"
#include "protocol/messages/describe_groups.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/list_groups.hpp"
#include "protocol/messages/metadata.hpp"
#include "tests/support/frame_server.hpp"

namespace kafka::test {

class AdminFakeBroker {
public:
    // A request as the broker decoded it, at the version the client chose.
    template <class Req>
    struct Received {
        int16_t version = -1;
        Req request;
    };

    AdminFakeBroker(std::map<std::string, int32_t> topics, std::vector<DescribeGroupsResponse::DescribedGroup> groups)
        : topics_(std::move(topics)), groups_(std::move(groups)) {}

    std::string bootstrap() const { return server_.address(); }
    static constexpr int32_t kNodeId = 1;

    std::vector<Received<CreateTopicsRequest>> create_topics() const { return locked(created_); }
    std::vector<Received<DeleteTopicsRequest>> delete_topics() const { return locked(deleted_); }
    std::vector<Received<ListGroupsRequest>> list_groups() const { return locked(listed_); }
    std::vector<Received<DescribeGroupsRequest>> describe_groups() const { return locked(described_); }
    std::map<std::string, int32_t> topics() const { return locked(topics_); }

private:
    template <class T>
    T locked(const T& v) const {
        std::lock_guard<std::mutex> lock(mu_);
        return v;
    }

    static int16_t first_flexible_of(int16_t key) {
        switch (key) {
        case 3: return MetadataRequest::first_flexible;
        case 10: return FindCoordinatorRequest::first_flexible;
        case 15: return DescribeGroupsRequest::first_flexible;
        case 16: return ListGroupsRequest::first_flexible;
        case 18: return ApiVersionsRequest::first_flexible;
        case 19: return CreateTopicsRequest::first_flexible;
        case 20: return DeleteTopicsRequest::first_flexible;
        default: return kNeverFlexible;
        }
    }

    template <class Req>
    static ApiVersionsResponse::ApiVersion advertised() {
        return {Req::key.value, Req::versions.min, Req::versions.max, {}};
    }

    FrameServer::Reply handle(const Bytes& frame) {
        Reader peek{ByteView(frame)};
        const int16_t key = peek.i16();
        const int16_t version = peek.i16();
        Reader r{ByteView(frame)};
        auto header = RequestHeader::decode(r, request_header_version(key, version, first_flexible_of(key)));
        if (!header) return {{}, true};
        const int32_t corr = header->correlation_id;
        std::lock_guard<std::mutex> lock(mu_);
        switch (key) {
        case 18: {
            ApiVersionsResponse resp;
            // Our codec's whole range of each: the client picks its newest.
            resp.api_keys = {advertised<MetadataRequest>(),       advertised<FindCoordinatorRequest>(),
                             advertised<DescribeGroupsRequest>(), advertised<ListGroupsRequest>(),
                             advertised<ApiVersionsRequest>(),    advertised<CreateTopicsRequest>(),
                             advertised<DeleteTopicsRequest>()};
            return {encode_response_frame(corr, version, resp)};
        }
        case 3: {
            auto req = MetadataRequest::decode(r, version);
            if (!req) return {{}, true};
            return {encode_response_frame(corr, version, metadata(*req))};
        }
        case 10: {
            auto req = FindCoordinatorRequest::decode(r, version);
            if (!req) return {{}, true};
            FindCoordinatorResponse resp;
            if (version >= 4) {
                for (const auto& k : req->coordinator_keys)
                    resp.coordinators.push_back({k, kNodeId, "127.0.0.1", port(), 0, std::nullopt, {}});
            } else {
                resp.node_id = kNodeId;
                resp.host = "127.0.0.1";
                resp.port = port();
            }
            return {encode_response_frame(corr, version, resp)};
        }
        case 19: {
            auto req = CreateTopicsRequest::decode(r, version);
            if (!req) return {{}, true};
            created_.push_back({version, *req});
            CreateTopicsResponse resp;
            for (const auto& t : req->topics) {
                CreateTopicsResponse::Topic out;
                out.name = t.name;
                if (topics_.count(t.name)) {
                    out.error_code = static_cast<int16_t>(errc::topic_already_exists);
                    out.error_message = "Topic '" + t.name + "' already exists.";
                } else {
                    out.num_partitions = t.num_partitions;
                    out.replication_factor = t.replication_factor;
                    if (version >= 5) {
                        out.configs.emplace();
                        for (const auto& c : t.configs) out.configs->push_back({c.name, c.value, false, 1, false, {}});
                    }
                    if (!req->validate_only) topics_[t.name] = t.num_partitions;
                }
                resp.topics.push_back(out);
            }
            return {encode_response_frame(corr, version, resp)};
        }
        case 20: {
            auto req = DeleteTopicsRequest::decode(r, version);
            if (!req) return {{}, true};
            deleted_.push_back({version, *req});
            std::vector<std::string> names = req->topic_names;
            for (const auto& t : req->topics)
                if (t.name) names.push_back(*t.name);
            DeleteTopicsResponse resp;
            for (const auto& n : names) {
                DeleteTopicsResponse::TopicResult out;
                out.name = n;
                if (topics_.erase(n) == 0) out.error_code = static_cast<int16_t>(errc::unknown_topic_or_partition);
                resp.responses.push_back(out);
            }
            return {encode_response_frame(corr, version, resp)};
        }
        case 16: {
            auto req = ListGroupsRequest::decode(r, version);
            if (!req) return {{}, true};
            listed_.push_back({version, *req});
            ListGroupsResponse resp;
            for (const auto& g : groups_)
                resp.groups.push_back({g.group_id, g.protocol_type, version >= 4 ? g.group_state : std::string(),
                                       version >= 5 ? std::string("classic") : std::string(), {}});
            return {encode_response_frame(corr, version, resp)};
        }
        case 15: {
            auto req = DescribeGroupsRequest::decode(r, version);
            if (!req) return {{}, true};
            described_.push_back({version, *req});
            DescribeGroupsResponse resp;
            for (const auto& id : req->groups) {
                DescribeGroupsResponse::DescribedGroup out;
                out.group_id = id;
                out.error_code = static_cast<int16_t>(errc::group_id_not_found);
                for (const auto& g : groups_)
                    if (g.group_id == id) out = g;
                if (version < 4)
                    for (auto& m : out.members) m.group_instance_id.reset();
                resp.groups.push_back(out);
            }
            return {encode_response_frame(corr, version, resp)};
        }
        default:
            return {{}, true};
        }
    }

    int32_t port() const { return static_cast<int32_t>(server_.port()); }

    MetadataResponse metadata(const MetadataRequest& req) const {
        return single_broker_metadata(req, topics_, kNodeId, server_.port(), "admin-fake");
    }

    mutable std::mutex mu_;
    std::map<std::string, int32_t> topics_;
    const std::vector<DescribeGroupsResponse::DescribedGroup> groups_;
    std::vector<Received<CreateTopicsRequest>> created_;
    std::vector<Received<DeleteTopicsRequest>> deleted_;
    std::vector<Received<ListGroupsRequest>> listed_;
    std::vector<Received<DescribeGroupsRequest>> described_;
    FrameServer server_{[this](const Bytes& frame) { return handle(frame); }};  // last: stops first
};

}  // namespace kafka::test
