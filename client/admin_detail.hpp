// Inside the admin client: blocking waits over the cluster's asynchronous
// requests, shared by admin.cpp, admin_topics.cpp and admin_groups.cpp.
// Not a public header.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "client/admin.hpp"
#include "client/error_action.hpp"
#include "net/cluster.hpp"
#include "protocol/api_names.hpp"

namespace kafka {

using AdminClock = std::chrono::steady_clock;

// A request under way: its answer and the version it went out at.
template <class Resp>
struct Pending {
    std::future<std::pair<std::error_code, Resp>> answer;
    std::shared_ptr<int16_t> version = std::make_shared<int16_t>(-1);
    int32_t broker = -1;
};

template <class Resp>
struct Answer {
    std::error_code error;
    Resp response{};
    int16_t version = -1;
    int32_t broker = -1;
};

struct Admin::Impl {
    std::shared_ptr<net::Cluster> cluster;
    std::chrono::milliseconds timeout{60000};
    std::mutex mu;
    std::map<int32_t, std::vector<ApiVersionRange>> versions;  // per broker, guarded by mu

    AdminClock::time_point deadline() const { return AdminClock::now() + timeout; }

    // Sends `build(version)` to `broker` (-1: any). The answer is collected with wait().
    // `build` runs when the request goes out, which may be after a timed-out
    // wait returned: it must own what it uses (capture by value).
    template <class Builder>
    auto start(int32_t broker, Builder build) {
        using Req = std::decay_t<std::invoke_result_t<Builder&, int16_t>>;
        using Resp = typename Req::response_type;
        auto promise = std::make_shared<std::promise<std::pair<std::error_code, Resp>>>();
        Pending<Resp> p;
        p.answer = promise->get_future();
        p.broker = broker;
        cluster->async_request_with(
            broker, net::Purpose::general,
            [build = std::move(build), version = p.version](int16_t v) mutable {
                *version = v;
                return build(v);
            },
            [promise](std::error_code ec, Resp r) { promise->set_value({ec, std::move(r)}); });
        return p;
    }

    // The answer, or timed_out at the deadline (the request may still complete later).
    template <class Resp>
    Answer<Resp> wait(Pending<Resp>& p, AdminClock::time_point until) {
        Answer<Resp> a;
        a.broker = p.broker;
        if (p.answer.wait_until(until) != std::future_status::ready) {
            a.error = client_errc::timed_out;
            return a;
        }
        auto [ec, resp] = p.answer.get();
        a.error = ec;
        a.response = std::move(resp);
        a.version = *p.version;
        return a;
    }

    template <class Builder>
    auto call(int32_t broker, Builder build, AdminClock::time_point until) {
        auto p = start(broker, std::move(build));
        return wait(p, until);
    }

    // The cluster's brokers as last seen.
    std::vector<int32_t> broker_ids() const {
        std::vector<int32_t> ids;
        for (const auto& [id, b] : cluster->metadata()->brokers) ids.push_back(id);
        return ids;
    }

    // The words for a failed call, with the broker's API versions when the
    // broker lacks the API.
    std::string explain(std::error_code ec, int16_t api_key, int32_t broker);

    // Sleeps before attempt `attempt` + 1 of a retriable error, bounded by `until`.
    static bool backoff(int attempt, AdminClock::time_point until);
};

// Metadata for `topics` (every topic when empty), sorted; topics not found
// come back with UNKNOWN_TOPIC_OR_PARTITION. With `auto_create`, a broker that
// allows it creates the topics it does not have. (admin.cpp)
AdminResult<ClusterDescription> fetch_metadata(Admin::Impl& impl, const std::vector<std::string>& topics,
                                               bool auto_create, AdminClock::time_point until);

template <class T>
AdminResult<T> admin_fail(std::error_code ec, std::string message, T value = {}) {
    AdminResult<T> r;
    r.value = std::move(value);
    r.error = ec;
    r.message = std::move(message);
    return r;
}

}  // namespace kafka
