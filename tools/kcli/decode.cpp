// kcli decode: captured traffic, one frame, or bare record batches, shown as
// named fields.
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "protocol/api_names.hpp"
#include "protocol/kcap.hpp"
#include "protocol/pcap.hpp"
#include "protocol/registry.hpp"

namespace kcli {
namespace {

const char* kHelp =
    "usage:\n"
    "  kcli decode FILE.kcap|FILE.pcap|FILE.pcapng [--api NAME] [--port N]... [--drop-unanswered-at-close] [-J]\n"
    "      every frame of a capture: direction, API, version, correlation id, every field,\n"
    "      and the records inside Produce and Fetch, decompressed. Packet captures are\n"
    "      reassembled here (TCP, IPv4/IPv6); --port names broker ports when the capture\n"
    "      lacks the SYNs; --drop-unanswered-at-close leaves out requests a client\n"
    "      abandoned when it closed the connection\n"
    "  kcli decode --api NAME|KEY --version N (--request|--response) (--hex HEX | --hex-file F) [-J]\n"
    "      one frame, with or without its 4-byte size prefix (a response starts with the correlation id)\n"
    "  kcli decode --records (FILE | --hex HEX | --hex-file F) [-J]\n"
    "      record batches / message sets laid end to end, e.g. a Kafka .log segment\n"
    "flags:\n"
    "  -J   one JSON object per frame (per batch with --records)\n";

// A frame given with its size prefix: drop the prefix when it matches the length.
kafka::ByteView strip_size_prefix(const kafka::Bytes& b) {
    if (b.size() >= 4) {
        uint32_t n = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
        if (n == b.size() - 4) return kafka::ByteView(b).subview(4);
    }
    return kafka::ByteView(b);
}

int print_frame(const kafka::DecodedFrame& f, bool json, const std::string& prefix) {
    if (json) {
        std::string s = kafka::render_frame_json(f);
        if (!prefix.empty()) s.insert(1, prefix);
        std::printf("%s\n", s.c_str());
    } else {
        std::printf("%s%s", prefix.c_str(), kafka::render_frame_text(f).c_str());
    }
    return f.error ? 1 : 0;
}

bool is_packet_capture(const std::string& data) {
    if (data.size() < 4) return false;
    auto m = static_cast<unsigned char>(data[0]);
    return (m == 0x0a && data[1] == 0x0d && data[2] == 0x0d && data[3] == 0x0a) ||  // pcapng
           m == 0xd4 || m == 0xa1 || m == 0x4d;                                       // pcap, either byte order
}

int decode_capture(const std::string& path, const Args& args, bool json) {
    std::string text;
    if (!read_file(path, text)) {
        std::fprintf(stderr, "kcli decode: cannot read %s\n", path.c_str());
        return 1;
    }
    size_t line = 0;
    kafka::Result<kafka::KcapFile> file = kafka::client_errc::malformed;
    if (is_packet_capture(text)) {
        kafka::PcapOptions opts;
        for (const auto& p : args.all("--port")) opts.broker_ports.push_back(static_cast<uint16_t>(std::stoi(p)));
        opts.drop_unanswered_at_close = args.has("--drop-unanswered-at-close");
        file = kafka::pcap_to_kcap(kafka::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()), opts);
        if (!file) {
            std::fprintf(stderr, "kcli decode: %s: not a readable packet capture (%s)\n", path.c_str(),
                         file.error().message().c_str());
            return 1;
        }
    } else {
        file = kafka::parse_kcap(text, &line);
        if (!file) {
            std::fprintf(stderr, "kcli decode: %s:%zu: not a kcap line (%s)\n", path.c_str(), line,
                         file.error().message().c_str());
            return 1;
        }
    }
    std::optional<int16_t> only;
    if (auto api = args.get("--api")) {
        const auto* c = kafka::find_codec(*api);
        int16_t key = c ? c->key : kafka::api_key_from_name(*api);
        if (key < 0) {
            std::fprintf(stderr, "kcli decode: unknown API '%s'\n", api->c_str());
            return 2;
        }
        only = key;
    }
    int failures = 0;
    for (const auto& fr : file->frames) {
        if (only && fr.api_key != *only) continue;
        kafka::DecodedFrame f = fr.request ? kafka::decode_request_frame(fr.bytes)
                                           : kafka::decode_response_frame(fr.bytes, fr.api_key, fr.version);
        std::string prefix;
        if (json) {
            prefix = "\"conn\":" + std::to_string(fr.conn) + (fr.line ? ",\"line\":" + std::to_string(fr.line) : std::string()) + ",";
        } else {
            prefix = "[conn " + std::to_string(fr.conn) + (fr.request ? "] > " : "] < ");
        }
        if (print_frame(f, json, prefix) != 0) {
            std::fprintf(stderr, "kcli decode: %s:%zu: %s at offset %zu (field %s)\n", path.c_str(), fr.line,
                         f.error.message().c_str(), f.error_offset, f.error_field.c_str());
            ++failures;
        }
    }
    return failures ? 1 : 0;
}

std::optional<kafka::Bytes> input_bytes(const Args& args, const char* what) {
    std::string hex;
    if (auto h = args.get("--hex")) {
        hex = *h;
    } else if (auto f = args.get("--hex-file")) {
        if (!read_file(*f, hex)) {
            std::fprintf(stderr, "kcli decode: cannot read %s\n", f->c_str());
            return std::nullopt;
        }
    } else {
        std::fprintf(stderr, "kcli decode: %s needs --hex HEX or --hex-file F\n", what);
        return std::nullopt;
    }
    auto b = kafka::parse_hex(hex);
    if (!b) {
        std::fprintf(stderr, "kcli decode: not valid hex (%s)\n", b.error().message().c_str());
        return std::nullopt;
    }
    return std::move(*b);
}

int decode_one(const Args& args, bool json) {
    auto api = args.get("--api");
    auto version = args.get("--version");
    if (!api || !version || args.has("--request") == args.has("--response")) {
        std::fprintf(stderr, "kcli decode: a single frame needs --api, --version and one of --request/--response\n");
        return 2;
    }
    const auto* codec = kafka::find_codec(*api);
    if (!codec) {
        std::fprintf(stderr, "kcli decode: no codec for API '%s'\n", api->c_str());
        return 2;
    }
    int v = std::atoi(version->c_str());
    auto bytes = input_bytes(args, "a single frame");
    if (!bytes) return 2;
    kafka::ByteView frame = strip_size_prefix(*bytes);
    kafka::DecodedFrame f;
    if (args.has("--request")) {
        f = kafka::decode_request_frame(frame);
        if (!f.error && (f.api_key != codec->key || f.api_version != v)) {
            std::fprintf(stderr, "kcli decode: the frame's header says %s v%d, not %s v%d\n",
                         kafka::api_name(f.api_key).c_str(), f.api_version, codec->name, v);
            return 1;
        }
    } else {
        f = kafka::decode_response_frame(frame, codec->key, static_cast<int16_t>(v));
    }
    int rc = print_frame(f, json, "");
    if (rc)
        std::fprintf(stderr, "kcli decode: %s at offset %zu (field %s)\n", f.error.message().c_str(), f.error_offset,
                     f.error_field.c_str());
    return rc;
}

int decode_records_cmd(const Args& args, bool json) {
    kafka::Bytes data;
    if (args.get("--hex") || args.get("--hex-file")) {
        auto b = input_bytes(args, "--records");
        if (!b) return 2;
        data = std::move(*b);
    } else if (args.positional().size() == 1) {
        std::string raw;
        if (!read_file(args.positional()[0], raw)) {
            std::fprintf(stderr, "kcli decode: cannot read %s\n", args.positional()[0].c_str());
            return 1;
        }
        data.assign(raw.begin(), raw.end());
    } else {
        std::fprintf(stderr, "kcli decode: --records needs a FILE, --hex or --hex-file\n");
        return 2;
    }
    kafka::RecordsField field;
    field.data = std::move(data);
    kafka::FieldNode node = kafka::FieldNode::records("records", field);
    if (json) {
        const kafka::FieldNode* batches = node.find("batches");
        if (batches)
            for (const auto& b : batches->children) std::printf("%s\n", kafka::render_json(b).c_str());
    } else {
        std::printf("%s", kafka::render_text(node).c_str());
    }
    if (const auto* err = node.find("error")) {
        std::fprintf(stderr, "kcli decode: %s\n", err->text.c_str());
        return 1;
    }
    return 0;
}

}  // namespace

int cmd_decode(int argc, char** argv) {
    Args args(argc, argv, {"--api", "--version", "--hex", "--hex-file", "--port"});
    if (!args.error().empty()) {
        std::fprintf(stderr, "kcli decode: %s\n", args.error().c_str());
        return 2;
    }
    if (args.has("--help") || args.has("-h")) {
        std::printf("%s", kHelp);
        return 0;
    }
    auto bad = args.unknown({"-J", "--request", "--response", "--records", "--help", "-h", "--drop-unanswered-at-close"});
    if (!bad.empty()) {
        std::fprintf(stderr, "kcli decode: unknown flag %s\n%s", bad[0].c_str(), kHelp);
        return 2;
    }
    bool json = args.has("-J");
    if (args.has("--records")) return decode_records_cmd(args, json);
    if (args.get("--hex") || args.get("--hex-file")) return decode_one(args, json);
    if (args.positional().size() == 1) return decode_capture(args.positional()[0], args, json);
    std::fprintf(stderr, "%s", kHelp);
    return 2;
}

}  // namespace kcli
