#include "net/trace.hpp"

#include <cstdio>

#include "net/config.hpp"
#include "protocol/api_names.hpp"
#include "protocol/kcap.hpp"
#include "protocol/registry.hpp"

namespace kafka::net {
namespace {

std::string prefix(const char* arrow, const FrameInfo& info, const char* what) {
    std::string s = arrow;
    s += " broker=";
    s += info.broker;
    s += " conn=" + std::to_string(info.connection_id) + " " + api_name(info.api_key) + " v" +
         std::to_string(info.api_version) + " " + what + " corr=" + std::to_string(info.correlation_id);
    return s;
}

std::string format_rtt(std::chrono::microseconds rtt) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(rtt.count()) / 1000.0);
    return buf;
}

// The decoded fields after the first line render_frame_text() writes (that
// line repeats what our own prefix says).
std::string fields_of(const DecodedFrame& f) {
    std::string text = render_frame_text(f);
    auto nl = text.find('\n');
    if (nl == std::string::npos) return {};
    text.erase(0, nl + 1);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

}  // namespace

TraceSink stderr_sink() {
    return [](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fputc('\n', stderr);
    };
}

TextTrace::TextTrace(TraceSink sink) : sink_(std::move(sink)) {}

void TextTrace::on_connect(uint64_t id, std::string_view client, std::string_view broker) {
    std::string line = "kafka: conn=" + std::to_string(id) + " connected " + std::string(client) + " -> " +
                       std::string(broker);
    std::lock_guard<std::mutex> lock(mu_);
    sink_(line);
}

void TextTrace::on_request(const FrameInfo& info, ByteView frame) {
    std::string text = prefix("kafka>", info, "request");
    if (info.redacted) {
        text += " (credentials, not shown)";
    } else {
        std::string body = fields_of(decode_request_frame(frame));
        if (!body.empty()) text += "\n" + body;
    }
    std::lock_guard<std::mutex> lock(mu_);
    sink_(text);
}

void TextTrace::on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) {
    std::string text = prefix("kafka<", info, "response") + " rtt=" + format_rtt(rtt);
    if (info.redacted) {
        text += " (credentials, not shown)";
    } else {
        std::string body = fields_of(decode_response_frame(frame, info.api_key, info.api_version));
        if (!body.empty()) text += "\n" + body;
    }
    std::lock_guard<std::mutex> lock(mu_);
    sink_(text);
}

KcapRecorder::KcapRecorder(TraceSink sink) : sink_(std::move(sink)) {}

void KcapRecorder::on_connect(uint64_t id, std::string_view client, std::string_view broker) {
    KcapConn c;
    c.id = static_cast<int>(id);
    c.client = std::string(client);
    c.broker = std::string(broker);
    std::string line = format_kcap_conn(c);
    std::lock_guard<std::mutex> lock(mu_);
    sink_(line);
}

void KcapRecorder::on_request(const FrameInfo& info, ByteView frame) {
    if (info.redacted) return;  // SASL tokens are never recorded
    KcapFrame f;
    f.request = true;
    f.conn = static_cast<int>(info.connection_id);
    f.api_name = api_name(info.api_key);
    f.api_key = info.api_key;
    f.version = info.api_version;
    f.correlation_id = info.correlation_id;
    f.bytes.assign(frame.begin(), frame.end());
    std::string line = format_kcap_frame(f);
    std::lock_guard<std::mutex> lock(mu_);
    sink_(line);
}

void KcapRecorder::on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds) {
    if (info.redacted) return;
    KcapFrame f;
    f.request = false;
    f.conn = static_cast<int>(info.connection_id);
    f.api_name = api_name(info.api_key);
    f.api_key = info.api_key;
    f.version = info.api_version;
    f.correlation_id = info.correlation_id;
    f.bytes.assign(frame.begin(), frame.end());
    std::string line = format_kcap_frame(f);
    std::lock_guard<std::mutex> lock(mu_);
    sink_(line);
}

void ObserverChain::on_connect(uint64_t id, std::string_view client, std::string_view broker) {
    if (a_) a_->on_connect(id, client, broker);
    if (b_) b_->on_connect(id, client, broker);
}
void ObserverChain::on_request(const FrameInfo& info, ByteView frame) {
    if (a_) a_->on_request(info, frame);
    if (b_) b_->on_request(info, frame);
}
void ObserverChain::on_response(const FrameInfo& info, ByteView frame, std::chrono::microseconds rtt) {
    if (a_) a_->on_response(info, frame, rtt);
    if (b_) b_->on_response(info, frame, rtt);
}

std::shared_ptr<FrameObserver> make_observer(bool trace_protocol, std::shared_ptr<FrameObserver> user) {
    std::shared_ptr<FrameObserver> trace;
    if (trace_protocol || NetConfig::trace_from_env()) trace = std::make_shared<TextTrace>();
    if (trace && user) return std::make_shared<ObserverChain>(std::move(trace), std::move(user));
    return trace ? trace : user;
}

}  // namespace kafka::net
