// Internal, io thread: offsets by time from the partition leaders
// (ListOffsets), for auto.offset.reset, seek_to_beginning/end,
// beginning_offsets, end_offsets, offsets_for_times and the lag helper.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <system_error>

#include "client/consumer_config.hpp"
#include "client/consumer_types.hpp"

namespace kafka {

class ConsumerImpl;

struct ListedOffset {
    std::error_code error;
    int64_t offset = -1;     // -1: no such offset (a timestamp after the last record)
    int64_t timestamp = -1;
    int32_t leader_epoch = -1;
};

// `query`: partition -> timestamp, or kListOffsetsEarliest / kListOffsetsLatest.
// Leaders come from the metadata cache, refreshed for topics it lacks. One
// ListOffsets per leader; `done` gets every partition's answer (an error per
// partition for those that failed), on the io thread.
void list_offsets_async(ConsumerImpl& c, std::map<TopicPartition, int64_t> query, IsolationLevel isolation,
                        std::function<void(std::map<TopicPartition, ListedOffset>)> done);

// end - committed per partition, or end - beginning when nothing is committed.
PartitionLag compute_lag(int64_t committed, int64_t beginning, int64_t end);

}  // namespace kafka
