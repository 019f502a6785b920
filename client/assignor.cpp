#include "client/assignor.hpp"

#include <algorithm>
#include <set>
#include <tuple>

namespace kafka {
namespace {

using Partition = std::pair<std::string, int32_t>;

std::vector<const AssignorMember*> sorted_members(const std::vector<AssignorMember>& members) {
    std::vector<const AssignorMember*> out;
    for (const auto& m : members) out.push_back(&m);
    std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->member_id < b->member_id; });
    return out;
}

bool subscribed(const AssignorMember& m, const std::string& topic) {
    return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

// Every member appears in the result, even with nothing assigned.
std::map<std::string, TopicPartitions> empty_result(const std::vector<AssignorMember>& members) {
    std::map<std::string, TopicPartitions> out;
    for (const auto& m : members) out[m.member_id];
    return out;
}

void sort_result(std::map<std::string, TopicPartitions>& out) {
    for (auto& [member, topics] : out)
        for (auto& [t, ps] : topics) std::sort(ps.begin(), ps.end());
}

}  // namespace

std::unique_ptr<Assignor> make_assignor(const std::string& name) {
    if (name == "range") return std::make_unique<RangeAssignor>();
    if (name == "roundrobin") return std::make_unique<RoundRobinAssignor>();
    if (name == "cooperative-sticky") return std::make_unique<CooperativeStickyAssignor>();
    return nullptr;
}

std::map<std::string, TopicPartitions> RangeAssignor::assign(const std::vector<AssignorMember>& members,
                                                             const std::map<std::string, int32_t>& partitions) const {
    auto out = empty_result(members);
    auto sorted = sorted_members(members);
    for (const auto& [topic, count] : partitions) {
        std::vector<const AssignorMember*> subs;
        for (auto* m : sorted)
            if (subscribed(*m, topic)) subs.push_back(m);
        if (subs.empty() || count <= 0) continue;
        const int32_t n = static_cast<int32_t>(subs.size());
        const int32_t per = count / n, extra = count % n;
        for (int32_t i = 0; i < n; ++i) {
            int32_t start = i * per + std::min(i, extra);
            int32_t len = per + (i < extra ? 1 : 0);
            for (int32_t p = start; p < start + len; ++p) out[subs[i]->member_id][topic].push_back(p);
        }
    }
    return out;
}

std::map<std::string, TopicPartitions> RoundRobinAssignor::assign(
    const std::vector<AssignorMember>& members, const std::map<std::string, int32_t>& partitions) const {
    auto out = empty_result(members);
    auto sorted = sorted_members(members);
    if (sorted.empty()) return out;
    size_t next = 0;
    for (const auto& [topic, count] : partitions) {  // std::map: topics in name order
        for (int32_t p = 0; p < count; ++p) {
            for (size_t tries = 0; tries < sorted.size(); ++tries) {
                const AssignorMember* m = sorted[next];
                next = (next + 1) % sorted.size();
                if (subscribed(*m, topic)) {
                    out[m->member_id][topic].push_back(p);
                    break;
                }
            }
        }
    }
    return out;
}

std::map<std::string, TopicPartitions> CooperativeStickyAssignor::assign(
    const std::vector<AssignorMember>& members, const std::map<std::string, int32_t>& partitions) const {
    auto out = empty_result(members);
    auto sorted = sorted_members(members);
    if (sorted.empty()) return out;

    // Every partition some member may take.
    std::vector<Partition> all;
    for (const auto& entry : partitions) {
        const std::string& topic = entry.first;  // a structured binding cannot be captured in C++17
        bool wanted = std::any_of(sorted.begin(), sorted.end(), [&](auto* m) { return subscribed(*m, topic); });
        if (!wanted) continue;
        for (int32_t p = 0; p < entry.second; ++p) all.emplace_back(topic, p);
    }

    // 1. Previous owners keep their claims; on a double claim the newer generation wins.
    std::vector<const AssignorMember*> by_generation = sorted;
    std::stable_sort(by_generation.begin(), by_generation.end(),
                     [](auto* a, auto* b) { return a->generation > b->generation; });
    std::map<Partition, std::string> previous_owner;
    std::map<std::string, std::vector<Partition>> kept;
    for (auto* m : by_generation) {
        for (const auto& [topic, ps] : m->owned) {
            auto it = partitions.find(topic);
            if (it == partitions.end() || !subscribed(*m, topic)) continue;
            for (int32_t p : ps) {
                if (p < 0 || p >= it->second) continue;
                Partition tp{topic, p};
                if (previous_owner.count(tp)) continue;
                previous_owner[tp] = m->member_id;
                kept[m->member_id].push_back(tp);
            }
        }
    }

    // 2. Trim to quota: at most ceil(P/M) each, and only P % M members may hold the ceiling.
    const size_t members_n = sorted.size();
    const size_t min_quota = all.size() / members_n;
    const size_t max_quota = min_quota + (all.size() % members_n ? 1 : 0);
    size_t ceiling_slots = all.size() % members_n;
    std::vector<const AssignorMember*> by_load = sorted;
    std::stable_sort(by_load.begin(), by_load.end(),
                     [&](auto* a, auto* b) { return kept[a->member_id].size() > kept[b->member_id].size(); });
    for (auto* m : by_load) {
        auto& mine = kept[m->member_id];
        std::sort(mine.begin(), mine.end());
        size_t allowed = max_quota;
        if (max_quota != min_quota) {
            if (mine.size() >= max_quota && ceiling_slots > 0) --ceiling_slots;
            else allowed = min_quota;
        }
        if (mine.size() > allowed) mine.resize(allowed);  // the surplus is released
    }

    // 3. Hand out everything unclaimed to the least-loaded subscribed member.
    std::set<Partition> taken;
    for (auto& [member, ps] : kept) taken.insert(ps.begin(), ps.end());
    std::map<std::string, std::vector<Partition>> result = kept;
    for (const auto& tp : all) {
        if (taken.count(tp)) continue;
        const AssignorMember* best = nullptr;
        for (auto* m : sorted) {
            if (!subscribed(*m, tp.first)) continue;
            if (!best || result[m->member_id].size() < result[best->member_id].size()) best = m;
        }
        if (best) result[best->member_id].push_back(tp);
    }

    // 4. Cooperative: a partition moving from a live member to another is
    // withheld this round; its owner revokes it and rejoins, and the follow-up
    // rebalance assigns it.
    std::set<std::string> live;
    for (auto* m : sorted) live.insert(m->member_id);
    for (auto& [member, ps] : result) {
        for (const auto& tp : ps) {
            auto prev = previous_owner.find(tp);
            if (prev != previous_owner.end() && prev->second != member && live.count(prev->second)) continue;
            out[member][tp.first].push_back(tp.second);
        }
    }
    sort_result(out);
    return out;
}

}  // namespace kafka
