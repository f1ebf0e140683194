// Every wait of a worker sees a stop request within about 100 ms: sleeps, socket reads,
// compute kernels, the mixed workload, calibration, in every mode (threads and processes).
#include "conc_probe/stop.hpp"

#include <chrono>
#include <csignal>
#include <thread>

#include "conc_probe/workload.hpp"
#include "engine/bench_parts.hpp"
#include "engine/executor.hpp"
#include "support/catch.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;

namespace {

using Clock = std::chrono::steady_clock;

/// A bound that holds on a busy 2-core machine, far below the waits under test (15 s, or
/// an op of compute that would take minutes).
constexpr double kMaxStopSeconds = 1.5;

/// Runs `work` while another thread requests a stop 200 ms in; returns the seconds from
/// the request to the end of `work`.
template <class Work>
double seconds_to_stop(Work work) {
  clear_stop_request();
  Clock::time_point requested;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    requested = Clock::now();
    request_stop(SIGINT);
  });
  work();
  const auto ended = Clock::now();
  stopper.join();
  clear_stop_request();
  return std::chrono::duration<double>(ended - requested).count();
}

WorkloadParams params_of(const std::string& name) {
  WorkloadParams params;
  params.name = name;
  params.io_latency = std::chrono::seconds(15);
  if (name == "mixed") params.compute_size = 1ULL << 40;  // an op of many minutes of compute
  if (name == "count") params.op_size = 1ULL << 40;
  return params;
}

Sample run_mode(Mode mode, const std::string& name) {
  WorkloadParams params = params_of(name);
  const auto workload = make_workload(params);
  workload->start_shared(params);
  ExecutionPlan plan;
  plan.mode = mode;
  plan.workers = 2;
  plan.total_ops = 4;
  plan.gil.interval = std::chrono::milliseconds(5);
  Sample sample = make_executor(mode)->run(plan, *workload, params);
  workload->stop_shared();
  return sample;
}

}  // namespace

TEST_CASE("Stop: a worker's long wait ends soon after a stop request", "[stop]") {
  for (const Mode mode : {Mode::Single, Mode::Threads, Mode::Gil, Mode::Process}) {
    for (const std::string name : {"sleep", "net", "mixed", "count"}) {
      CAPTURE(to_string(mode), name);
      Sample sample;
      const double seconds = seconds_to_stop([&] { sample = run_mode(mode, name); });
      CHECK(seconds < kMaxStopSeconds);
      CHECK_FALSE(sample.ok);  // cut short: not a measurement
    }
  }
}

TEST_CASE("Stop: calibration of a slow op ends soon after a stop request", "[stop]") {
  for (const std::string name : {"sleep", "mixed"}) {
    CAPTURE(name);
    WorkloadParams params = params_of(name);
    const auto workload = make_workload(params);
    workload->start_shared(params);
    bool threw = false;
    const double seconds = seconds_to_stop([&] {
      try {
        (void)calibrate(*workload, params, std::chrono::seconds(1));
      } catch (const std::exception&) {
        threw = true;
      }
    });
    workload->stop_shared();
    CHECK(seconds < kMaxStopSeconds);
    CHECK(threw);
  }
}
