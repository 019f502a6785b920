// Running kcli and the peers (kcat, /usr/bin/python3) as child processes for
// the admin, kcli and proxy tests: every run is bounded in time and every
// process started is stopped. JSON output is checked with Python's json
// module, a parser we did not write.
#pragma once

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <asio/io_context.hpp>

#include "mock_cluster.hpp"
#include "net/connection.hpp"
#include "protocol/messages/find_coordinator.hpp"
#include "protocol/messages/offset_commit.hpp"

extern char** environ;

namespace kafka::test {

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void spit(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A fresh directory under /tmp, removed with its files at scope end.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/kcli-test-XXXXXX";
        const char* d = mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        path_ = d;
    }
    ~TempDir() {
        std::string cmd = "rm -rf '" + path_ + "'";
        if (std::system(cmd.c_str()) != 0) {
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// The build directory of this test binary (<build>/tests/live/kafka_live_tests).
inline std::string build_root() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    REQUIRE(n > 0);
    std::string dir(buf, static_cast<size_t>(n));
    for (int up = 0; up < 3; ++up) dir = dir.substr(0, dir.rfind('/'));
    return dir;
}

// The kcli of this build (<build>/tools/kcli); KCLI in the environment overrides it.
inline std::string kcli_path() {
    if (const char* env = std::getenv("KCLI")) return env;
    std::string path = build_root() + "/tools/kcli";
    REQUIRE_MESSAGE(access(path.c_str(), X_OK) == 0, "kcli not built at " << path << " (build the kcli target)");
    return path;
}

// The replay broker process (tests/support/replay_main.cpp) if this build has
// one; REPLAY_BROKER in the environment names it otherwise. "" when absent.
inline std::string replay_broker_path() {
    if (const char* env = std::getenv("REPLAY_BROKER")) return env;
    for (const char* rel : {"/tests/replay_broker", "/tests/support/replay_broker", "/tests/live/replay_broker"}) {
        std::string path = build_root() + rel;
        if (access(path.c_str(), X_OK) == 0) return path;
    }
    return {};
}

// A child process with stdout and stderr on files, and stdin from a file or,
// for a child that runs until its stdin closes, from a pipe held open until
// close_stdin().
class Process {
public:
    struct HoldStdin {};

    Process(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file,
            HoldStdin) {
        int fds[2];
        // Close-on-exec, so that the child does not hold the write end itself.
        REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
        start(argv, out_file, err_file, "", fds[0]);
        close(fds[0]);
        stdin_fd_ = fds[1];
    }
    Process(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file,
            const std::string& in_file = "/dev/null") {
        start(argv, out_file, err_file, in_file, -1);
    }
    ~Process() {
        close_stdin();
        stop();
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    void close_stdin() {
        if (stdin_fd_ >= 0) close(stdin_fd_);
        stdin_fd_ = -1;
    }

private:
    void start(const std::vector<std::string>& argv, const std::string& out_file, const std::string& err_file,
               const std::string& in_file, int in_fd) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (in_fd >= 0) posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
        else posix_spawn_file_actions_addopen(&fa, 0, in_file.c_str(), O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        int rc = posix_spawnp(&pid_, args[0], &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        REQUIRE_MESSAGE(rc == 0, "cannot start " << argv[0]);
    }

public:
    pid_t pid() const { return pid_; }
    bool running() {
        if (done_) return false;
        int status = 0;
        pid_t r = waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            done_ = true;
            status_ = status;
        }
        return !done_;
    }
    // The exit code, or -signal; -1000 when it did not end in time.
    int wait(std::chrono::milliseconds limit) {
        auto end = std::chrono::steady_clock::now() + limit;
        while (running() && std::chrono::steady_clock::now() < end)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!done_) return -1000;
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
    }
    void signal(int sig) {
        if (running()) kill(pid_, sig);
    }
    // SIGTERM, then SIGKILL after a grace period.
    void stop() {
        if (!running()) return;
        kill(pid_, SIGTERM);
        if (wait(std::chrono::milliseconds(3000)) == -1000) {
            kill(pid_, SIGKILL);
            wait(std::chrono::milliseconds(3000));
        }
    }

private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    bool done_ = false;
    int status_ = 0;
};

struct RunResult {
    int code = -1;  // exit code, -signal, or -1000 when it ran out of time (then killed)
    std::string out;
    std::string err;
};

// Runs a command to the end, at most `limit`; stdin from `input`.
inline RunResult run(const std::vector<std::string>& argv, const std::string& input = {},
                     std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    TempDir dir;
    spit(dir.file("in"), input);
    RunResult r;
    {
        Process p(argv, dir.file("out"), dir.file("err"), dir.file("in"));
        r.code = p.wait(limit);
        if (r.code == -1000) p.stop();
    }
    r.out = slurp(dir.file("out"));
    r.err = slurp(dir.file("err"));
    return r;
}

inline RunResult kcli(std::vector<std::string> args, const std::string& input = {},
                      std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    args.insert(args.begin(), kcli_path());
    return run(args, input, limit);
}

// Evaluates a Python expression over the JSON document `json` (bound to `d`)
// with /usr/bin/python3 and returns what it prints. Fails the test when the
// text is not JSON.
inline std::string json_eval(const std::string& json, const std::string& expr) {
    TempDir dir;
    spit(dir.file("doc.json"), json);
    spit(dir.file("q.py"), "import json,sys\nd=json.load(open(sys.argv[1]))\nr=(" + expr +
                              ")\nprint(json.dumps(r) if not isinstance(r,str) else r)\n");
    auto r = run({"/usr/bin/python3", dir.file("q.py"), dir.file("doc.json")});
    REQUIRE_MESSAGE(r.code == 0, "not JSON, or the query failed: " << r.err << "\n" << json);
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

// Waits (bounded) until `path` contains `needle`; returns the file's text.
inline std::string wait_for_text(const std::string& path, const std::string& needle,
                                 std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + limit;
    std::string text;
    while (std::chrono::steady_clock::now() < end) {
        text = slurp(path);
        if (text.find(needle) != std::string::npos) return text;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return text;
}

// Runs of spaces squashed to one, to match table rows without counting columns.
inline std::string squash(const std::string& text) {
    std::string out;
    for (char c : text)
        if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
    return out;
}

// The line of `text` that starts with `prefix`, or "".
inline std::string line_starting(const std::string& text, const std::string& prefix) {
    size_t at = 0;
    if (text.compare(0, prefix.size(), prefix) != 0) {
        at = text.find("\n" + prefix);
        if (at == std::string::npos) return {};
        ++at;
    }
    return text.substr(at, text.find('\n', at) - at);
}

inline size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

// Sends `text` lines to one partition with kcat; fails the test otherwise.
inline void kcat_produce(const MockCluster& mock, const std::string& topic, int32_t partition,
                         const std::string& text) {
    auto r = run({"kcat", "-b", mock.bootstraps(), "-P", "-t", topic, "-p", std::to_string(partition)}, text,
                 std::chrono::seconds(30));
    REQUIRE_MESSAGE(r.code == 0, "kcat -P failed: " << r.err);
}

// Commits offsets for a group with no members (the mock accepts a commit
// from outside the group), through our own connection: FindCoordinator, then
// OffsetCommit on the coordinator.
inline void commit_offsets(const MockCluster& mock, const std::string& group,
                           const std::vector<std::tuple<std::string, int32_t, int64_t>>& offsets) {
    using namespace std::chrono_literals;
    asio::io_context io;
    auto run_until = [&](const bool& done) {
        auto end = std::chrono::steady_clock::now() + 10s;
        while (!done && std::chrono::steady_clock::now() < end) {
            io.restart();
            io.run_for(10ms);
        }
        REQUIRE(done);
    };
    auto hp = net::parse_host_port(mock.bootstrap_list().at(0));
    REQUIRE(hp.has_value());
    auto conn = net::Connection::create(io.get_executor(), hp->host, hp->port, net::ConnectionOptions{});
    bool done = false;
    std::error_code ec;
    FindCoordinatorResponse fc;
    conn->async_request_with(
        [&](int16_t v) {
            FindCoordinatorRequest r;
            if (v >= 4) r.coordinator_keys = {group};
            else r.coordinator_key = group;
            return r;
        },
        [&](std::error_code e, FindCoordinatorResponse r) {
            ec = e;
            fc = std::move(r);
            done = true;
        });
    run_until(done);
    REQUIRE_MESSAGE(!ec, ec.message());
    REQUIRE(fc.error_code == 0);
    auto coord = net::Connection::create(io.get_executor(), fc.host, static_cast<uint16_t>(fc.port),
                                         net::ConnectionOptions{});
    OffsetCommitRequest req;
    req.group_id = group;
    for (const auto& [topic, partition, offset] : offsets) {
        if (req.topics.empty() || req.topics.back().name != topic) req.topics.emplace_back().name = topic;
        OffsetCommitRequest::Partition p;
        p.partition_index = partition;
        p.committed_offset = offset;
        req.topics.back().partitions.push_back(p);
    }
    done = false;
    OffsetCommitResponse resp;
    coord->async_request(req, [&](std::error_code e, OffsetCommitResponse r) {
        ec = e;
        resp = std::move(r);
        done = true;
    });
    run_until(done);
    REQUIRE_MESSAGE(!ec, ec.message());
    for (const auto& t : resp.topics)
        for (const auto& p : t.partitions) REQUIRE_MESSAGE(p.error_code == 0, "commit error " << p.error_code);
    conn->close();
    coord->close();
    io.restart();
    io.run_for(50ms);
}

}  // namespace kafka::test
