// Internal: sending a request whose content depends on the version
// negotiated with the broker, with a timeout of its own (a JoinGroup may wait
// for the whole rebalance timeout), on the connection for a purpose.
#pragma once

#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

#include "net/cluster.hpp"

namespace kafka {

// `build(int16_t version)` returns the request; `handler(error_code, Resp)`.
template <class Builder, class Handler>
void send_request(net::Cluster& cluster, int32_t broker, net::Purpose purpose, Builder build,
                  net::RequestOptions options, Handler handler) {
    using Req = std::decay_t<std::invoke_result_t<Builder&, int16_t>>;
    using Resp = typename Req::response_type;
    cluster.async_connection(
        broker, purpose,
        [build = std::move(build), options, handler = std::move(handler)](
            std::error_code ec, std::shared_ptr<net::Connection> conn) mutable {
            if (ec || !conn) return handler(ec ? ec : make_error_code(client_errc::connect_failed), Resp{});
            conn->async_request_with(std::move(build), options, std::move(handler));
        });
}

}  // namespace kafka
