// What the benchmark drivers (bench/*_bench.cpp) share: a librdkafka mock
// cluster started in this process, measured programs run as child processes
// (so that each one's CPU time and memory are its own), and the median of
// the runs. Drivers link librdkafka for the mock only.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace kafka::bench {

// A mock cluster of `brokers`, with `topic` created when given. Exits the
// driver (naming `who`) when the mock cannot start: nothing can be measured.
class MockCluster {
public:
    MockCluster(const char* who, int brokers, const std::string& topic = "", int partitions = 0) {
        char err[512];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
        rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        if (!rk_) {
            std::fprintf(stderr, "%s: %s\n", who, err);
            std::exit(1);
        }
        mc_ = rd_kafka_mock_cluster_new(rk_, brokers);
        if (!mc_) {
            std::fprintf(stderr, "%s: cannot start the mock cluster\n", who);
            std::exit(1);
        }
        if (!topic.empty()) rd_kafka_mock_topic_create(mc_, topic.c_str(), partitions, 1);
        bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
    }
    ~MockCluster() {
        rd_kafka_mock_cluster_destroy(mc_);
        rd_kafka_destroy(rk_);
    }
    MockCluster(const MockCluster&) = delete;
    MockCluster& operator=(const MockCluster&) = delete;

    const std::string& bootstraps() const { return bootstraps_; }

private:
    rd_kafka_t* rk_ = nullptr;
    rd_kafka_mock_cluster_t* mc_ = nullptr;
    std::string bootstraps_;
};

// The directory of the running driver, where the measured programs are built.
inline std::string self_dir() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, static_cast<size_t>(n));
    return p.substr(0, p.rfind('/'));
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// A child process whose standard output is a pipe to us.
struct Child {
    pid_t pid = -1;
    int out = -1;  // read end; -1 when the child could not start
};

// Starts `program` (searched in PATH when it has no '/') with `args`.
inline Child spawn(const std::string& program, const std::vector<std::string>& args) {
    Child c;
    int out[2];
    if (::pipe(out) != 0) return c;
    c.pid = ::fork();
    if (c.pid == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::close(out[1]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(program.c_str()));
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(program.c_str(), argv.data());
        std::perror(program.c_str());
        ::_exit(127);
    }
    ::close(out[1]);
    if (c.pid < 0) {
        ::close(out[0]);
        return c;
    }
    c.out = out[0];
    return c;
}

// How a child ended: its exit status and its resource use.
struct Ended {
    int status = -1;
    double cpu = 0;     // user + sys seconds
    double maxrss_mb = 0;
    bool ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

inline Ended reap(pid_t pid) {
    Ended e;
    struct rusage ru {};
    if (::wait4(pid, &e.status, 0, &ru) < 0) return e;
    e.cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    e.maxrss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
    return e;
}

// Runs `program` to its end; `text` is everything it printed.
inline Ended run_to_end(const std::string& program, const std::vector<std::string>& args, std::string& text) {
    Child c = spawn(program, args);
    if (c.out < 0) return {};
    char buf[4096];
    ssize_t n;
    while ((n = ::read(c.out, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    ::close(c.out);
    return reap(c.pid);
}

}  // namespace kafka::bench
