// Two consumers in one group share a topic: the group gives each a part of
// the partitions, and between them they read every record once.
//
//     group_share BROKERS TOPIC GROUP                  two consumers, a and b, on two threads
//     group_share BROKERS TOPIC GROUP --member NAME    one consumer: start two of these at once
//
// Each prints the partitions it was given (and gave back: leaving the group
// at the end gives back all) and how many records it read from where; with
// two threads the program also checks that together they read every record
// from where the group stood to the end, none of them twice. They stop once
// the group has committed up to the end the topic had when they started (or
// after a minute).
//
// No record is read twice because each consumer commits what it has read
// before its partitions can move: after every batch, and when the group takes
// partitions back (on_revoked). Whoever is given a partition next starts at
// that commit.
//
// The kafka-python equivalent (run it twice at once):
//     consumer = KafkaConsumer(bootstrap_servers=brokers, group_id=group,
//                              client_id=name, auto_offset_reset='earliest',
//                              enable_auto_commit=False)
//     class CommitOnRevoke(ConsumerRebalanceListener):
//         def on_partitions_revoked(self, revoked): consumer.commit()
//         def on_partitions_assigned(self, assigned): print(name, 'assigned', assigned)
//     consumer.subscribe([topic], listener=CommitOnRevoke())
//     while not done():
//         for tp, records in consumer.poll(timeout_ms=500).items():
//             read[tp] += len(records)
//         consumer.commit()
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/consumer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using OffsetCounts = std::map<kafka::TopicPartition, std::map<int64_t, int>>;  // offset -> times read

// The work to share: from where the group stands (its commit, else the
// partition's first offset) to the end offsets of now.
struct Snapshot {
    std::map<kafka::TopicPartition, int64_t> start, end;
};

kafka::Properties member_settings(const std::string& brokers, const std::string& group, const std::string& name) {
    return {{"bootstrap.servers", brokers},
            {"group.id", group},
            {"client.id", name},
            {"auto.offset.reset", "earliest"},
            {"enable.auto.commit", "false"},
            // Quick to notice members that come and go (the defaults suit brokers far away).
            {"session.timeout.ms", "10000"},
            {"heartbeat.interval.ms", "500"}};
}

bool take_snapshot(kafka::Consumer& consumer, const std::string& topic, Snapshot& s) {
    auto ids = consumer.partitions_for(topic);
    if (!ids) {
        std::fprintf(stderr, "group_share: %s: %s\n", topic.c_str(), ids.error().message().c_str());
        return false;
    }
    std::vector<kafka::TopicPartition> partitions;
    for (int32_t p : *ids) partitions.push_back({topic, p});
    auto first = consumer.beginning_offsets(partitions);
    auto end = consumer.end_offsets(partitions);
    auto committed = consumer.committed(partitions);
    if (!first || !end || !committed) {
        std::fprintf(stderr, "group_share: cannot read the offsets of %s\n", topic.c_str());
        return false;
    }
    s.end = *end;
    for (const auto& tp : partitions) {
        const auto& c = committed->at(tp);
        s.start[tp] = c ? c->offset : first->at(tp);
    }
    return true;
}

// Has the group committed up to the snapshot's end everywhere?
bool group_is_done(kafka::Consumer& consumer, const Snapshot& s) {
    std::vector<kafka::TopicPartition> partitions;
    for (const auto& [tp, end] : s.end) partitions.push_back(tp);
    auto committed = consumer.committed(partitions);
    if (!committed) return false;
    for (const auto& [tp, end] : s.end) {
        const auto& c = committed->at(tp);
        if ((c ? c->offset : s.start.at(tp)) < end) return false;
    }
    return true;
}

std::string names(const std::vector<kafka::TopicPartition>& partitions) {
    std::string out;
    for (const auto& tp : partitions) out += (out.empty() ? "" : " ") + tp.to_string();
    return out.empty() ? "(none)" : out;
}

// "testnum-0 offsets 0-166 (167)" per partition, and re-reads if any.
void print_reads(const std::string& name, const OffsetCounts& read) {
    long total = 0;
    std::string parts;
    for (const auto& [tp, offsets] : read) {
        long n = 0, twice = 0;
        for (const auto& [offset, times] : offsets) {
            n += times;
            twice += times - 1;
        }
        total += n;
        parts += ", " + tp.to_string() + " offsets " + std::to_string(offsets.begin()->first) + "-" +
                 std::to_string(offsets.rbegin()->first) + " (" + std::to_string(n) +
                 (twice ? ", " + std::to_string(twice) + " read again" : "") + ")";
    }
    std::printf("%s: read %ld record(s)%s\n", name.c_str(), total, parts.c_str());
}

// One group member: reads until the group is done, then leaves it.
OffsetCounts run_member(const std::string& brokers, const std::string& topic, const std::string& group,
                        const std::string& name, const Snapshot* shared) {
    OffsetCounts read;
    try {
        kafka::Consumer consumer(member_settings(brokers, group, name));
        Snapshot own;
        if (!shared && !take_snapshot(consumer, topic, own)) return read;
        const Snapshot& work = shared ? *shared : own;

        bool uncommitted = false;  // read records whose offsets are not committed yet
        auto commit = [&](const char* when) {
            if (auto ec = consumer.commit_sync())
                std::fprintf(stderr, "%s: commit %s: %s\n", name.c_str(), when, ec.message().c_str());
            else uncommitted = false;
        };
        kafka::RebalanceListener listener;
        listener.on_assigned = [&](const std::vector<kafka::TopicPartition>& ps) {
            std::printf("%s: assigned %s\n", name.c_str(), names(ps).c_str());
            std::fflush(stdout);
        };
        listener.on_revoked = [&](const std::vector<kafka::TopicPartition>& ps) {
            // They are about to move: commit what was read, so that the next owner goes on from there.
            if (uncommitted) commit("on revoke");
            std::printf("%s: revoked %s\n", name.c_str(), names(ps).c_str());
            std::fflush(stdout);
        };
        consumer.subscribe({topic}, listener);

        const auto give_up = Clock::now() + std::chrono::minutes(1);
        while (Clock::now() < give_up) {
            kafka::ConsumerRecords records = consumer.poll(std::chrono::milliseconds(500));
            for (const kafka::ConsumerRecord& r : records) {
                ++read[{r.topic(), r.partition()}][r.offset()];
                uncommitted = true;
            }
            for (const kafka::ConsumerEvent& e : records.events())
                std::fprintf(stderr, "%s: %s\n", name.c_str(), e.message.c_str());
            if (uncommitted) {
                commit("after a batch");
            } else if (records.empty() && group_is_done(consumer, work)) {
                break;
            }
        }
        consumer.close();  // leaves the group
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.what());
    }
    return read;
}

// Together: every offset of the snapshot read once, none missing.
bool check_together(const Snapshot& s, const std::vector<const OffsetCounts*>& members) {
    long expected = 0, got = 0, twice = 0, missing = 0;
    for (const auto& [tp, end] : s.end) {
        for (int64_t offset = s.start.at(tp); offset < end; ++offset) {
            ++expected;
            int times = 0;
            for (const OffsetCounts* m : members) {
                auto p = m->find(tp);
                if (p == m->end()) continue;
                auto o = p->second.find(offset);
                if (o != p->second.end()) times += o->second;
            }
            if (times == 0) ++missing;
            else ++got;
            if (times > 1) twice += times - 1;
        }
    }
    std::printf("together: %ld of %ld record(s), %ld missing, %ld read twice\n", got, expected, missing, twice);
    return missing == 0 && twice == 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4 && !(argc == 6 && std::string(argv[4]) == "--member")) {
        std::fprintf(stderr, "usage: group_share BROKERS TOPIC GROUP [--member NAME]\n");
        return 2;
    }
    const std::string brokers = argv[1], topic = argv[2], group = argv[3];

    if (argc == 6) {  // one member of the group; another process is the other
        const std::string name = argv[5];
        print_reads(name, run_member(brokers, topic, group, name, nullptr));
        return 0;
    }

    // Two members on two threads, one Consumer each (a Consumer is used by one thread).
    Snapshot work;
    {
        kafka::Consumer look(member_settings(brokers, group, "group_share"));
        if (!take_snapshot(look, topic, work)) return 1;
    }
    OffsetCounts a, b;
    std::thread ta([&] { a = run_member(brokers, topic, group, "a", &work); });
    std::thread tb([&] { b = run_member(brokers, topic, group, "b", &work); });
    ta.join();
    tb.join();
    print_reads("a", a);
    print_reads("b", b);
    return check_together(work, {&a, &b}) ? 0 : 1;
}
