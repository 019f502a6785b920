// Incremental fetch sessions (KIP-227) without a broker.
#include <doctest/doctest.h>

#include "client/consumer_fetch_session.hpp"

using namespace kafka;

namespace {

FetchWant want(const std::shared_ptr<const std::string>& t, int32_t p, int64_t offset) {
    FetchWant w;
    w.topic = t;
    w.partition = p;
    w.fetch_offset = offset;
    w.max_bytes = 1000;
    return w;
}

size_t listed(const FetchRequest& r) {
    size_t n = 0;
    for (const auto& t : r.topics) n += t.partitions.size();
    return n;
}

}  // namespace

TEST_CASE("fetch session: full, then incremental with only what changed, forgotten partitions") {
    auto a = std::make_shared<const std::string>("a");
    auto b = std::make_shared<const std::string>("b");
    FetchSession s;
    FetchParams params;
    std::vector<FetchWant> wants{want(a, 0, 10), want(a, 1, 20), want(b, 0, 30)};

    FetchRequest full = s.build(wants, 11, params);
    CHECK(s.last_was_full());
    CHECK(full.session_id == 0);
    CHECK(full.session_epoch == 0);
    CHECK(listed(full) == 3);
    REQUIRE(full.topics.size() == 2);
    CHECK(full.topics[0].topic == "a");
    CHECK(full.topics[0].partitions[1].fetch_offset == 20);
    s.on_response(0, 77);
    CHECK(s.id() == 77);
    CHECK(s.epoch() == 1);
    CHECK(s.size() == 3);

    // Nothing moved: an empty incremental request.
    FetchRequest inc = s.build(wants, 11, params);
    CHECK(!s.last_was_full());
    CHECK(inc.session_id == 77);
    CHECK(inc.session_epoch == 1);
    CHECK(listed(inc) == 0);
    CHECK(inc.forgotten_topics_data.empty());
    s.on_response(0, 77);
    CHECK(s.epoch() == 2);

    // a-1 got data (new offset), b-0 is paused: one listed, one forgotten.
    wants = {want(a, 0, 10), want(a, 1, 25)};
    inc = s.build(wants, 11, params);
    REQUIRE(listed(inc) == 1);
    CHECK(inc.topics[0].partitions[0].partition == 1);
    CHECK(inc.topics[0].partitions[0].fetch_offset == 25);
    REQUIRE(inc.forgotten_topics_data.size() == 1);
    CHECK(inc.forgotten_topics_data[0].topic == "b");
    CHECK(inc.forgotten_topics_data[0].partitions == std::vector<int32_t>{0});
    s.on_response(0, 77);
    CHECK(s.size() == 2);

    // b-0 back: added again.
    wants.push_back(want(b, 0, 30));
    inc = s.build(wants, 11, params);
    CHECK(listed(inc) == 1);
    CHECK(inc.topics[0].topic == "b");
    s.on_response(0, 77);
    CHECK(s.epoch() == 4);
}

TEST_CASE("fetch session: errors and failures make the next fetch full") {
    auto a = std::make_shared<const std::string>("a");
    std::vector<FetchWant> wants{want(a, 0, 1)};
    FetchParams params;

    FetchSession s;
    s.build(wants, 11, params);
    s.on_response(0, 5);
    s.build(wants, 11, params);
    s.on_response(static_cast<int16_t>(errc::invalid_fetch_session_epoch), 0);
    FetchRequest r = s.build(wants, 11, params);
    CHECK(s.last_was_full());
    CHECK(r.session_id == 5);  // closes the old session, opens a new one
    CHECK(r.session_epoch == 0);
    CHECK(listed(r) == 1);

    s.on_response(static_cast<int16_t>(errc::fetch_session_id_not_found), 0);
    r = s.build(wants, 11, params);
    CHECK(r.session_id == 0);
    CHECK(r.session_epoch == 0);

    s.on_response(0, 9);
    s.build(wants, 11, params);
    s.on_failure();  // the connection died
    r = s.build(wants, 11, params);
    CHECK(s.last_was_full());
    CHECK(r.session_id == 9);
    CHECK(r.session_epoch == 0);

    // A broker that opens no session (id 0): every fetch stays full.
    FetchSession none;
    none.build(wants, 11, params);
    none.on_response(0, 0);
    r = none.build(wants, 11, params);
    CHECK(none.last_was_full());
    CHECK(r.session_epoch == 0);
    CHECK(listed(r) == 1);
}

TEST_CASE("fetch session: Fetch v0-6 have none, v13 names topics by id, the request encodes") {
    auto a = std::make_shared<const std::string>("a");
    FetchParams params;
    params.isolation_level = 1;
    FetchSession s;
    FetchRequest r = s.build({want(a, 0, 3)}, 4, params);
    CHECK(r.session_id == 0);
    CHECK(r.session_epoch == -1);
    CHECK(r.isolation_level == 1);
    s.on_response(0, 0);
    Writer w;
    r.encode(w, 4);
    CHECK(w.ok());

    FetchWant byid = want(a, 0, 3);
    byid.topic_id.bytes[0] = 42;
    FetchSession s13;
    r = s13.build({byid}, 13, params);
    REQUIRE(r.topics.size() == 1);
    CHECK(r.topics[0].topic.empty());
    CHECK(r.topics[0].topic_id == byid.topic_id);
    Writer w13;
    r.encode(w13, 13);
    CHECK(w13.ok());
    Writer w0;
    FetchSession s0;
    s0.build({want(a, 0, 3)}, 0, FetchParams{}).encode(w0, 0);
    CHECK(w0.ok());
}
