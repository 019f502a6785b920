#include <doctest/doctest.h>

#include <algorithm>

#include "client/assignor.hpp"

using namespace kafka;

namespace {

AssignorMember member(std::string id, std::vector<std::string> topics, TopicPartitions owned = {}, int32_t gen = -1) {
    AssignorMember m;
    m.member_id = std::move(id);
    m.topics = std::move(topics);
    m.owned = std::move(owned);
    m.generation = gen;
    return m;
}

size_t count(const TopicPartitions& tp) {
    size_t n = 0;
    for (auto& [t, ps] : tp) n += ps.size();
    return n;
}

}  // namespace

TEST_CASE("range: contiguous ranges per topic, extras to the first members (as Java)") {
    RangeAssignor a;
    auto out = a.assign({member("c2", {"t"}), member("c1", {"t"})}, {{"t", 5}});
    CHECK(out["c1"]["t"] == std::vector<int32_t>{0, 1, 2});
    CHECK(out["c2"]["t"] == std::vector<int32_t>{3, 4});
    // Two topics of 3 partitions, two members: the first gets 2 of each (Java's known imbalance).
    out = a.assign({member("a", {"x", "y"}), member("b", {"x", "y"})}, {{"x", 3}, {"y", 3}});
    CHECK(out["a"]["x"] == std::vector<int32_t>{0, 1});
    CHECK(out["a"]["y"] == std::vector<int32_t>{0, 1});
    CHECK(out["b"]["x"] == std::vector<int32_t>{2});
}

TEST_CASE("roundrobin: partitions dealt in turn, skipping unsubscribed members") {
    RoundRobinAssignor a;
    auto out = a.assign({member("a", {"x", "y"}), member("b", {"x", "y"})}, {{"x", 3}, {"y", 3}});
    CHECK(out["a"]["x"] == std::vector<int32_t>{0, 2});
    CHECK(out["a"]["y"] == std::vector<int32_t>{1});
    CHECK(out["b"]["x"] == std::vector<int32_t>{1});
    CHECK(out["b"]["y"] == std::vector<int32_t>{0, 2});
    out = a.assign({member("a", {"x"}), member("b", {"y"})}, {{"x", 2}, {"y", 2}});
    CHECK(out["a"]["x"] == std::vector<int32_t>{0, 1});
    CHECK(out["b"]["y"] == std::vector<int32_t>{0, 1});
}

TEST_CASE("cooperative-sticky: a joining member takes only the surplus, withheld for one round") {
    CooperativeStickyAssignor a;
    // Round 1: two members split 8 partitions.
    auto r1 = a.assign({member("a", {"t"}), member("b", {"t"})}, {{"t", 8}});
    CHECK(count(r1["a"]) == 4);
    CHECK(count(r1["b"]) == 4);
    // Round 2: c joins. a and b keep what they can; nothing moves straight to c.
    auto r2 = a.assign({member("a", {"t"}, r1["a"], 1), member("b", {"t"}, r1["b"], 1), member("c", {"t"})},
                       {{"t", 8}});
    CHECK(count(r2["c"]) == 0);
    CHECK(count(r2["a"]) == 3);
    CHECK(count(r2["b"]) == 3);
    for (int32_t p : r2["a"]["t"]) CHECK(std::count(r1["a"]["t"].begin(), r1["a"]["t"].end(), p) == 1);
    for (int32_t p : r2["b"]["t"]) CHECK(std::count(r1["b"]["t"].begin(), r1["b"]["t"].end(), p) == 1);
    // Round 3: after a and b revoked, c gets the two released partitions; nobody else moves.
    auto r3 = a.assign({member("a", {"t"}, r2["a"], 2), member("b", {"t"}, r2["b"], 2), member("c", {"t"}, {}, 2)},
                       {{"t", 8}});
    CHECK(r3["a"] == r2["a"]);
    CHECK(r3["b"] == r2["b"]);
    CHECK(count(r3["c"]) == 2);
    // A member leaves: its partitions go to the survivors at once (nobody must revoke them).
    auto r4 = a.assign({member("a", {"t"}, r3["a"], 3), member("b", {"t"}, r3["b"], 3)}, {{"t", 8}});
    CHECK(count(r4["a"]) == 4);
    CHECK(count(r4["b"]) == 4);
}

TEST_CASE("assignors by name") {
    CHECK(std::string(make_assignor("range")->name()) == "range");
    CHECK(std::string(make_assignor("roundrobin")->name()) == "roundrobin");
    CHECK(make_assignor("cooperative-sticky")->protocol() == RebalanceProtocol::cooperative);
    CHECK(make_assignor("nope") == nullptr);
}
