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
