#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/workload.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using conc_probe::make_workload;
using conc_probe::OpContext;
using conc_probe::Workload;
using conc_probe::WorkloadParams;
using namespace std::chrono_literals;

namespace {

/// What a CountingContext saw.
struct Counts {
  std::uint64_t checkpoints = 0;
  std::uint64_t checkpoints_in_sections = 0;
  std::uint64_t sections = 0;
  bool in_section = false;
  bool nested = false;
};

/// Counts every checkpoint and blocking section of the ops run with it.
class CountingContext : public OpContext {
 public:
  CountingContext() {
    breaker_ = &never_;
    ticks_ = 1;  // every checkpoint takes the slow path
  }
  void before_blocking() noexcept override {
    counts.nested = counts.nested || counts.in_section;
    counts.in_section = true;
    ++counts.sections;
  }
  void after_blocking() noexcept override { counts.in_section = false; }

  Counts counts;

 protected:
  void on_checkpoint() noexcept override {
    ++counts.checkpoints;
    if (counts.in_section) ++counts.checkpoints_in_sections;
    ticks_ = 1;
  }

 private:
  std::atomic<bool> never_{false};
};

/// Small, fast parameters for each workload.
WorkloadParams small_params(const std::string& name) {
  WorkloadParams params;
  params.name = name;
  params.io_latency = 50us;
  if (name == "count") params.op_size = 2000;
  if (name == "primes") params.op_size = 32;
  if (name == "hash") params.op_size = 1000;  // not a multiple of the block size
  if (name == "file") params.op_size = 300;
  if (name == "net") params.op_size = 48;
  if (name == "mixed") params.compute_size = 1000;
  if (name == "db") params.op_size = 32;
  return params;
}

/// A workload with its shared resources started for the test's lifetime.
struct Started {
  explicit Started(WorkloadParams initial)
      : params(std::move(initial)), workload(make_workload(params)) {
    workload->start_shared(params);
  }
  ~Started() { workload->stop_shared(); }
  WorkloadParams params;
  std::unique_ptr<Workload> workload;
};

std::uint64_t run_range(const Started& started, std::uint64_t begin, std::uint64_t end,
                        unsigned worker = 0) {
  auto session = started.workload->open_worker(started.params, worker);
  OpContext context;
  std::uint64_t total = 0;
  for (std::uint64_t i = begin; i < end; ++i) {
    total = conc_probe::combine_checksum(total, session->run_op(i, context));
  }
  return total;
}

/// Runs ops [0, n) split into `parts` contiguous ranges, each on its own thread.
std::uint64_t run_split(const Started& started, std::uint64_t n, unsigned parts) {
  std::vector<std::uint64_t> totals(parts);
  std::vector<std::thread> threads;
  for (unsigned p = 0; p < parts; ++p) {
    threads.emplace_back(
        [&, p] { totals[p] = run_range(started, n * p / parts, n * (p + 1) / parts, p); });
  }
  for (auto& thread : threads) thread.join();
  std::uint64_t total = 0;
  for (const auto t : totals) total = conc_probe::combine_checksum(total, t);
  return total;
}

/// Shortest of `tries` timings of one op of `params`.
std::chrono::nanoseconds fastest_op(const WorkloadParams& params, int tries) {
  Started started(params);
  auto session = started.workload->open_worker(started.params, 0);
  OpContext context;
  auto best = std::chrono::nanoseconds::max();
  for (int i = 0; i < tries; ++i) {
    const auto start = std::chrono::steady_clock::now();
    (void)session->run_op(static_cast<std::uint64_t>(i), context);
    best = std::min(best, std::chrono::steady_clock::now() - start);
  }
  return best;
}

Counts count_one_op(const WorkloadParams& params) {
  Started started(params);
  auto session = started.workload->open_worker(started.params, 0);
  CountingContext context;
  (void)session->run_op(7, context);
  return context.counts;
}

const std::vector<std::string> kAll{"count", "primes", "hash",   "sleep",        "file",
                                    "net",   "mixed",  "convoy", "convoy-ready", "db"};

}  // namespace

TEST_CASE("Workloads: the catalog lists each workload once with its kind", "[workloads]") {
  const auto& catalog = conc_probe::workload_catalog();
  REQUIRE(catalog.size() == kAll.size());
  for (std::size_t i = 0; i < kAll.size(); ++i) {
    CHECK(catalog[i].name == kAll[i]);
    CHECK_FALSE(catalog[i].description.empty());
    CHECK(make_workload(small_params(catalog[i].name))->info().name == catalog[i].name);
  }
  CHECK(conc_probe::to_string(catalog[0].kind) == "cpu");
  CHECK(conc_probe::to_string(catalog[3].kind) == "io");
  CHECK(conc_probe::to_string(catalog[6].kind) == "mixed");
  CHECK_FALSE(catalog[6].convoy);
  CHECK(catalog[7].convoy);
  CHECK(catalog[8].convoy);
}

TEST_CASE("Workloads: convoy-ready releases the lock around each always-ready read",
          "[workloads]") {
  const Counts counts = count_one_op(small_params("convoy-ready"));
  CHECK(counts.sections == 1);
  CHECK_FALSE(counts.nested);
}

TEST_CASE("Workloads: an unknown name is a usage error with a suggestion", "[workloads]") {
  WorkloadParams params;
  params.name = "primez";
  try {
    (void)make_workload(params);
    FAIL("no error");
  } catch (const conc_probe::UsageError& error) {
    CHECK(std::string(error.what()) == "unknown workload 'primez' (did you mean 'primes'?)");
    CHECK(error.code() == conc_probe::ExitCode::Usage);
  }
  params.name = "quantum";
  CHECK_THROWS_WITH(make_workload(params), Catch::Contains("known: count, primes"));
  params.name = "";
  CHECK_THROWS_AS(make_workload(params), conc_probe::UsageError);
}

TEST_CASE("Workloads: an op size beyond memory limits is a usage error", "[workloads]") {
  for (const char* name : {"hash", "file", "net"}) {
    WorkloadParams params;
    params.name = name;
    params.op_size = 1ULL << 40;
    CHECK_THROWS_AS(make_workload(params), conc_probe::UsageError);
  }
  WorkloadParams negative;
  negative.name = "sleep";
  negative.io_latency = -1ms;
  CHECK_THROWS_AS(make_workload(negative), conc_probe::UsageError);
}

TEST_CASE("Workloads: the total checksum does not depend on how ops are split", "[workloads]") {
  const std::string name = GENERATE(from_range(kAll));
  INFO(name);
  Started started(small_params(name));
  const std::uint64_t one = run_split(started, 30, 1);
  CHECK(run_split(started, 30, 2) == one);
  CHECK(run_split(started, 30, 3) == one);
  CHECK(one != 0);
}

TEST_CASE("Workloads: ops are deterministic and ranges differ", "[workloads]") {
  const std::string name = GENERATE(from_range(kAll));
  INFO(name);
  std::uint64_t first = 0;
  {
    Started started(small_params(name));
    first = run_range(started, 0, 10);
    CHECK(run_range(started, 10, 20) != first);
    CHECK(run_range(started, 1, 11) != first);
  }
  Started again(small_params(name));
  CHECK(run_range(again, 0, 10) == first);
  auto bigger = small_params(name);
  bigger.op_size = bigger.op_size * 2 + 16;
  if (name != "sleep" && name != "mixed") {
    Started resized(bigger);
    CHECK(run_range(resized, 0, 10) != first);
  }
}

TEST_CASE("Workloads: a CPU op's time grows with its size", "[workloads]") {
  const std::string name = GENERATE(as<std::string>{}, "count", "primes", "hash");
  INFO(name);
  auto small = small_params(name);
  small.op_size *= 4;
  auto large = small;
  large.op_size *= 16;
  const auto small_time = fastest_op(small, 9);
  const auto large_time = fastest_op(large, 9);
  INFO(small_time.count() << " ns vs " << large_time.count() << " ns");
  // 16x the work; the minimum of several runs is robust against a busy machine.
  CHECK(large_time > small_time * 4);
}

TEST_CASE("Workloads: CPU ops reach a checkpoint at a fine grain", "[workloads]") {
  auto count = small_params("count");
  count.op_size = 100'000;
  const auto counted = count_one_op(count);
  CHECK(counted.checkpoints >= 100'000 / 256);
  CHECK(counted.sections == 0);

  auto hash = small_params("hash");
  hash.op_size = 64 * 1024;
  CHECK(count_one_op(hash).checkpoints >= 64 * 1024 / 512);

  auto primes = small_params("primes");
  primes.op_size = 256;
  CHECK(count_one_op(primes).checkpoints >= 256);
}

TEST_CASE("Workloads: IO ops wrap every blocking call", "[workloads]") {
  const auto sleep = count_one_op(small_params("sleep"));
  CHECK(sleep.sections == 1);
  // open, write, fsync, close, open, read, close, unlink
  const auto file = count_one_op(small_params("file"));
  CHECK(file.sections >= 8);
  // The send, and the wait for the reply with its read: two releases of the lock a round
  // trip, as CPython's sendall and recv on a blocking socket (a third made the convoy's IO
  // thread wait for the lock three times a round trip).
  const auto net = count_one_op(small_params("net"));
  CHECK(net.sections == 2);
  const auto mixed = count_one_op(small_params("mixed"));
  CHECK(mixed.sections == 1);
  CHECK(mixed.checkpoints >= 1000 / 256);
  const auto db = count_one_op(small_params("db"));  // the insert's step, the select's
  CHECK(db.sections >= 2);
  for (const auto* context : {&sleep, &file, &net, &mixed, &db}) {
    CHECK(context->checkpoints_in_sections == 0);
    CHECK_FALSE(context->nested);
    CHECK_FALSE(context->in_section);
  }
}

TEST_CASE("Workloads: mixed turns a compute time into count iterations measured here",
          "[workloads]") {
  conc_probe::WorkloadParams params;
  params.name = "mixed";
  params.compute_time = 2ms;
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  const std::uint64_t for_2ms = params.compute_size;
  CHECK(for_2ms > 0);
  params.compute_time = 8ms;
  workload->start_shared(params);
  // Four times the time, about four times the iterations. Generous: on a busy machine the
  // calibration runs of one call may all be slowed and those of the other not.
  CHECK(params.compute_size > 3 * for_2ms / 2);
  CHECK(params.compute_size < 16 * for_2ms);
  workload->stop_shared();
  // Without a compute time the iterations stay as given.
  auto plain = small_params("mixed");
  auto other = conc_probe::make_workload(plain);
  other->start_shared(plain);
  CHECK(plain.compute_size == 1000);
  other->stop_shared();
}

TEST_CASE("Workloads: --op-overhead runs measured count work before every op", "[workloads]") {
  WorkloadParams plain;
  plain.name = "count";
  plain.op_size = 1000;
  WorkloadParams padded = plain;
  padded.op_overhead = 2ms;
  auto bare = make_workload(plain);
  auto workload = make_workload(padded);
  bare->start_shared(plain);
  workload->start_shared(padded);
  CHECK(plain.overhead_size == 0);  // no overhead asked: none measured
  REQUIRE(padded.overhead_size > 0);
  OpContext context;
  const auto bare_session = bare->open_worker(plain, 0);
  const auto session = workload->open_worker(padded, 0);
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < 5; ++i) {
    // The overhead leaves the op's result alone.
    CHECK(session->run_op(i, context) == bare_session->run_op(i, context));
  }
  // Five ops of 2 ms of overhead each: 10 ms or more, whatever the machine's load.
  CHECK(std::chrono::steady_clock::now() - start >= 8ms);
  // A spawned worker gets the measured size, not the duration, and runs the same work.
  WorkloadParams spawned = plain;
  spawned.overhead_size = padded.overhead_size;
  CHECK(make_workload(spawned)->open_worker(spawned, 0)->run_op(3, context) ==
        bare_session->run_op(3, context));
  workload->stop_shared();
  bare->stop_shared();
  padded.op_overhead = -1ms;
  CHECK_THROWS_AS(make_workload(padded), conc_probe::UsageError);
}

TEST_CASE("Workloads: zero io latency still makes the blocking call", "[workloads]") {
  auto params = small_params("sleep");
  params.io_latency = 0ns;
  CHECK(count_one_op(params).sections == 1);
}

TEST_CASE("Workloads: a sleep op lasts at least its latency", "[workloads]") {
  auto params = small_params("sleep");
  params.io_latency = 5ms;
  const auto took = fastest_op(params, 3);
  CHECK(took >= 5ms);
  CHECK(took < 2s);
}

TEST_CASE("Workloads: sessions need the shared resources", "[workloads]") {
  for (const char* name : {"file", "net", "db"}) {
    const auto params = small_params(name);
    CHECK_THROWS_AS(make_workload(params)->open_worker(params, 0), std::runtime_error);
  }
}

namespace {

/// Points $TMPDIR somewhere else for one scope.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", value.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_.empty()) {
      ::unsetenv("TMPDIR");
    } else {
      ::setenv("TMPDIR", old_.c_str(), 1);
    }
  }
  ScopedTmpdir(const ScopedTmpdir&) = delete;
  ScopedTmpdir& operator=(const ScopedTmpdir&) = delete;

 private:
  std::string old_;
};

}  // namespace

TEST_CASE("Workloads: file keeps a private directory only while started", "[workloads][file]") {
  const conc_probe::testing::TempDir root;
  const ScopedTmpdir tmpdir(root.path().string());
  auto params = small_params("file");
  auto workload = make_workload(params);
  workload->start_shared(params);
  const fs::path dir = params.temp_dir;
  CHECK(fs::is_directory(dir));
  CHECK(dir.parent_path() == root.path());
  CHECK(dir.filename().string().rfind("conc-probe-", 0) == 0);
  {
    auto session = workload->open_worker(params, 0);
    OpContext context;
    (void)session->run_op(0, context);
    CHECK(fs::is_empty(dir));  // each op deletes its file
  }
  workload->stop_shared();
  CHECK_FALSE(fs::exists(dir));
  workload->stop_shared();  // idempotent
  CHECK(fs::is_empty(root.path()));
}

TEST_CASE("Workloads: file's directory is removed when an exception unwinds", "[workloads][file]") {
  fs::path dir;
  try {
    auto params = small_params("file");
    auto workload = make_workload(params);
    workload->start_shared(params);
    dir = params.temp_dir;
    REQUIRE(fs::is_directory(dir));
    throw std::logic_error("interrupted");
  } catch (const std::logic_error&) {
  }
  CHECK_FALSE(dir.empty());
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("Workloads: a missing directory is an error with the reason", "[workloads][file]") {
  Started started(small_params("file"));
  auto session = started.workload->open_worker(started.params, 0);
  fs::remove_all(started.params.temp_dir);
  OpContext context;
  CHECK_THROWS_WITH(session->run_op(0, context), Catch::Contains("No such file or directory"));

  const ScopedTmpdir tmpdir("/nonexistent/conc-probe-test");
  auto params = small_params("file");
  auto workload = make_workload(params);
  CHECK_THROWS_WITH(workload->start_shared(params),
                    Catch::Contains("/nonexistent/conc-probe-test"));
}

TEST_CASE("Workloads: a forked child does not remove its parent's directory", "[workloads][file]") {
  Started started(small_params("file"));
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child runs ops in the shared directory, then cleans up as the engine would.
    int status = 0;
    try {
      auto session = started.workload->open_worker(started.params, 1);
      OpContext context;
      (void)session->run_op(3, context);
      started.workload->stop_shared();
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  int status = -1;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::is_directory(started.params.temp_dir));
}
