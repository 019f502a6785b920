// Every message this library implements: the list the registry is built from.
#pragma once

#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/create_partitions.hpp"
#include "protocol/messages/create_topics.hpp"
#include "protocol/messages/delete_topics.hpp"
#include "protocol/messages/describe_configs.hpp"
#include "protocol/messages/describe_groups.hpp"
#include "protocol/messages/fetch.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/heartbeat.hpp"
#include "protocol/messages/init_producer_id.hpp"
#include "protocol/messages/join_group.hpp"
#include "protocol/messages/leave_group.hpp"
#include "protocol/messages/list_groups.hpp"
#include "protocol/messages/list_offsets.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/messages/offset_commit.hpp"
#include "protocol/messages/offset_fetch.hpp"
#include "protocol/messages/produce.hpp"
#include "protocol/messages/sasl.hpp"
#include "protocol/messages/sync_group.hpp"

namespace kafka {

template <class... Ts>
struct TypeList {};

// One request type per API; each names its response_type.
using AllRequests =
    TypeList<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest, OffsetCommitRequest,
             OffsetFetchRequest, FindCoordinatorRequest, JoinGroupRequest, HeartbeatRequest, LeaveGroupRequest,
             SyncGroupRequest, DescribeGroupsRequest, ListGroupsRequest, SaslHandshakeRequest, ApiVersionsRequest,
             CreateTopicsRequest, DeleteTopicsRequest, InitProducerIdRequest, DescribeConfigsRequest,
             SaslAuthenticateRequest, CreatePartitionsRequest>;

}  // namespace kafka
