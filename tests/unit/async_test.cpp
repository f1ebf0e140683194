#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "conc_probe/stats.hpp"
#include "engine/async_executor.hpp"
#include "engine/posix_util.hpp"
#include "support/catch.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;
using namespace std::chrono_literals;

namespace {

ExecutionPlan plan_of(unsigned workers, std::uint64_t total_ops) {
  ExecutionPlan plan;
  plan.mode = Mode::Single;
  plan.workers = workers;
  plan.total_ops = total_ops;
  plan.record_latency = true;
  return plan;
}

/// A real workload with its shared resources started (echo server, temporary directory).
struct Started {
  explicit Started(WorkloadParams p) : params(std::move(p)), workload(make_workload(params)) {
    workload->start_shared(params);
  }
  ~Started() { workload->stop_shared(); }
  Started(const Started&) = delete;
  Started& operator=(const Started&) = delete;
  WorkloadParams params;
  std::unique_ptr<Workload> workload;
};

WorkloadParams params_of(const char* name, std::chrono::nanoseconds io_latency = 200us) {
  WorkloadParams params;
  params.name = name;
  params.io_latency = io_latency;
  return params;
}

Sample run(const Started& started, unsigned workers, std::uint64_t ops, AsyncOptions options = {}) {
  return run_async(plan_of(workers, ops), *started.workload, started.params, options);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("Poller: one-shot readiness of a pipe, with epoll and with poll", "[async]") {
  for (const PollerKind kind : {PollerKind::Epoll, PollerKind::Poll}) {
    INFO(to_string(kind));
    const auto poller = Poller::make(kind);
    Pipe pipe = make_pipe();
    std::vector<std::uint64_t> ready;
    poller->arm(pipe.read.get(), false, 7);
    poller->wait(0ns, ready);
    CHECK(ready.empty());
    REQUIRE(::write(pipe.write.get(), "x", 1) == 1);
    poller->wait(1s, ready);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0] == 7);
    // One-shot: still readable, but not reported until armed again.
    ready.clear();
    poller->wait(0ns, ready);
    CHECK(ready.empty());
    poller->arm(pipe.read.get(), false, 8);
    poller->wait(0ns, ready);
    CHECK(ready == std::vector<std::uint64_t>{8});
    // A timeout is kept, never cut short.
    ready.clear();
    poller->arm(pipe.write.get(), true, 9);
    poller->wait(0ns, ready);
    CHECK(ready == std::vector<std::uint64_t>{9});
    const auto start = std::chrono::steady_clock::now();
    Pipe quiet = make_pipe();
    ready.clear();
    poller->arm(quiet.read.get(), false, 1);
    poller->wait(20ms, ready);
    CHECK(ready.empty());
    CHECK(seconds_since(start) >= 0.019);
  }
}

TEST_CASE("Async: checksums and op counts equal the single thread's", "[async]") {
  for (const char* name : {"count", "sleep", "net", "file", "mixed"}) {
    for (const PollerKind kind : {PollerKind::Epoll, PollerKind::Poll}) {
      for (const bool blocking : {false, true}) {
        INFO(name << " " << to_string(kind) << (blocking ? " blocking" : ""));
        const Started started(params_of(name));
        const std::uint64_t ops = 60;
        const Sample single =
            make_executor(Mode::Single)->run(plan_of(1, ops), *started.workload, started.params);
        REQUIRE(single.ok);
        AsyncOptions options;
        options.poller = kind;
        options.blocking = blocking;
        const Sample async = run(started, 4, ops, options);
        INFO(async.error);
        REQUIRE(async.ok);
        CHECK(async.ops == ops);
        CHECK(async.checksum == single.checksum);
        CHECK(async.latency_seconds.size() == ops);
        CHECK(!async.loop_lag_seconds.empty());
      }
    }
  }
}

TEST_CASE("Async: sleeping tasks overlap; blocking calls on the loop do not", "[async]") {
  const Started started(params_of("sleep", 10ms));
  // 40 sleeps of 10 ms: 400 ms one after another, about 50 ms as 8 tasks.
  const Sample overlapped = run(started, 8, 40);
  REQUIRE(overlapped.ok);
  CHECK(overlapped.wall_seconds < 0.25);
  CHECK(overlapped.cpu_seconds < overlapped.wall_seconds);
  AsyncOptions blocking;
  blocking.blocking = true;
  const Sample serial = run(started, 8, 40, blocking);
  REQUIRE(serial.ok);
  CHECK(serial.wall_seconds >= 0.39);
  // Each task waits for the other seven's sleeps: the loop lags by about 70 ms.
  CHECK(stats::percentile(serial.loop_lag_seconds, 50) > 0.03);
}

TEST_CASE("Async: a compute step stalls the other tasks' timers", "[async]") {
  WorkloadParams params = params_of("mixed", 1ms);
  params.compute_time = 5ms;
  const Started started(params);
  const Sample mixed = run(started, 4, 40);
  REQUIRE(mixed.ok);
  // While one task computes for 5 ms, the others' 1 ms timers are due and wait.
  CHECK(stats::percentile(mixed.loop_lag_seconds, 99) > 0.002);
  const Started sleep(params_of("sleep", 1ms));
  const Sample idle = run(sleep, 1, 20);
  REQUIRE(idle.ok);
  INFO("lag alone " << stats::percentile(idle.loop_lag_seconds, 50));
  CHECK(stats::percentile(idle.loop_lag_seconds, 50) <
        stats::percentile(mixed.loop_lag_seconds, 50));
}

TEST_CASE("Async: the loop waits for a timer in whole milliseconds, as asyncio does", "[async]") {
  // asyncio.sleep(0.0001) takes about 1 ms on Linux: the selector rounds the timeout up.
  const Started started(params_of("sleep", 100us));
  const Sample sample = run(started, 1, 20);
  REQUIRE(sample.ok);
  CHECK(sample.wall_seconds >= 0.019);  // 20 waits of at least 1 ms (not 20 x 0.1 ms)
  REQUIRE_FALSE(sample.latency_seconds.empty());
  CHECK(stats::percentile(sample.latency_seconds, 50) >= 0.00095);
}

TEST_CASE("Async: --op-overhead runs on the loop, so tasks' steps queue behind it", "[async]") {
  WorkloadParams params = params_of("sleep", 1ms);
  params.op_overhead = 2ms;
  const Started started(params);
  REQUIRE(started.params.overhead_size > 0);
  // 20 ops over 4 tasks: the 1 ms sleeps overlap, the 2 ms steps on the one loop do not.
  const auto begin = std::chrono::steady_clock::now();
  const Sample sample = run(started, 4, 20);
  REQUIRE(sample.ok);
  CHECK(seconds_since(begin) >= 0.038);
  CHECK(sample.cpu_seconds >= 0.03);  // the overhead is compute, on the loop's thread
}

TEST_CASE("Async: offloaded file ops run on more than the loop's thread", "[async]") {
  const Started started(params_of("file"));
  const Sample sample = run(started, 4, 40);
  REQUIRE(sample.ok);
  CHECK(sample.ops == 40);
  CHECK(sample.cpu_seconds > 0);
}

TEST_CASE("Async: a session that cannot open fails its cell, naming the worker", "[async]") {
  const auto workload = make_workload(params_of("net"));  // no echo server started
  const Sample sample = run_async(plan_of(3, 9), *workload, params_of("net"), {});
  CHECK_FALSE(sample.ok);
  CHECK(sample.error.find("worker 0") != std::string::npos);
}

TEST_CASE("Async: a stop request ends the loop within 100 ms", "[async]") {
  for (const char* name : {"sleep", "net", "count"}) {
    INFO(name);
    WorkloadParams params = params_of(name, 10s);
    if (std::string(name) == "count") params.op_size = 1ULL << 40;
    const Started started(params);
    std::chrono::steady_clock::time_point requested;
    std::thread stopper([&] {
      std::this_thread::sleep_for(100ms);
      requested = std::chrono::steady_clock::now();
      request_stop(SIGINT);
    });
    const Sample sample = run(started, 4, 16);
    const double after = seconds_since(requested);
    stopper.join();
    clear_stop_request();
    CHECK_FALSE(sample.ok);
    CHECK(sample.error.find("interrupted") != std::string::npos);
    // 50 ms is the longest the loop waits; a busy machine gets the rest.
    CHECK(after < 0.2);
  }
}
