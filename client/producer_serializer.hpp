// Serializers, like kafka-python's key_serializer / value_serializer:
//
//     kafka::Producer producer({{"bootstrap.servers", "localhost:9092"}});
//     // value_serializer=lambda v: json.dumps(v).encode('utf-8')
//     kafka::TypedProducer<std::map<std::string, int>> json(producer, kafka::json_serializer<std::map<std::string, int>>());
//     json.send("numbers", {{"num", 1}});                          // {"num": 1}
//     auto md = json.send("numbers", {{"num", 2}}, asio::use_future).get();
//
// A serializer turns a value into the record's bytes. to_json() writes JSON
// text the way Python's json.dumps does by default (", " and ": "
// separators), for strings, numbers, booleans, vectors and string-keyed
// maps; give your own types a to_json() overload (found by ADL) and
// json_serializer<T>() uses it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "client/producer.hpp"
#include "protocol/field_node.hpp"

namespace kafka {

// ---- JSON text
inline std::string to_json(std::string_view s) { return json_quote(s); }  // UTF-8 passes through, as json.dumps(ensure_ascii=False)
inline std::string to_json(const std::string& s) { return to_json(std::string_view(s)); }
inline std::string to_json(const char* s) { return to_json(std::string_view(s)); }
inline std::string to_json(bool b) { return b ? "true" : "false"; }
template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
std::string to_json(T v) {
    return std::to_string(v);
}
// A double as Python's json.dumps writes it (repr): the shortest digits that
// read back as the same value, "1.0" for a whole number, an exponent below
// 1e-4 and from 1e16 on ("1e+16"). JSON has no NaN or infinity: null.
std::string json_number(double v);
template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
std::string to_json(T v) {
    return json_number(static_cast<double>(v));
}
template <class T>
std::string to_json(const std::optional<T>& v) {
    return v ? to_json(*v) : std::string("null");
}
template <class T>
std::string to_json(const std::vector<T>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        out += to_json(v[i]);
    }
    return out + "]";
}
template <class T>
std::string to_json(const std::map<std::string, T>& m) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : m) {
        if (!first) out += ", ";
        first = false;
        out += to_json(k) + ": " + to_json(v);
    }
    return out + "}";
}

// ---- serializers
template <class T>
using Serializer = std::function<Bytes(const T&)>;

// value_serializer=lambda v: json.dumps(v).encode()
template <class T>
Serializer<T> json_serializer() {
    return [](const T& v) { return to_bytes(to_json(v)); };
}
// key_serializer=str.encode
inline Serializer<std::string> string_serializer() {
    return [](const std::string& s) { return to_bytes(s); };
}

// A Producer with serializers for values (and keys).
template <class V, class K = std::string>
class TypedProducer {
public:
    TypedProducer(Producer& producer, Serializer<V> value_serializer, Serializer<K> key_serializer = nullptr)
        : producer_(producer), value_(std::move(value_serializer)), key_(std::move(key_serializer)) {
        if constexpr (std::is_same_v<K, std::string>) {
            if (!key_) key_ = string_serializer();
        }
    }

    // Fire-and-forget.
    std::error_code send(std::string_view topic, const V& value) {
        Bytes v = value_(value);
        return producer_.send(RecordView(topic, ByteView(v)));
    }
    std::error_code send_keyed(std::string_view topic, const K& key, const V& value) {
        Bytes k = key_(key), v = value_(value);
        return producer_.send(RecordView(topic, ByteView(k), ByteView(v)));
    }
    // With a completion token: void(std::error_code, RecordMetadata). The
    // serialized record moves into the operation (safe with lazy tokens).
    template <class Token>
    auto send(std::string_view topic, const V& value, Token&& token) {
        ProducerRecord r;
        r.topic = std::string(topic);
        r.value = value_(value);
        return producer_.send(std::move(r), std::forward<Token>(token));
    }
    template <class Token>
    auto send(std::string_view topic, const K& key, const V& value, Token&& token) {
        ProducerRecord r;
        r.topic = std::string(topic);
        r.key = key_(key);
        r.value = value_(value);
        return producer_.send(std::move(r), std::forward<Token>(token));
    }

    Producer& producer() { return producer_; }

private:
    Producer& producer_;
    Serializer<V> value_;
    Serializer<K> key_;
};

}  // namespace kafka
