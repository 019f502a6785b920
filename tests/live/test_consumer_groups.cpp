// Consumer groups on the librdkafka mock: members splitting partitions,
// joining and leaving, cooperative rebalancing, commits that survive a
// restart. Every member polls on its own thread; every wait is bounded.
#include <ostream>  // doctest prints std::error_code through it

#include <doctest/doctest.h>

#include "test_consumer_support.hpp"

using namespace kafka;
using namespace kafka::test;

namespace {

size_t total(const std::vector<const Member*>& ms) {
    size_t n = 0;
    for (auto* m : ms) n += m->owned().size();
    return n;
}

// Every value "m-<p>-<i>" for p < partitions and from <= i < to.
std::set<std::string> expected(int partitions, int from, int to, const std::string& prefix = "m") {
    std::set<std::string> out;
    for (int p = 0; p < partitions; ++p)
        for (int i = from; i < to; ++i) out.insert(prefix + "-" + std::to_string(p) + "-" + std::to_string(i));
    return out;
}

void produce_range(TestProducer& prod, const std::string& topic, int partitions, int from, int to,
                   const std::string& prefix = "m") {
    for (int32_t p = 0; p < partitions; ++p) {
        std::vector<TestRecord> recs;
        for (int i = from; i < to; ++i)
            recs.push_back({"k", prefix + "-" + std::to_string(p) + "-" + std::to_string(i), {}});
        prod.produce(topic, p, recs);
    }
}

}  // namespace

// The mock answers OffsetCommit with REBALANCE_IN_PROGRESS once a rebalance
// has started (a real broker accepts the current generation's commits until
// the new one exists), so the commit made when partitions are given back
// fails there. Membership changes therefore wait until the auto commit has
// stored what was read. Duplicates remain possible when the mock starts a
// rebalance on its own (it fails a member's SyncGroup that arrives after the
// leader's, and that member joins again): they are reported, not failed.
// That quirk once kept a newly joined member out for good (each round the
// leader's SyncGroup won the race); the leader now lets followers go first.
TEST_CASE("live group: two members split 8 partitions, a third joins, one leaves, nothing is lost") {
    for (std::string strategy : {"range", "roundrobin"}) {
        CAPTURE(strategy);
        MockCluster mock(3);
        mock.create_topic("g8", 8);
        TestProducer prod(mock);
        produce_range(prod, "g8", 8, 0, 100);
        auto props = consumer_props(mock, "split-" + strategy);
        props.set("partition.assignment.strategy", strategy);
        props.set("auto.commit.interval.ms", "100");

        auto m1 = std::make_unique<Member>(props, std::vector<std::string>{"g8"});
        auto m2 = std::make_unique<Member>(props, std::vector<std::string>{"g8"});
        REQUIRE(wait_for([&] { return m1->owned().size() == 4 && m2->owned().size() == 4; }));
        produce_range(prod, "g8", 8, 100, 200);
        std::unique_ptr<Member> m3;
        auto settled = [&](size_t n) {
            CHECK(wait_for([&] { return m1->count() + m2->count() + (m3 ? m3->count() : 0) >= n; }));
            std::this_thread::sleep_for(400ms);  // a few auto commits
        };
        settled(1600);

        m3 = std::make_unique<Member>(props, std::vector<std::string>{"g8"});
        REQUIRE(wait_for([&] {
            return total({m1.get(), m2.get(), m3.get()}) == 8 && !m1->owned().empty() && !m2->owned().empty() &&
                   !m3->owned().empty();
        }));
        produce_range(prod, "g8", 8, 200, 300);
        settled(2400);

        m2->close();
        REQUIRE(wait_for([&] { return m1->owned().size() + m3->owned().size() == 8; }));
        produce_range(prod, "g8", 8, 300, 400);

        auto want = expected(8, 0, 400);
        auto all_seen = [&] {
            std::set<std::string> got;
            for (auto* m : {m1.get(), m2.get(), m3.get()})
                for (const auto& [v, n] : m->seen()) got.insert(v);
            return got;
        };
        CHECK(wait_for([&] { return all_seen().size() == want.size(); }));
        auto got = all_seen();
        CHECK(got == want);
        size_t deliveries = m1->count() + m2->count() + m3->count();
        MESSAGE(strategy << ": " << want.size() << " records, " << deliveries - got.size() << " seen twice");
        if (deliveries != got.size()) {
            std::map<std::string, std::string> twice;  // partition -> "member:value ..."
            int idx = 0;
            std::map<std::string, int> all;
            for (auto* m : {m1.get(), m2.get(), m3.get()}) {
                ++idx;
                for (const auto& [v, n] : m->seen()) {
                    all[v] += n;
                    if (n > 1) twice[v.substr(0, v.rfind('-'))] += " m" + std::to_string(idx) + ":" + v;
                }
            }
            std::map<std::string, std::pair<std::string, std::string>> ranges;
            for (const auto& [v, n] : all) {
                if (n < 2) continue;
                auto& r = ranges[v.substr(0, v.rfind('-'))];
                if (r.first.empty()) r.first = v;
                r.second = v;
            }
            for (const auto& [p, r] : ranges) MESSAGE("twice in " << p << ": " << r.first << " .. " << r.second);
        }
        // Positions are committed before partitions move, so on a broker no
        // record is read twice; on the mock, a commit racing the start of a
        // rebalance is refused (see above), and what it covered comes again.
        WARN(deliveries == got.size());
        for (auto* m : {m1.get(), m2.get(), m3.get()})
            for (const auto& e : m->errors()) MESSAGE("event: " << e);
        m1->close();
        m3->close();
    }
}

TEST_CASE("live group: cooperative-sticky moves only the partitions that must move") {
    MockCluster mock(1);
    mock.create_topic("coop", 8);
    TestProducer prod(mock);
    produce_range(prod, "coop", 8, 0, 50);
    auto props = consumer_props(mock, "coop-group");
    props.set("partition.assignment.strategy", "cooperative-sticky");
    props.set("auto.commit.interval.ms", "100");

    auto m1 = std::make_unique<Member>(props, std::vector<std::string>{"coop"});
    auto m2 = std::make_unique<Member>(props, std::vector<std::string>{"coop"});
    REQUIRE(wait_for([&] { return m1->owned().size() == 4 && m2->owned().size() == 4; }));
    auto before1 = m1->owned(), before2 = m2->owned();
    auto revoked_before = m1->revoked_events().size() + m2->revoked_events().size();

    auto m3 = std::make_unique<Member>(props, std::vector<std::string>{"coop"});
    REQUIRE(wait_for([&] { return m3->owned().size() >= 2 && total({m1.get(), m2.get(), m3.get()}) == 8; }));
    // Partitions that stayed were never given back.
    size_t revoked = 0;
    for (auto* m : {m1.get(), m2.get()}) {
        auto ev = m->revoked_events();
        for (size_t i = 0; i < ev.size(); ++i) revoked += ev[i].size();
    }
    auto after1 = m1->owned(), after2 = m2->owned();
    size_t kept = 0;
    for (const auto& tp : after1) kept += before1.count(tp);
    for (const auto& tp : after2) kept += before2.count(tp);
    CHECK(kept == after1.size() + after2.size());  // nothing new went to the old members
    CHECK(revoked == m3->owned().size());             // exactly what the newcomer got was revoked
    CHECK(revoked_before == 0);
    produce_range(prod, "coop", 8, 50, 100);
    auto want = expected(8, 0, 100);
    CHECK(wait_for([&] {
        std::set<std::string> got;
        for (auto* m : {m1.get(), m2.get(), m3.get()})
            for (const auto& [v, n] : m->seen()) got.insert(v);
        return got == want;
    }));
    m1->close();
    m2->close();
    m3->close();
}

TEST_CASE("live group: auto commit and manual commit resume at the right offset after a restart") {
    MockCluster mock(1);
    mock.create_topic("resume", 2);
    TestProducer prod(mock);
    produce_range(prod, "resume", 2, 0, 50);

    SUBCASE("auto commit: close() commits what was polled") {
        auto props = consumer_props(mock, "resume-auto");
        {
            Consumer c(props);
            c.subscribe({"resume"});
            int n = 0;
            poll_until(c, [&] { return n == 100; }, [&](const ConsumerRecord&) { ++n; });
            REQUIRE(n == 100);
            c.close();
        }
        produce_range(prod, "resume", 2, 50, 60);
        Consumer c(props);
        c.subscribe({"resume"});
        std::set<std::string> got;
        poll_until(c, [&] { return got.size() == 20; }, [&](const ConsumerRecord& r) { got.emplace(r.value()); });
        CHECK(got == expected(2, 50, 60));
        CHECK(c.poll(std::chrono::milliseconds(300)).empty());
        auto committed = c.committed({{"resume", 0}, {"resume", 1}});
        REQUIRE(committed.has_value());
        c.commit_sync();
        auto lag = c.lag();
        REQUIRE(lag.has_value());
        CHECK((*lag)[{"resume", 0}].lag == 0);
        CHECK((*lag)[{"resume", 0}].end_offset == 60);
    }
    SUBCASE("manual commit: exactly the offsets committed, sync and async") {
        auto props = consumer_props(mock, "resume-manual");
        props.set("enable.auto.commit", "false");
        {
            Consumer c(props);
            c.assign({{"resume", 0}, {"resume", 1}});
            int n = 0;
            poll_until(c, [&] { return n == 100; }, [&](const ConsumerRecord&) { ++n; });
            REQUIRE(!c.commit_sync({{{"resume", 0}, {17, "meta", -1}}}));
            bool called = false;
            std::error_code cb_ec;
            c.commit_async({{{"resume", 1}, {33, "", -1}}}, [&](std::error_code ec, const TopicPartitionOffsets& o) {
                called = true;
                cb_ec = ec;
                CHECK(o.size() == 1);
            });
            poll_until(c, [&] { return called; }, [](const ConsumerRecord&) {}, 10s);
            CHECK(called);
            CHECK(!cb_ec);
            auto committed = c.committed({{"resume", 0}, {"resume", 1}});
            REQUIRE(committed.has_value());
            REQUIRE((*committed)[{"resume", 0}].has_value());
            CHECK((*committed)[{"resume", 0}]->offset == 17);
            CHECK((*committed)[{"resume", 0}]->metadata == "meta");
            CHECK((*committed)[{"resume", 1}]->offset == 33);
            auto lag = c.lag();
            REQUIRE(lag.has_value());
            CHECK((*lag)[{"resume", 0}].lag == 33);
            c.close();  // auto commit is off: nothing more is committed
        }
        Consumer c(props);
        c.subscribe({"resume"});
        std::map<int32_t, int64_t> first;
        int n = 0;
        poll_until(c, [&] { return n == 33 + 17; }, [&](const ConsumerRecord& r) {
            if (!first.count(r.partition())) first[r.partition()] = r.offset();
            ++n;
        });
        CHECK(first[0] == 17);
        CHECK(first[1] == 33);
        CHECK(n == 50);
    }
}

TEST_CASE("live group: a member that stops polling leaves the group and is told") {
    MockCluster mock(1);
    mock.create_topic("slow", 2);
    TestProducer prod(mock);
    produce_range(prod, "slow", 2, 0, 10);
    auto props = consumer_props(mock, "slow-group");
    props.set("max.poll.interval.ms", "1500");
    Consumer c(props);
    std::vector<std::vector<TopicPartition>> lost;
    RebalanceListener l;
    l.on_lost = [&](const std::vector<TopicPartition>& ps) { lost.push_back(ps); };
    c.subscribe({"slow"}, l);
    int n = 0;
    poll_until(c, [&] { return n == 20; }, [&](const ConsumerRecord&) { ++n; });
    REQUIRE(n == 20);
    std::this_thread::sleep_for(2500ms);  // no poll: the io thread leaves the group
    std::optional<ConsumerEvent> told;
    auto recs = c.poll(100ms);
    for (const auto& e : recs.events()) told = e;
    REQUIRE(told.has_value());
    CHECK(told->message.find("max.poll.interval.ms") != std::string::npos);
    CHECK(lost.size() == 1);
    // The next polls join again and get the partitions back.
    produce_range(prod, "slow", 2, 10, 11);
    std::set<std::string> got;
    poll_until(c, [&] { return got.count("m-0-10") && got.count("m-1-10"); },
               [&](const ConsumerRecord& r) { got.emplace(r.value()); }, 15s);
    CHECK(got.count("m-0-10") == 1);
    CHECK(got.count("m-1-10") == 1);
    CHECK(c.assignment().size() == 2);
}
