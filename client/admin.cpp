// The admin client: set-up, metadata and API versions, and the words for
// errors. Topics are in admin_topics.cpp, groups and lag in admin_groups.cpp.
#include "client/admin.hpp"

#include <algorithm>
#include <thread>

#include "client/admin_detail.hpp"
#include "protocol/messages/api_versions.hpp"
#include "protocol/messages/metadata.hpp"
#include "protocol/registry.hpp"

namespace kafka {

// ---------------------------------------------------------------- errors

std::string describe_admin_error(std::error_code ec, int16_t api_key, int32_t broker_id, const std::string& detail) {
    const std::string api = api_name(api_key);
    const std::string on = broker_id >= 0 ? " on broker " + std::to_string(broker_id) : std::string();
    std::string s;
    if (ec == client_errc::no_version_in_common) {
        s = (broker_id >= 0 ? "broker " + std::to_string(broker_id) : std::string("the broker")) +
            " does not support " + api + " (API key " + std::to_string(api_key) + ")";
    } else if (ec == client_errc::timed_out) {
        s = api + on + " timed out";
    } else {
        s = api + on + ": " + ec.message();
    }
    if (!detail.empty()) s += " (" + detail + ")";
    return s;
}

std::string Admin::Impl::explain(std::error_code ec, int16_t api_key, int32_t broker) {
    std::string detail;
    if (ec == client_errc::no_version_in_common && broker >= 0) {
        std::vector<ApiVersionRange> known;
        {
            std::lock_guard<std::mutex> lock(mu);
            auto it = versions.find(broker);
            if (it != versions.end()) known = it->second;
        }
        if (known.empty()) {
            auto a = call(broker, [](int16_t) { return ApiVersionsRequest{}; }, deadline());
            if (!a.error)
                for (const auto& v : a.response.api_keys) known.push_back({v.api_key, v.min_version, v.max_version});
        }
        auto it = std::find_if(known.begin(), known.end(), [&](const ApiVersionRange& r) { return r.api_key == api_key; });
        if (it != known.end()) {
            const ApiCodec* codec = find_codec(api_key);
            detail = "it answers v" + std::to_string(it->min_version) + "-" + std::to_string(it->max_version);
            if (codec)
                detail += ", this client speaks v" + std::to_string(codec->versions.min) + "-" +
                          std::to_string(codec->versions.max);
        } else if (!known.empty()) {
            detail = "it lists " + std::to_string(known.size()) + " APIs, not this one";
        }
    }
    return describe_admin_error(ec, api_key, broker, detail);
}

bool Admin::Impl::backoff(int attempt, AdminClock::time_point until) {
    auto pause = std::chrono::milliseconds(std::min(1000, 100 << std::min(attempt, 4)));
    if (AdminClock::now() + pause >= until) return false;
    std::this_thread::sleep_for(pause);
    return true;
}

// ---------------------------------------------------------------- set-up

AdminResult<std::unique_ptr<Admin>> Admin::create(const Properties& settings) {
    net::NetConfig config;
    std::chrono::milliseconds timeout{60000};
    std::vector<std::string> unknown;
    for (const auto& [key, value] : settings.all()) {
        std::error_code ec;
        if (config.set(key, value, ec)) {
            if (ec) return admin_fail<std::unique_ptr<Admin>>(ec, "bad value for setting " + key);
            continue;
        }
        if (key == "default.api.timeout.ms") {
            std::string err;
            timeout = settings.millis(key, 60000, &err);
            if (!err.empty() || timeout.count() <= 0)
                return admin_fail<std::unique_ptr<Admin>>(client_errc::invalid_config, "bad value for setting " + key);
            continue;
        }
        unknown.push_back(key);
    }
    if (!unknown.empty()) {
        std::string list;
        for (const auto& k : unknown) list += (list.empty() ? "" : ", ") + k;
        return admin_fail<std::unique_ptr<Admin>>(client_errc::invalid_config, "unknown setting(s): " + list);
    }
    if (config.bootstrap_servers.empty())
        return admin_fail<std::unique_ptr<Admin>>(client_errc::invalid_config, "no bootstrap.servers given");

    std::unique_ptr<Admin> admin(new Admin());
    admin->timeout_ = timeout;
    admin->io_ = std::make_unique<net::IoThread>();
    admin->cluster_ = net::Cluster::create(admin->io_->executor(), config);
    admin->impl_ = std::make_unique<Impl>();
    admin->impl_->cluster = admin->cluster_;
    admin->impl_->timeout = timeout;

    auto done = std::make_shared<std::promise<std::error_code>>();
    auto f = done->get_future();
    admin->cluster_->async_bootstrap([done](std::error_code ec) { done->set_value(ec); });
    std::error_code ec = client_errc::timed_out;
    if (f.wait_for(timeout) == std::future_status::ready) ec = f.get();
    if (ec) {
        std::string servers;
        for (const auto& s : config.bootstrap_servers) servers += (servers.empty() ? "" : ",") + s;
        // A failed login (a wrong password, a broker without SASL) is not an
        // unreachable cluster: say which it was.
        const bool login = ec == client_errc::authentication_failed || ec == errc::sasl_authentication_failed ||
                           ec == errc::unsupported_sasl_mechanism || ec == errc::illegal_sasl_state;
        return admin_fail<std::unique_ptr<Admin>>(
            ec, (login ? "SASL authentication with the cluster at " + servers +
                             " failed (check security.protocol, sasl.mechanism, sasl.username and sasl.password): "
                       : "cannot reach the cluster at " + servers + ": ") +
                    ec.message());
    }
    AdminResult<std::unique_ptr<Admin>> r;
    r.value = std::move(admin);
    return r;
}

Admin::~Admin() {
    // The cluster's timers and sockets must go before the io_context they
    // live on: drop our references while the I/O thread still runs; handlers
    // that hold the cluster release it when the context stops.
    if (cluster_) cluster_->close();
    impl_.reset();
    cluster_.reset();
    io_.reset();  // stops the I/O thread and joins it
}

// ---------------------------------------------------------------- metadata

AdminResult<std::vector<ApiVersionRange>> Admin::api_versions(int32_t broker_id) {
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        auto it = impl_->versions.find(broker_id);
        if (it != impl_->versions.end()) return {it->second, {}, {}};
    }
    // The handshake asked already, but the connection keeps the answer to
    // itself: ask again, at the version it negotiated.
    auto a = impl_->call(broker_id, [](int16_t) { return ApiVersionsRequest{}; }, impl_->deadline());
    if (a.error) return admin_fail<std::vector<ApiVersionRange>>(a.error, impl_->explain(a.error, ApiVersionsRequest::key, broker_id));
    if (a.response.error_code)
        return admin_fail<std::vector<ApiVersionRange>>(broker_error(a.response.error_code),
                                                        describe_admin_error(broker_error(a.response.error_code),
                                                                             ApiVersionsRequest::key, broker_id));
    std::vector<ApiVersionRange> out;
    for (const auto& v : a.response.api_keys) out.push_back({v.api_key, v.min_version, v.max_version});
    std::sort(out.begin(), out.end(), [](const ApiVersionRange& x, const ApiVersionRange& y) { return x.api_key < y.api_key; });
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->versions[broker_id] = out;
    return {out, {}, {}};
}

namespace {

// Metadata for `topics` (all when empty) without creating any: before v4 a
// broker may auto-create a topic named in the request, so there we ask for
// every topic and pick.
MetadataRequest metadata_request(const std::vector<std::string>& topics, bool auto_create, int16_t v) {
    MetadataRequest r;
    const bool all = topics.empty() || (!auto_create && v < 4);
    if (all) {
        if (v >= 1) r.topics = std::nullopt;  // v0: the empty list means all
    } else {
        for (const auto& t : topics) r.add_topic(t);
    }
    if (v >= 4) r.allow_auto_topic_creation = auto_create;
    return r;
}

TopicDescription describe_topic(const MetadataResponse::Topic& t) {
    TopicDescription d;
    d.name = t.name.value_or("");
    d.topic_id = t.topic_id;
    d.is_internal = t.is_internal;
    d.error = broker_error(t.error_code);
    for (const auto& p : t.partitions) {
        PartitionDescription pd;
        pd.partition = p.partition_index;
        pd.leader = p.leader_id;
        pd.replicas = p.replica_nodes;
        pd.isr = p.isr_nodes;
        pd.offline_replicas = p.offline_replicas;
        pd.error = broker_error(p.error_code);
        d.partitions.push_back(std::move(pd));
    }
    std::sort(d.partitions.begin(), d.partitions.end(),
              [](const PartitionDescription& a, const PartitionDescription& b) { return a.partition < b.partition; });
    return d;
}

}  // namespace

// Used by admin_topics.cpp and admin_groups.cpp too.
AdminResult<ClusterDescription> fetch_metadata(Admin::Impl& impl, const std::vector<std::string>& topics,
                                               bool auto_create, AdminClock::time_point until) {
    Answer<MetadataResponse> a;
    for (int attempt = 0;; ++attempt) {
        a = impl.call(-1, [topics, auto_create](int16_t v) { return metadata_request(topics, auto_create, v); }, until);
        if (!a.error) break;
        if (!error_action(a.error, ErrorContext::metadata).retriable() || !Admin::Impl::backoff(attempt, until))
            return admin_fail<ClusterDescription>(a.error, impl.explain(a.error, MetadataRequest::key, a.broker));
    }
    const MetadataResponse& m = a.response;
    if (m.error_code)
        return admin_fail<ClusterDescription>(broker_error(m.error_code),
                                              describe_admin_error(broker_error(m.error_code), MetadataRequest::key));
    ClusterDescription d;
    d.cluster_id = m.cluster_id;
    d.controller_id = m.controller_id;
    d.metadata_version = a.version;
    for (const auto& b : m.brokers) {
        BrokerDescription bd;
        bd.node_id = b.node_id;
        bd.host = b.host;
        bd.port = b.port;
        bd.rack = b.rack;
        bd.is_controller = b.node_id == m.controller_id;
        d.brokers.push_back(std::move(bd));
    }
    std::sort(d.brokers.begin(), d.brokers.end(),
              [](const BrokerDescription& x, const BrokerDescription& y) { return x.node_id < y.node_id; });
    std::vector<std::string> missing = topics;
    for (const auto& t : m.topics) {
        const std::string name = t.name.value_or("");
        if (!topics.empty()) {
            auto it = std::find(missing.begin(), missing.end(), name);
            if (it == missing.end()) continue;  // asked for all, wanted some
            missing.erase(it);
        }
        d.topics.push_back(describe_topic(t));
    }
    for (const auto& name : missing) {
        TopicDescription td;
        td.name = name;
        td.error = errc::unknown_topic_or_partition;
        d.topics.push_back(std::move(td));
    }
    std::sort(d.topics.begin(), d.topics.end(),
              [](const TopicDescription& x, const TopicDescription& y) { return x.name < y.name; });
    return {std::move(d), {}, {}};
}

AdminResult<ClusterDescription> Admin::describe_cluster(const DescribeClusterOptions& options) {
    auto until = impl_->deadline();
    auto r = fetch_metadata(*impl_, options.topics, false, until);
    if (!r) return r;
    if (!options.include_internal)
        r.value.topics.erase(std::remove_if(r.value.topics.begin(), r.value.topics.end(),
                                            [](const TopicDescription& t) { return t.is_internal; }),
                             r.value.topics.end());
    if (options.api_versions) {
        // Ask every broker at once, then collect.
        std::vector<Pending<ApiVersionsResponse>> asked;
        for (const auto& b : r.value.brokers)
            asked.push_back(impl_->start(b.node_id, [](int16_t) { return ApiVersionsRequest{}; }));
        for (size_t i = 0; i < asked.size(); ++i) {
            auto a = impl_->wait(asked[i], until);
            BrokerDescription& b = r.value.brokers[i];
            if (!a.error && a.response.error_code) a.error = broker_error(a.response.error_code);
            if (a.error) {
                b.api_versions_error = a.error;
                continue;
            }
            for (const auto& v : a.response.api_keys) b.api_versions.push_back({v.api_key, v.min_version, v.max_version});
            std::sort(b.api_versions.begin(), b.api_versions.end(),
                      [](const ApiVersionRange& x, const ApiVersionRange& y) { return x.api_key < y.api_key; });
            std::lock_guard<std::mutex> lock(impl_->mu);
            impl_->versions[b.node_id] = b.api_versions;
        }
    }
    return r;
}

AdminResult<std::vector<TopicListing>> Admin::list_topics(bool include_internal) {
    auto r = fetch_metadata(*impl_, {}, false, impl_->deadline());
    if (!r) return admin_fail<std::vector<TopicListing>>(r.error, r.message);
    std::vector<TopicListing> out;
    for (const auto& t : r.value.topics) {
        if (t.is_internal && !include_internal) continue;
        out.push_back({t.name, t.is_internal, static_cast<int32_t>(t.partitions.size()), t.replication_factor()});
    }
    return {std::move(out), {}, {}};
}

}  // namespace kafka
