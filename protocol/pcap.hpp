// Kafka conversations out of packet captures (.pcap and .pcapng), with no
// capture library: the file is parsed, each TCP stream reassembled by sequence
// number, and each direction split on Kafka's 4-byte size prefix. The result
// is the same KcapFile a .kcap file parses to, so everything that reads kcap
// (kcli decode, the replay broker) reads captures too.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/kcap.hpp"
#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace kafka {

struct PcapOptions {
    // Broker ports. Empty: the side that answered the SYN is the broker, and
    // without a SYN the lower port is.
    std::vector<uint16_t> broker_ports;
    // Leave out requests still unanswered when the client closed the
    // connection (consumers abandon a long-poll Fetch at shutdown). acks=0
    // Produce requests, which never get an answer, are kept.
    bool drop_unanswered_at_close = false;
};

// Frames in the order of their first byte on the wire, connection by
// connection (as in kcap: every @conn followed by its frames). Responses take
// the API and version of the request with the same correlation id.
Result<KcapFile> pcap_to_kcap(ByteView file, const PcapOptions& options = {});

}  // namespace kafka
