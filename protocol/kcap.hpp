// The kcap v1 text format: recorded Kafka traffic, one frame per line.
//
//   # comment lines
//   @conn <n> client=<addr> broker=<addr>
//   > <n> <ApiName> v<version> corr=<id> <hex of request frame, no size prefix>
//   < <n> <ApiName> v<version> corr=<id> <hex of response frame, no size prefix>
//
// A response line carries the API and version of the request it answers.
// Parsing and formatting only: reading and writing files is the caller's job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errors.hpp"
#include "protocol/result.hpp"
#include "protocol/types.hpp"

namespace kafka {

struct KcapFrame {
    bool request = true;  // '>' client to broker; '<' broker to client
    int conn = 0;
    std::string api_name;
    int16_t api_key = -1;  // from the name, -1 when the name is unknown
    int16_t version = 0;
    int32_t correlation_id = 0;
    Bytes bytes;           // the frame without its 4-byte size prefix
    size_t line = 0;       // 1-based line number in the file
};

struct KcapConn {
    int id = 0;
    std::string client;
    std::string broker;
};

struct KcapFile {
    std::vector<std::string> comments;  // '#' lines, without the '# '
    std::vector<KcapConn> conns;
    std::vector<KcapFrame> frames;      // in file order
};

// Parses a whole kcap file. Errors name the line in `error_line`.
Result<KcapFile> parse_kcap(std::string_view text, size_t* error_line = nullptr);

std::string format_kcap_conn(const KcapConn& c);
std::string format_kcap_frame(const KcapFrame& f);

// Hex helpers shared by kcap and the CLI: whitespace is ignored, "0x" allowed.
Result<Bytes> parse_hex(std::string_view hex);

}  // namespace kafka
