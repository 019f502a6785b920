// Flags every networked kcli command shares, named as kcat names them:
//   -b BROKERS        bootstrap.servers (host:port,...)
//   -X key=value      any client setting by its Kafka name (repeatable)
//   -F FILE           settings from a key=value file
#pragma once

#include <cstdio>
#include <initializer_list>
#include <set>
#include <string>

#include "args.hpp"
#include "client/properties.hpp"

namespace kafka {
class Consumer;
}

namespace kcli {

// The value-taking flags above, to merge into a command's own set.
inline const std::set<std::string>& common_value_flags() {
    static const std::set<std::string> flags{"-b", "-X", "-F"};
    return flags;
}

inline std::set<std::string> with_common(std::set<std::string> own) {
    own.insert(common_value_flags().begin(), common_value_flags().end());
    return own;
}

// Builds the client settings from -F, then -b, then -X (later wins). Prints
// the problem and returns false on a bad file or a bad -X.
bool client_properties(const Args& args, kafka::Properties& out, const char* command);

// ---- files, with stdio only: iostreams would add their locale machinery to
// the static binary (about 0.8 MB).
// The whole file, as bytes. False when it cannot be opened or read.
bool read_file(const std::string& path, std::string& out);

// Reads `in` line by line into `line` (without the newline, nor a '\r' before
// it), as long as `more()` says so. Returns false at the end of input.
class LineReader {
public:
    explicit LineReader(std::FILE* in) : in_(in) {}
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;
    bool next(std::string& line);

private:
    std::FILE* in_;
    char* buf_ = nullptr;
    size_t cap_ = 0;
};

// ---- stopping on a signal
// SIGINT, SIGTERM and `more` make stop_requested() true and wake the poll()
// of the consumer given to watch_consumer(). The handler only stores atomics
// and calls Consumer::wakeup(), which is safe there.
void stop_on_signals(std::initializer_list<int> more = {});
bool stop_requested();
void request_stop();
// The consumer to wake; nullptr before it goes away.
void watch_consumer(kafka::Consumer* consumer);

}  // namespace kcli
