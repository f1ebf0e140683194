// Start method forkserver and data that moves (--input-size, --result-size), against the
// real binary and real processes.
#include <dirent.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "conc_probe/engine.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/mode.hpp"
#include "conc_probe/units.hpp"
#include "conc_probe/workload.hpp"
#include "engine/data_move.hpp"
#include "engine/executor.hpp"
#include "engine/result_frame.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;

namespace {

/// Processes whose parent is this process (zombies included), from /proc/<pid>/stat.
int children_of_this_process() {
  int count = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long parent = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %ld", &state, &parent) == 2 &&
        parent == ::getpid())
      ++count;
  }
  ::closedir(proc);
  return count;
}

ExecutionPlan plan_of(Mode mode, StartMethod method, unsigned workers, std::uint64_t ops) {
  ExecutionPlan plan;
  plan.mode = mode;
  plan.start_method = method;
  plan.workers = workers;
  plan.total_ops = ops;
  plan.worker_binary = conc_probe::testing::binary_path().string();
  return plan;
}

WorkloadParams count_params() {
  WorkloadParams params;
  params.name = "count";
  params.op_size = 1000;
  return params;
}

}  // namespace

TEST_CASE("Start methods: the catalog names every method, parsing reads it", "[engine][process]") {
  CHECK(start_method_catalog().size() == 3);
  for (const auto& info : start_method_catalog()) {
    CHECK(parse_start_method(info.name) == info.method);
    CHECK(to_string(info.method) == info.name);
    CHECK_FALSE(info.description.empty());
  }
  CHECK_THROWS_AS(parse_start_method("forksrv"), UsageError);
}

TEST_CASE("Byte sizes: units of 1000 and 1024, bounds and bad text", "[units]") {
  CHECK(units::parse_byte_size("4096", "--input-size", 1U << 30) == 4096);
  CHECK(units::parse_byte_size("64KiB", "--input-size", 1U << 30) == 65536);
  CHECK(units::parse_byte_size("1MB", "--input-size", 1U << 30) == 1'000'000);
  CHECK(units::parse_byte_size("0", "--input-size", 1U << 30) == 0);
  for (const char* bad : {"", "-1", "1.5MB", "12 parsecs", "2GiB", "KiB"}) {
    INFO(bad);
    CHECK_THROWS_AS(units::parse_byte_size(bad, "--input-size", 1U << 30), UsageError);
  }
}

TEST_CASE("Data: input slices cover the input once, whatever the split", "[engine][data]") {
  const std::uint64_t size = 1000, ops = 7;
  std::uint64_t covered = 0;
  for (std::uint64_t i = 0; i < ops; ++i) {
    const ByteRange slice = input_span(size, ops, i, i + 1);
    CHECK(slice.begin == covered);
    covered = slice.end;
  }
  CHECK(covered == size);
  CHECK(input_span(size, ops, 2, 5).begin == input_span(size, ops, 2, 3).begin);
  CHECK(input_span(size, ops, 2, 5).end == input_span(size, ops, 4, 5).end);
  // The whole of a gibibyte over a trillion ops does not overflow.
  CHECK(input_span(std::uint64_t{1} << 30, std::uint64_t{1} << 40, std::uint64_t{1} << 39,
                   std::uint64_t{1} << 40)
            .begin == std::uint64_t{1} << 29);
}

TEST_CASE("Data: the result frame carries what a worker moved", "[engine][data]") {
  WorkerResult result;
  result.data = DataMoved{true, 4096, 0.25, 17};
  const DecodedFrame decoded = decode_result_frame(encode_result_frame(result));
  REQUIRE(decoded.result.has_value());
  CHECK(decoded.result->data.active);
  CHECK(decoded.result->data.bytes_copied == 4096);
  CHECK(decoded.result->data.move_seconds == 0.25);
  CHECK(decoded.result->data.minor_faults == 17);
}

TEST_CASE("Forkserver: one server forks the workers; same checksum as fork, nothing left",
          "[engine][process]") {
  const WorkloadParams params = count_params();
  const auto workload = make_workload(params);
  const Sample served =
      make_executor(Mode::Process)
          ->run(plan_of(Mode::Process, StartMethod::Forkserver, 3, 60), *workload, params);
  INFO(served.error);
  REQUIRE(served.ok);
  const Sample forked =
      make_executor(Mode::Process)
          ->run(plan_of(Mode::Process, StartMethod::Fork, 3, 60), *workload, params);
  REQUIRE(forked.ok);
  CHECK(served.ops == 60);
  CHECK(served.checksum == forked.checksum);
  REQUIRE(served.server_startup_seconds.has_value());
  CHECK(*served.server_startup_seconds > 0);
  CHECK_FALSE(forked.server_startup_seconds.has_value());
  WARN("forkserver: server " << *served.server_startup_seconds * 1e3 << " ms, 3 workers "
                             << served.startup_seconds * 1e3 << " ms; fork: 3 workers "
                             << forked.startup_seconds * 1e3 << " ms");
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Forkserver: a worker killed by SIGKILL is reported through the server",
          "[engine][process]") {
  WorkloadParams params;
  params.name = "sleep";
  params.io_latency = std::chrono::milliseconds(20);
  const auto workload = make_workload(params);
  ExecutionPlan plan = plan_of(Mode::Process, StartMethod::Forkserver, 2, 40);
  plan.fault_signal = SIGKILL;
  plan.fault_worker = 1;
  const Sample sample = make_executor(Mode::Process)->run(plan, *workload, params);
  CHECK_FALSE(sample.ok);
  CHECK(sample.error == "worker 1 killed by SIGKILL");
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Forkserver: a stop request kills the server and its workers", "[engine][process]") {
  WorkloadParams params;
  params.name = "sleep";
  params.io_latency = std::chrono::milliseconds(20);
  const auto workload = make_workload(params);
  const StopSignals signals;
  std::raise(SIGTERM);
  REQUIRE(stop_requested());
  const Sample sample =
      make_executor(Mode::Process)
          ->run(plan_of(Mode::Process, StartMethod::Forkserver, 2, 100), *workload, params);
  clear_stop_request();
  CHECK_FALSE(sample.ok);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Data: every mode and start method gives the same checksum; copies are counted",
          "[engine][data]") {
  const WorkloadParams params = count_params();
  const auto workload = make_workload(params);
  constexpr std::uint64_t kOps = 64, kInput = 1 << 20, kResult = 3000;
  const auto run = [&](Mode mode, StartMethod method, unsigned workers) {
    ExecutionPlan plan = plan_of(mode, method, workers, kOps);
    plan.input = shared_input(kInput);
    plan.result_size = kResult;
    Sample sample = make_executor(mode)->run(plan, *workload, params);
    INFO(to_string(mode) << " " << to_string(method) << ": " << sample.error);
    REQUIRE(sample.ok);
    REQUIRE(sample.bytes_copied.has_value());
    REQUIRE(sample.move_seconds.has_value());
    return sample;
  };
  const Sample single = run(Mode::Single, StartMethod::Fork, 1);
  const Sample threads = run(Mode::Threads, StartMethod::Fork, 2);
  const Sample forked = run(Mode::Process, StartMethod::Fork, 2);
  const Sample spawned = run(Mode::Process, StartMethod::Spawn, 2);
  const Sample served = run(Mode::Process, StartMethod::Forkserver, 2);
  for (const Sample* other : {&threads, &forked, &spawned, &served}) {
    CHECK(other->checksum == single.checksum);
  }
  // Without data the checksum is another one: the input and the results count.
  const Sample plain =
      make_executor(Mode::Single)
          ->run(plan_of(Mode::Single, StartMethod::Fork, 1, kOps), *workload, params);
  CHECK(plain.checksum != single.checksum);
  CHECK_FALSE(plain.bytes_copied.has_value());
  // Threads read the input in place: only the results are copied; a fork inherits the input;
  // spawn and forkserver receive it through a socket, serialised and deserialised as pickle
  // does: three copies (into the message, through the socket, out of the message).
  CHECK(*threads.bytes_copied == kOps * kResult);
  CHECK(*forked.bytes_copied == kOps * kResult);
  CHECK(*spawned.bytes_copied == kOps * kResult + 3 * kInput);
  CHECK(*served.bytes_copied == kOps * kResult + 3 * kInput);
  CHECK_FALSE(threads.minor_faults.has_value());
  REQUIRE(forked.minor_faults.has_value());
  REQUIRE(spawned.minor_faults.has_value());
  CHECK(*spawned.move_seconds > 0);
  WARN("minor faults: fork " << *forked.minor_faults << ", spawn " << *spawned.minor_faults
                             << "; moving: spawn " << *spawned.move_seconds * 1e3 << " ms");
  CHECK(children_of_this_process() == 0);
}
