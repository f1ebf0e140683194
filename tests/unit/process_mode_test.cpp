#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "conc_probe/engine.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/workload.hpp"
#include "engine/executor.hpp"
#include "engine/process_worker.hpp"
#include "engine/result_frame.hpp"
#include "support/catch.hpp"
#include "support/fake_workload.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;
using conc_probe::engine::testing::fake_total_checksum;
using conc_probe::engine::testing::FakeOptions;
using conc_probe::engine::testing::FakeWorkload;

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

ExecutionPlan process_plan(unsigned workers, std::uint64_t total_ops) {
  ExecutionPlan plan;
  plan.mode = Mode::Process;
  plan.workers = workers;
  plan.total_ops = total_ops;
  return plan;
}

/// Slow enough that a signal sent right after the start signal lands before the end.
FakeWorkload slow_workload() {
  return FakeWorkload(
      FakeOptions{WorkloadKind::Io, 0, std::chrono::microseconds(20000), UINT64_MAX, false});
}

}  // namespace

TEST_CASE("Process: result frames round-trip and reject damage", "[engine][process]") {
  WorkerResult result;
  result.ops = 42;
  result.checksum = 0xfeedfaceULL;
  result.usage = CpuUsage{1.5, 3, 4};
  result.latencies = {0.001, 0.002};
  result.error = "";
  result.end_ns = 123456789;
  const std::string frame = encode_result_frame(result);
  const DecodedFrame decoded = decode_result_frame(frame);
  REQUIRE(decoded.result.has_value());
  CHECK(decoded.result->ops == 42);
  CHECK(decoded.result->checksum == 0xfeedfaceULL);
  CHECK(decoded.result->usage.cpu_seconds == 1.5);
  CHECK(decoded.result->latencies.size() == 2);
  CHECK(decoded.result->end_ns == 123456789);

  CHECK_FALSE(decode_result_frame("").result.has_value());
  CHECK_FALSE(decode_result_frame(frame.substr(0, 7)).result.has_value());
  CHECK_FALSE(decode_result_frame(frame.substr(0, frame.size() - 1)).result.has_value());
  CHECK_FALSE(decode_result_frame(frame + "x").result.has_value());
  std::string flipped = frame;
  flipped[20] = static_cast<char>(flipped[20] ^ 0x01);
  CHECK(decode_result_frame(flipped).problem == "message checksum mismatch");
  CHECK_FALSE(decode_result_frame(std::string(frame.size(), 'Z')).result.has_value());
}

TEST_CASE("Process: spawn arguments round-trip; bad ones are usage errors", "[engine][process]") {
  WorkerProcessArgs args;
  args.worker_index = 2;
  args.range = OpRange{10, 20};
  args.stride = 3;
  args.ready_fd = 5;
  args.start_fd = 6;
  args.result_fd = 7;
  args.parent = 99;
  WorkloadParams params;
  params.name = "sleep";
  params.temp_dir = "";
  params.io_latency = std::chrono::microseconds(250);
  WorkerProcessArgs back;
  WorkloadParams params_back;
  parse_spawn_arguments(spawn_arguments(args, params), back, params_back);
  CHECK(back.range.first == 10);
  CHECK(back.range.last == 20);
  CHECK(back.result_fd == 7);
  CHECK(params_back.name == "sleep");
  CHECK(params_back.io_latency == std::chrono::microseconds(250));
  CHECK_THROWS_AS(parse_spawn_arguments({"--workload"}, back, params_back), UsageError);
  CHECK_THROWS_AS(parse_spawn_arguments({"--first", "x"}, back, params_back), UsageError);
}

TEST_CASE("Process: a worker killed by SIGKILL fails the sample and is reaped",
          "[engine][process]") {
  const auto workload = slow_workload();
  ExecutionPlan plan = process_plan(3, 30);
  plan.fault_signal = SIGKILL;
  plan.fault_worker = 1;
  const Sample sample = make_executor(Mode::Process)->run(plan, workload, {});
  CHECK_FALSE(sample.ok);
  CHECK(sample.error == "worker 1 killed by SIGKILL");
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Process: garbage, short or missing messages fail the sample", "[engine][process]") {
  FakeWorkload workload(FakeOptions{WorkloadKind::Cpu, 100, {}, UINT64_MAX, false});
  for (const auto fault : {MessageFault::Garbage, MessageFault::Short, MessageFault::Nothing}) {
    ExecutionPlan plan = process_plan(2, 20);
    plan.message_fault = fault;
    plan.fault_worker = 0;
    const Sample sample = make_executor(Mode::Process)->run(plan, workload, {});
    INFO(sample.error);
    CHECK_FALSE(sample.ok);
    CHECK(sample.error.starts_with("worker 0: "));
    CHECK(children_of_this_process() == 0);
  }
}

TEST_CASE("Process: a worker that outlives the timeout is killed and reaped", "[engine][process]") {
  const auto workload = slow_workload();
  ExecutionPlan plan = process_plan(2, 100);  // 50 x 20 ms per worker, far beyond the timeout
  plan.timeout = std::chrono::milliseconds(150);
  const Sample sample = make_executor(Mode::Process)->run(plan, workload, {});
  CHECK_FALSE(sample.ok);
  CHECK(sample.error.find("timed out") != std::string::npos);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Process: a stop request kills and reaps the workers", "[engine][process]") {
  const auto workload = slow_workload();
  const StopSignals signals;
  std::raise(SIGTERM);
  REQUIRE(stop_requested());
  CHECK(stop_signal() == SIGTERM);
  const Sample sample = make_executor(Mode::Process)->run(process_plan(2, 100), workload, {});
  clear_stop_request();
  CHECK_FALSE(sample.ok);
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Process: start method spawn re-executes the real binary", "[engine][process]") {
  WorkloadParams params;
  params.name = "count";
  const auto workload = make_workload(params);
  ExecutionPlan plan = process_plan(3, 60);
  plan.start_method = StartMethod::Spawn;
  plan.worker_binary = conc_probe::testing::binary_path().string();
  const Sample spawned = make_executor(Mode::Process)->run(plan, *workload, params);
  INFO(spawned.error);
  REQUIRE(spawned.ok);
  plan.start_method = StartMethod::Fork;
  const Sample forked = make_executor(Mode::Process)->run(plan, *workload, params);
  REQUIRE(forked.ok);
  const Sample single = make_executor(Mode::Single)->run(process_plan(1, 60), *workload, params);
  CHECK(spawned.checksum == single.checksum);
  CHECK(forked.checksum == single.checksum);
  CHECK(spawned.ops == 60);
  WARN("start-up of 3 workers: spawn " << spawned.startup_seconds * 1e3 << " ms, fork "
                                       << forked.startup_seconds * 1e3 << " ms");
  CHECK(children_of_this_process() == 0);
}

TEST_CASE("Process: a spawned worker with an unknown workload reports the reason",
          "[engine][process]") {
  FakeWorkload parent_side(FakeOptions{WorkloadKind::Cpu, 10, {}, UINT64_MAX, false});
  WorkloadParams params;
  params.name = "no-such-workload";
  ExecutionPlan plan = process_plan(2, 10);
  plan.start_method = StartMethod::Spawn;
  plan.worker_binary = conc_probe::testing::binary_path().string();
  const Sample sample = make_executor(Mode::Process)->run(plan, parent_side, params);
  CHECK_FALSE(sample.ok);
  CHECK(sample.error.find("no-such-workload") != std::string::npos);
  CHECK(children_of_this_process() == 0);
}

namespace {

/// Other processes running this very executable (workers left behind would be among them).
int other_copies_of_this_program() {
  char self[4096] = {};
  const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (length <= 0) return -1;
  int count = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return -1;
  while (const dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    if (std::stol(entry->d_name) == ::getpid()) continue;
    char exe[4096] = {};
    const std::string link = std::string("/proc/") + entry->d_name + "/exe";
    if (::readlink(link.c_str(), exe, sizeof exe - 1) == length && std::string(exe) == self)
      ++count;
  }
  ::closedir(proc);
  return count;
}

}  // namespace

TEST_CASE("Process: workers do not outlive a SIGKILLed parent", "[engine][process]") {
  REQUIRE(other_copies_of_this_program() == 0);
  const pid_t middle = ::fork();
  REQUIRE(middle >= 0);
  if (middle == 0) {
    const auto workload = slow_workload();
    (void)make_executor(Mode::Process)->run(process_plan(3, 600), workload, {});  // 4 s per worker
    ::_exit(0);
  }
  ::usleep(300'000);
  ::kill(middle, SIGKILL);
  int status = 0;
  ::waitpid(middle, &status, 0);
  int left = other_copies_of_this_program();
  for (int i = 0; i < 30 && left > 0; ++i) {  // far less than the 4 s of work
    ::usleep(50'000);
    left = other_copies_of_this_program();
  }
  CHECK(left == 0);
}
