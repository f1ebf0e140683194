// conc-probe's own thread launch (engine::run_on_threads: create, open the session, report
// ready through an atomic counter) run in the reference's tight loop, alternating with a
// bare std::thread create+join. This separates the cost of the launch code from the
// conditions a bench cell launches in (after other cells, with idle CPUs).
// Built by bench/harness_accuracy.py against the release build's libraries.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "conc_probe/workload.hpp"
#include "engine/thread_runner.hpp"

int main() {
  using namespace conc_probe;
  WorkloadParams params;
  params.name = "count";
  params.op_size = 1000;
  auto workload = make_workload(params);
  workload->start_shared(params);
  engine::ExecutionPlan plan;
  plan.mode = Mode::Threads;
  plan.workers = 1;
  plan.total_ops = 1;
  engine::ThreadHooks hooks;
  hooks.make_context = [](unsigned) { return std::make_unique<OpContext>(); };
  std::vector<double> launch, create_join;
  for (int i = 0; i < 401; ++i) {
    launch.push_back(engine::run_on_threads(plan, *workload, params, hooks).startup_seconds);
    const auto start = std::chrono::steady_clock::now();
    std::thread([] {}).join();
    create_join.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  workload->stop_shared();
  std::sort(launch.begin(), launch.end());
  std::sort(create_join.begin(), create_join.end());
  std::printf("{\"launch_to_ready_seconds\": %.9f, \"create_join_seconds\": %.9f}\n",
              launch[launch.size() / 2], create_join[create_join.size() / 2]);
}
