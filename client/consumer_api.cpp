// The Consumer facade: forwards to ConsumerImpl with the configured timeouts.
#include "client/consumer.hpp"
#include "client/consumer_impl.hpp"
#include "protocol/messages/list_offsets.hpp"

namespace kafka {

namespace {

ConsumerConfig parse_or_throw(const Properties& props) {
    std::string error;
    auto c = ConsumerConfig::from(props, &error);
    if (!c) throw ConfigError(error);
    return std::move(*c);
}

}  // namespace

Consumer::Consumer(const Properties& config) : Consumer(parse_or_throw(config)) {}
Consumer::Consumer(ConsumerConfig config) : impl_(std::make_unique<ConsumerImpl>(std::move(config))) {}
Consumer::~Consumer() = default;

void Consumer::subscribe(const std::vector<std::string>& topics, RebalanceListener listener) {
    impl_->subscribe(topics, std::move(listener));
}
void Consumer::unsubscribe() { impl_->unsubscribe(); }
void Consumer::assign(const std::vector<TopicPartition>& partitions) { impl_->assign(partitions); }
std::vector<TopicPartition> Consumer::assignment() const { return impl_->assignment(); }
std::vector<std::string> Consumer::subscription() const { return impl_->subscription(); }

ConsumerRecords Consumer::poll(std::chrono::milliseconds timeout) { return impl_->poll(timeout); }
void Consumer::wakeup() { impl_->wakeup(); }
void Consumer::when_ready(std::chrono::milliseconds timeout, net::UniqueFunction<void()> ready) {
    impl_->when_ready(timeout, std::move(ready));
}

Consumer::Stream Consumer::stream(std::optional<std::chrono::milliseconds> idle,
                                  std::function<void(const ConsumerEvent&)> on_event) {
    if (!idle && impl_->config().consumer_timeout.count() >= 0) idle = impl_->config().consumer_timeout;
    return Stream(*this, idle, std::move(on_event));
}

void Consumer::Stream::settle(iterator& i) {
    using namespace std::chrono;
    auto last_record = steady_clock::now();
    while (i.it_ == batch_.end()) {
        if (!c_ || c_->impl_->closed() || error_) {
            i.s_ = nullptr;
            return;
        }
        milliseconds slice(500);
        if (idle_) {
            auto left = duration_cast<milliseconds>(*idle_ - (steady_clock::now() - last_record));
            if (left.count() <= 0) {
                i.s_ = nullptr;
                return;
            }
            slice = std::min(slice, left);
        }
        batch_ = c_->poll(slice);
        for (const auto& ev : batch_.events()) {
            if (ev.fatal) error_ = ev;
            else if (on_event_) on_event_(ev);
        }
        i.it_ = batch_.begin();
        if (!batch_.empty()) last_record = steady_clock::now();
    }
}

std::error_code Consumer::commit_sync() { return impl_->commit_sync(std::nullopt, impl_->config().default_api_timeout); }
std::error_code Consumer::commit_sync(const TopicPartitionOffsets& offsets) {
    return impl_->commit_sync(offsets, impl_->config().default_api_timeout);
}
void Consumer::commit_async(CommitCallback callback) { impl_->commit_async(std::nullopt, std::move(callback)); }
void Consumer::commit_async(const TopicPartitionOffsets& offsets, CommitCallback callback) {
    impl_->commit_async(offsets, std::move(callback));
}
Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Consumer::committed(
    const std::vector<TopicPartition>& partitions) {
    return impl_->committed(partitions, impl_->config().default_api_timeout);
}

std::error_code Consumer::seek(const TopicPartition& partition, int64_t offset) { return impl_->seek(partition, offset); }
std::error_code Consumer::seek_to_beginning(const std::vector<TopicPartition>& partitions) {
    return impl_->seek_to(partitions, OffsetReset::earliest);
}
std::error_code Consumer::seek_to_end(const std::vector<TopicPartition>& partitions) {
    return impl_->seek_to(partitions, OffsetReset::latest);
}
Result<int64_t> Consumer::position(const TopicPartition& partition) {
    return impl_->position(partition, impl_->config().default_api_timeout);
}
std::error_code Consumer::pause(const std::vector<TopicPartition>& partitions) { return impl_->pause(partitions, true); }
std::error_code Consumer::resume(const std::vector<TopicPartition>& partitions) {
    return impl_->pause(partitions, false);
}
std::vector<TopicPartition> Consumer::paused() const { return impl_->paused(); }

Result<std::map<TopicPartition, int64_t>> Consumer::beginning_offsets(const std::vector<TopicPartition>& partitions) {
    std::map<TopicPartition, int64_t> q;
    for (const auto& tp : partitions) q[tp] = kListOffsetsEarliest;
    return impl_->list_offsets(q, impl_->config().default_api_timeout);
}
Result<std::map<TopicPartition, int64_t>> Consumer::end_offsets(const std::vector<TopicPartition>& partitions) {
    std::map<TopicPartition, int64_t> q;
    for (const auto& tp : partitions) q[tp] = kListOffsetsLatest;
    return impl_->list_offsets(q, impl_->config().default_api_timeout);
}
Result<std::map<TopicPartition, std::optional<Consumer::OffsetAndTimestamp>>> Consumer::offsets_for_times(
    const std::map<TopicPartition, int64_t>& timestamps) {
    for (const auto& [tp, ts] : timestamps)
        if (ts < 0) return client_errc::invalid_argument;
    std::map<TopicPartition, int64_t> found_ts;
    auto r = impl_->list_offsets(timestamps, impl_->config().default_api_timeout, &found_ts);
    if (!r) return r.error();
    std::map<TopicPartition, std::optional<OffsetAndTimestamp>> out;
    for (const auto& [tp, off] : *r) {
        if (off < 0) out[tp] = std::nullopt;
        else out[tp] = OffsetAndTimestamp{off, found_ts[tp]};
    }
    return out;
}
Result<std::map<TopicPartition, PartitionLag>> Consumer::lag(const std::vector<TopicPartition>& partitions) {
    return impl_->lag(partitions, impl_->config().default_api_timeout);
}
Result<std::vector<int32_t>> Consumer::partitions_for(const std::string& topic) {
    return impl_->partitions_for(topic, impl_->config().default_api_timeout);
}

void Consumer::close() { impl_->close(impl_->config().default_api_timeout); }
void Consumer::close(std::chrono::milliseconds timeout) { impl_->close(timeout); }

std::string Consumer::member_id() const { return impl_->member_id(); }
int32_t Consumer::generation() const { return impl_->generation(); }
const ConsumerConfig& Consumer::config() const { return impl_->config(); }

}  // namespace kafka
