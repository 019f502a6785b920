// Creating and deleting topics: CreateTopics and DeleteTopics go to the
// controller; a broker without CreateTopics can create topics by Metadata
// auto-creation when the caller allows it.
#include <algorithm>

#include "client/admin.hpp"
#include "client/admin_detail.hpp"
#include "protocol/messages/create_topics.hpp"
#include "protocol/messages/delete_topics.hpp"
#include "protocol/messages/metadata.hpp"

namespace kafka {
namespace {

// Where CreateTopics and DeleteTopics go: the controller (Metadata v1+), or
// any broker when the cluster does not say.
int32_t controller_of(Admin::Impl& impl) {
    auto md = impl.cluster->metadata();
    if (md->controller_id >= 0 && md->brokers.count(md->controller_id)) return md->controller_id;
    return md->brokers.empty() ? -1 : md->brokers.begin()->first;
}

CreateTopicsRequest create_request(const std::vector<NewTopic>& topics, const CreateTopicsOptions& o,
                                   std::chrono::milliseconds timeout) {
    CreateTopicsRequest r;
    for (const auto& t : topics) {
        CreateTopicsRequest::Topic ct;
        ct.name = t.name;
        ct.num_partitions = t.num_partitions;
        ct.replication_factor = t.replication_factor;
        for (const auto& [k, v] : t.configs) ct.configs.push_back({k, v, {}});
        r.topics.push_back(std::move(ct));
    }
    r.timeout_ms = static_cast<int32_t>(std::min<int64_t>(timeout.count(), 600000));
    r.validate_only = o.validate_only;
    return r;
}

// One topic by Metadata auto-creation: ask for it until it has partitions.
TopicResult auto_create(Admin::Impl& impl, const NewTopic& t, AdminClock::time_point until) {
    TopicResult res;
    res.name = t.name;
    res.auto_created = true;
    res.settings_applied = false;
    auto before = fetch_metadata(impl, {t.name}, false, until);
    if (before && !before.value.topics.empty() && !before.value.topics[0].error) {
        res.auto_created = false;
        res.error = errc::topic_already_exists;
        res.message = "topic '" + t.name + "' already exists";
        return res;
    }
    for (int attempt = 0;; ++attempt) {
        auto md = fetch_metadata(impl, {t.name}, true, until);
        if (md && !md.value.topics.empty()) {
            const TopicDescription& d = md.value.topics[0];
            bool ready = !d.error && !d.partitions.empty() &&
                         std::all_of(d.partitions.begin(), d.partitions.end(),
                                     [](const PartitionDescription& p) { return p.leader >= 0; });
            if (ready) {
                res.num_partitions = static_cast<int32_t>(d.partitions.size());
                res.replication_factor = d.replication_factor();
                res.message = "created by the broker's auto-creation, since it lacks CreateTopics: the partition "
                              "count (" + std::to_string(res.num_partitions) + ") and replication factor (" +
                              std::to_string(res.replication_factor) + ") are the broker's defaults";
                if (!t.configs.empty()) res.message += "; the topic configs were not applied";
                return res;
            }
            // LEADER_NOT_AVAILABLE while it is being created; UNKNOWN_TOPIC_OR_PARTITION
            // when the broker does not auto-create.
            if (d.error && !error_action(d.error, ErrorContext::metadata).retriable()) {
                res.error = d.error;
                res.message = "the broker did not auto-create '" + t.name + "': " + d.error.message();
                return res;
            }
            res.error = d.error ? d.error : make_error_code(errc::leader_not_available);
        } else if (!md) {
            res.error = md.error;
            res.message = md.message;
        }
        if (!Admin::Impl::backoff(attempt, until)) {
            if (!res.error) res.error = client_errc::timed_out;
            if (res.message.empty() || res.error == errc::unknown_topic_or_partition)
                res.message = "the broker did not auto-create '" + t.name + "' (" + res.error.message() +
                              "): it may not allow auto-creation";
            return res;
        }
    }
}

}  // namespace

AdminResult<std::vector<TopicResult>> Admin::create_topics(const std::vector<NewTopic>& topics,
                                                           const CreateTopicsOptions& options) {
    auto until = impl_->deadline();
    if (topics.empty()) return {};
    Answer<CreateTopicsResponse> a;
    int32_t controller = controller_of(*impl_);
    const CreateTopicsRequest request = create_request(topics, options, timeout_);
    for (int attempt = 0;; ++attempt) {
        a = impl_->call(controller, [request](int16_t) { return request; }, until);
        if (a.error == client_errc::no_version_in_common) break;
        auto action = error_action(a.error, ErrorContext::admin);
        // A request that may have been applied is not sent again: the retry
        // would answer TOPIC_ALREADY_EXISTS for a topic this call created.
        if (!a.error || !action.retriable() || action.maybe_applied || !Impl::backoff(attempt, until)) break;
        if (action.refresh_metadata) {
            (void)fetch_metadata(*impl_, {}, false, until);
            controller = controller_of(*impl_);
        }
    }
    if (a.error == client_errc::no_version_in_common && options.fall_back_to_auto_create && !options.validate_only) {
        AdminResult<std::vector<TopicResult>> r;
        for (const auto& t : topics) {
            r.value.push_back(auto_create(*impl_, t, until));
            if (r.value.back().error && !r.error) {
                r.error = r.value.back().error;
                r.message = r.value.back().message;
            }
        }
        return r;
    }
    if (a.error)
        return admin_fail<std::vector<TopicResult>>(a.error, impl_->explain(a.error, CreateTopicsRequest::key, a.broker));

    AdminResult<std::vector<TopicResult>> r;
    for (const auto& t : topics) {
        TopicResult tr;
        tr.name = t.name;
        const CreateTopicsResponse::Topic* got = a.response.find_topic(t.name);
        if (!got) {
            tr.error = client_errc::malformed;
            tr.message = "the broker's answer does not mention this topic";
        } else {
            tr.error = broker_error(got->error_code);
            if (got->error_message) tr.message = *got->error_message;
            else if (tr.error) tr.message = tr.error.message();
            // v5+ says what was created; before, what was asked is what was made.
            tr.num_partitions = got->num_partitions >= 0 ? got->num_partitions : t.num_partitions;
            tr.replication_factor = got->replication_factor >= 0 ? got->replication_factor : t.replication_factor;
        }
        if (tr.error && !r.error) {
            r.error = tr.error;
            r.message = "'" + t.name + "': " + tr.message;
        }
        r.value.push_back(std::move(tr));
    }
    return r;
}

AdminResult<std::vector<TopicResult>> Admin::delete_topics(const std::vector<std::string>& topics) {
    auto until = impl_->deadline();
    if (topics.empty()) return {};
    const auto timeout_ms = static_cast<int32_t>(std::min<int64_t>(timeout_.count(), 600000));
    // Builders run when the request goes out, maybe after a timed-out call
    // returned: they own what they use.
    auto build = [topics, timeout_ms](int16_t v) {
        DeleteTopicsRequest r;
        for (const auto& t : topics) {
            if (v >= 6) r.topics.push_back({t, {}, {}});  // KIP-516: by name or id
            else r.topic_names.push_back(t);
        }
        r.timeout_ms = timeout_ms;
        return r;
    };
    Answer<DeleteTopicsResponse> a;
    int32_t controller = controller_of(*impl_);
    for (int attempt = 0;; ++attempt) {
        a = impl_->call(controller, build, until);
        auto action = error_action(a.error, ErrorContext::admin);
        if (!a.error || !action.retriable() || action.maybe_applied || !Impl::backoff(attempt, until)) break;
        if (action.refresh_metadata) {
            (void)fetch_metadata(*impl_, {}, false, until);
            controller = controller_of(*impl_);
        }
    }
    if (a.error)
        return admin_fail<std::vector<TopicResult>>(a.error, impl_->explain(a.error, DeleteTopicsRequest::key, a.broker));
    AdminResult<std::vector<TopicResult>> r;
    for (const auto& t : topics) {
        TopicResult tr;
        tr.name = t;
        auto it = std::find_if(a.response.responses.begin(), a.response.responses.end(),
                               [&](const DeleteTopicsResponse::TopicResult& x) { return x.name && *x.name == t; });
        if (it == a.response.responses.end()) {
            tr.error = client_errc::malformed;
            tr.message = "the broker's answer does not mention this topic";
        } else {
            tr.error = broker_error(it->error_code);
            if (it->error_message) tr.message = *it->error_message;
            else if (tr.error) tr.message = tr.error.message();
        }
        if (tr.error && !r.error) {
            r.error = tr.error;
            r.message = "'" + t + "': " + tr.message;
        }
        r.value.push_back(std::move(tr));
    }
    return r;
}

}  // namespace kafka
