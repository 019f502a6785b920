#include "protocol/pcap.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "protocol/api_names.hpp"
#include "protocol/reader.hpp"
#include "protocol/registry.hpp"

namespace kafka {
namespace {

struct Packet {
    size_t index;
    uint16_t linktype;
    ByteView data;
};

uint32_t rd32(const uint8_t* p, bool le) {
    return le ? (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24)
              : (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]);
}
uint16_t rd16(const uint8_t* p, bool le) { return le ? uint16_t(p[0] | p[1] << 8) : uint16_t(p[0] << 8 | p[1]); }
uint16_t be16(const uint8_t* p) { return rd16(p, false); }
uint32_t be32(const uint8_t* p) { return rd32(p, false); }

Result<std::vector<Packet>> read_pcapng(ByteView f) {
    std::vector<Packet> out;
    std::vector<uint16_t> links;  // per interface, for the current section
    bool le = true;
    size_t off = 0;
    while (off + 12 <= f.size) {
        const uint8_t* b = f.data + off;
        uint32_t type = rd32(b, le);
        if (type == 0x0A0D0D0A) {  // section header: sets the byte order
            uint32_t bom = rd32(b + 8, true);
            if (bom == 0x1A2B3C4D) le = true;
            else if (bom == 0x4D3C2B1A) le = false;
            else return client_errc::malformed;
            links.clear();
        }
        uint32_t len = rd32(b + 4, le);
        if (len < 12 || len % 4 != 0 || len > f.size - off) return client_errc::malformed;
        if (type == 1 && len >= 16) {  // interface description
            links.push_back(rd16(b + 8, le));
        } else if (type == 6 && len >= 32) {  // enhanced packet
            uint32_t iface = rd32(b + 8, le);
            uint32_t cap = rd32(b + 20, le);
            if (iface >= links.size() || cap > len - 32) return client_errc::malformed;
            out.push_back({out.size(), links[iface], ByteView(b + 28, cap)});
        } else if (type == 3 && len >= 16 && !links.empty()) {  // simple packet
            uint32_t orig = rd32(b + 8, le);
            uint32_t cap = std::min<uint32_t>(orig, len - 16);
            out.push_back({out.size(), links[0], ByteView(b + 12, cap)});
        }
        off += len;
    }
    if (off != f.size) return client_errc::truncated;
    return out;
}

Result<std::vector<Packet>> read_pcap(ByteView f) {
    if (f.size < 24) return client_errc::truncated;
    uint32_t magic = rd32(f.data, true);
    bool le = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    uint16_t link = static_cast<uint16_t>(rd32(f.data + 20, le));
    std::vector<Packet> out;
    size_t off = 24;
    while (off + 16 <= f.size) {
        uint32_t cap = rd32(f.data + off + 8, le);
        if (cap > f.size - off - 16) return client_errc::truncated;
        out.push_back({out.size(), link, ByteView(f.data + off + 16, cap)});
        off += 16 + cap;
    }
    if (off != f.size) return client_errc::truncated;
    return out;
}

struct Segment {
    std::string src, dst;  // "addr:port"
    uint16_t sport = 0, dport = 0;
    uint32_t seq = 0;
    bool syn = false, ack = false, fin = false, rst = false;
    ByteView payload;
};

std::string ip4(const uint8_t* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    return buf;
}
std::string ip6(const uint8_t* p) {
    std::string s = "[";
    for (int i = 0; i < 8; ++i) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%x", be16(p + 2 * i));
        if (i) s += ":";
        s += buf;
    }
    return s + "]";
}

// Link layer, IP and TCP headers; false for anything that is not TCP.
bool parse_tcp(const Packet& pkt, Segment& s) {
    const uint8_t* p = pkt.data.data;
    size_t n = pkt.data.size;
    uint16_t proto = 0;
    switch (pkt.linktype) {
    case 1:  // Ethernet, with optional 802.1Q tags
        if (n < 14) return false;
        proto = be16(p + 12);
        p += 14, n -= 14;
        while (proto == 0x8100 && n >= 4) proto = be16(p + 2), p += 4, n -= 4;
        break;
    case 0:  // BSD loopback: a host-order address family
        if (n < 4) return false;
        proto = (p[0] == 2 || p[3] == 2) ? 0x0800 : 0x86DD;
        p += 4, n -= 4;
        break;
    case 113:  // Linux cooked v1
        if (n < 16) return false;
        proto = be16(p + 14);
        p += 16, n -= 16;
        break;
    case 276:  // Linux cooked v2
        if (n < 20) return false;
        proto = be16(p);
        p += 20, n -= 20;
        break;
    case 101:  // raw IP
    case 12:
        if (n < 1) return false;
        proto = (p[0] >> 4) == 6 ? 0x86DD : 0x0800;
        break;
    default: return false;
    }
    if (proto == 0x0800) {
        if (n < 20 || (p[0] >> 4) != 4) return false;
        size_t ihl = (p[0] & 15) * 4u;
        size_t total = be16(p + 2);
        if (p[9] != 6 || ihl < 20 || total < ihl || total > n) return false;
        s.src = ip4(p + 12), s.dst = ip4(p + 16);
        p += ihl, n = total - ihl;
    } else if (proto == 0x86DD) {
        if (n < 40 || (p[0] >> 4) != 6) return false;
        size_t plen = be16(p + 4);
        if (p[6] != 6 || plen > n - 40) return false;  // no extension headers on loopback Kafka traffic
        s.src = ip6(p + 8), s.dst = ip6(p + 24);
        p += 40, n = plen;
    } else {
        return false;
    }
    if (n < 20) return false;
    size_t doff = (p[12] >> 4) * 4u;
    if (doff < 20 || doff > n) return false;
    s.sport = be16(p), s.dport = be16(p + 2);
    s.seq = be32(p + 4);
    uint8_t flags = p[13];
    s.fin = flags & 1, s.syn = flags & 2, s.rst = flags & 4, s.ack = flags & 16;
    s.payload = ByteView(p + doff, n - doff);
    s.src += ":" + std::to_string(s.sport);
    s.dst += ":" + std::to_string(s.dport);
    return true;
}

// One direction of a TCP stream, reassembled by sequence number.
struct Direction {
    bool have_base = false;
    uint32_t base = 0;                                       // sequence number of stream byte 0
    std::map<uint32_t, std::pair<ByteView, size_t>> segs;    // offset -> (bytes, packet index)

    void add(const Segment& s, size_t packet) {
        if (s.syn) {
            base = s.seq + 1, have_base = true;
            return;
        }
        if (s.payload.empty()) return;
        if (!have_base) base = s.seq, have_base = true;
        uint32_t off = s.seq - base;
        auto it = segs.find(off);
        if (it == segs.end() || it->second.first.size < s.payload.size) segs[off] = {s.payload, packet};
    }
    // The contiguous stream, and for each appended run the packet it came from.
    void build(Bytes& out, std::vector<std::pair<size_t, size_t>>& runs) const {
        for (const auto& [off, seg] : segs) {
            size_t cur = out.size();
            if (off > cur) break;  // a gap: stop at what is contiguous
            size_t end = off + seg.first.size;
            if (end <= cur) continue;  // a retransmission of bytes we have
            runs.emplace_back(cur, seg.second);
            out.insert(out.end(), seg.first.data + (cur - off), seg.first.data + seg.first.size);
        }
    }
};

struct Conn {
    std::string client, broker;
    size_t first_packet = 0;
    bool client_closed = false;
    Direction to_broker, to_client;
};

size_t packet_of(const std::vector<std::pair<size_t, size_t>>& runs, size_t offset) {
    auto it = std::upper_bound(runs.begin(), runs.end(), std::make_pair(offset, SIZE_MAX));
    return it == runs.begin() ? 0 : std::prev(it)->second;
}

struct PendingFrame {
    size_t packet;
    size_t offset;
    KcapFrame frame;
};

void split_frames(const Direction& d, bool request, int conn, std::vector<PendingFrame>& out) {
    Bytes stream;
    std::vector<std::pair<size_t, size_t>> runs;
    d.build(stream, runs);
    size_t off = 0;
    while (stream.size() - off >= 4) {
        uint32_t n = be32(stream.data() + off);
        if (n > stream.size() - off - 4) break;  // incomplete trailing frame
        KcapFrame f;
        f.request = request;
        f.conn = conn;
        f.bytes.assign(stream.begin() + off + 4, stream.begin() + off + 4 + n);
        Reader r(f.bytes);
        if (request) {
            f.api_key = r.i16();
            f.version = r.i16();
        }
        f.correlation_id = r.i32();
        out.push_back({packet_of(runs, off), off, std::move(f)});
        off += 4 + n;
    }
}

bool is_acks0_produce(const KcapFrame& f) {
    if (f.api_key != 0) return false;
    DecodedFrame d = decode_request_frame(f.bytes);
    const FieldNode* acks = d.body.find("acks");
    return acks && acks->text == "0";
}

}  // namespace

Result<KcapFile> pcap_to_kcap(ByteView file, const PcapOptions& options) {
    if (file.size < 4) return client_errc::truncated;
    uint32_t magic = rd32(file.data, true);
    Result<std::vector<Packet>> packets = magic == 0x0A0D0D0A ? read_pcapng(file)
                                          : (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1 || magic == 0xa1b23c4d ||
                                             magic == 0x4d3cb2a1)
                                              ? read_pcap(file)
                                              : Result<std::vector<Packet>>(client_errc::malformed);
    if (!packets) return packets.error();

    std::vector<Conn> conns;
    std::map<std::pair<std::string, std::string>, size_t> by_endpoints;  // (client, broker) -> conn
    auto is_broker_port = [&](uint16_t port) {
        return std::find(options.broker_ports.begin(), options.broker_ports.end(), port) != options.broker_ports.end();
    };
    for (const auto& pkt : *packets) {
        Segment s;
        if (!parse_tcp(pkt, s)) continue;
        auto fwd = by_endpoints.find({s.src, s.dst});
        auto rev = by_endpoints.find({s.dst, s.src});
        size_t ci;
        bool from_client;
        if (fwd != by_endpoints.end()) {
            ci = fwd->second, from_client = true;
        } else if (rev != by_endpoints.end()) {
            ci = rev->second, from_client = false;
        } else {
            // A new connection: who is the broker?
            if (!options.broker_ports.empty()) from_client = is_broker_port(s.dport) && !is_broker_port(s.sport);
            else if (s.syn) from_client = !s.ack;  // SYN from the client, SYN-ACK from the broker
            else from_client = s.dport < s.sport;
            Conn c;
            c.client = from_client ? s.src : s.dst;
            c.broker = from_client ? s.dst : s.src;
            c.first_packet = pkt.index;
            conns.push_back(std::move(c));
            ci = conns.size() - 1;
            by_endpoints[{conns[ci].client, conns[ci].broker}] = ci;
        }
        Conn& c = conns[ci];
        (from_client ? c.to_broker : c.to_client).add(s, pkt.index);
        if (from_client && (s.fin || s.rst)) c.client_closed = true;
    }

    KcapFile out;
    for (size_t i = 0; i < conns.size(); ++i) {
        const int id = static_cast<int>(i + 1);
        out.conns.push_back({id, conns[i].client, conns[i].broker});
        std::vector<PendingFrame> frames;
        split_frames(conns[i].to_broker, true, id, frames);
        split_frames(conns[i].to_client, false, id, frames);
        // Responses take the API and version of their request.
        std::map<int32_t, const KcapFrame*> requests;
        std::map<int32_t, bool> answered;
        for (const auto& p : frames)
            if (p.frame.request) requests[p.frame.correlation_id] = &p.frame;
        for (auto& p : frames) {
            if (p.frame.request) continue;
            auto it = requests.find(p.frame.correlation_id);
            if (it != requests.end()) {
                p.frame.api_key = it->second->api_key;
                p.frame.version = it->second->version;
                answered[p.frame.correlation_id] = true;
            }
        }
        if (options.drop_unanswered_at_close && conns[i].client_closed) {
            // Only a trailing run of unanswered requests is dropped.
            std::vector<size_t> req_idx;
            for (size_t k = 0; k < frames.size(); ++k)
                if (frames[k].frame.request) req_idx.push_back(k);
            std::sort(req_idx.begin(), req_idx.end(), [&](size_t a, size_t b) { return frames[a].offset < frames[b].offset; });
            std::vector<bool> drop(frames.size(), false);
            for (auto it = req_idx.rbegin(); it != req_idx.rend(); ++it) {
                const auto& f = frames[*it].frame;
                if (answered.count(f.correlation_id)) break;
                if (is_acks0_produce(f)) continue;
                drop[*it] = true;
            }
            std::vector<PendingFrame> kept;
            for (size_t k = 0; k < frames.size(); ++k)
                if (!drop[k]) kept.push_back(std::move(frames[k]));
            frames = std::move(kept);
        }
        std::stable_sort(frames.begin(), frames.end(), [](const PendingFrame& a, const PendingFrame& b) {
            return std::tie(a.packet, a.offset) < std::tie(b.packet, b.offset);
        });
        for (auto& p : frames) {
            p.frame.api_name = api_name(p.frame.api_key);
            out.frames.push_back(std::move(p.frame));
        }
    }
    return out;
}

}  // namespace kafka
