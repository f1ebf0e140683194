#include "engine/thread_runner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

/// State shared by the workers of one run.
struct Shared {
  const ExecutionPlan& plan;
  const Workload& workload;
  const WorkloadParams& params;
  const ThreadHooks& hooks;
  std::vector<WorkerResult> results;
  std::atomic<unsigned> ready{0};
  std::atomic<bool> start{false};
};

/// Opens the worker's context and session; a failure is recorded in `result`.
void open(Shared& shared, unsigned index, std::unique_ptr<OpContext>& context,
          std::unique_ptr<WorkerSession>& session) {
  try {
    context = shared.hooks.make_context(index);
    session = open_session(shared.workload, shared.params, index, in_place_view(shared.plan));
  } catch (...) {
    shared.results[index].ok = false;
    shared.results[index].error = describe_exception(std::current_exception());
  }
}

void worker_body(Shared& shared, unsigned index) {
  WorkerResult& result = shared.results[index];
  std::unique_ptr<OpContext> context;
  std::unique_ptr<WorkerSession> session;
  open(shared, index, context, session);
  shared.ready.fetch_add(1);
  shared.ready.notify_all();
  shared.start.wait(false);
  if (session && context) {
    const CpuUsage before = thread_usage();
    if (shared.hooks.begin) shared.hooks.begin(*context);
    const auto range = worker_range(shared.plan.total_ops, shared.plan.workers, index);
    run_ops(*session, *context, range, latency_stride(shared.plan), result);
    if (shared.hooks.end) shared.hooks.end(*context);
    result.usage = thread_usage() - before;
    result.data = data_moved(*session);
  }
  result.end_ns = monotonic_ns();
}

void release(Shared& shared) {
  shared.start.store(true);
  shared.start.notify_all();
}

void wait_ready(Shared& shared, unsigned count) {
  for (unsigned seen = shared.ready.load(); seen < count; seen = shared.ready.load()) {
    shared.ready.wait(seen);
  }
}

}  // namespace

Sample run_on_threads(const ExecutionPlan& plan, const Workload& workload,
                      const WorkloadParams& params, const ThreadHooks& hooks) {
  Shared shared{plan, workload, params, hooks, std::vector<WorkerResult>(plan.workers), {}, {}};
  std::vector<std::thread> threads;
  threads.reserve(plan.workers);
  const std::int64_t launch = monotonic_ns();
  std::string launch_error;
  try {
    for (unsigned i = 0; i < plan.workers; ++i)
      threads.emplace_back(worker_body, std::ref(shared), i);
  } catch (...) {
    launch_error = "cannot start thread " + std::to_string(threads.size()) + ": " +
                   describe_exception(std::current_exception());
  }
  wait_ready(shared, static_cast<unsigned>(threads.size()));
  const std::int64_t start = monotonic_ns();
  release(shared);
  for (auto& thread : threads) thread.join();

  std::int64_t end = start;
  for (const auto& result : shared.results) end = std::max(end, result.end_ns);
  Sample sample = combine_results(shared.results);
  if (!launch_error.empty()) {
    sample.ok = false;
    sample.error = launch_error;
  }
  sample.repetition = plan.repetition;
  sample.startup_seconds = static_cast<double>(start - launch) * 1e-9;
  sample.wall_seconds = static_cast<double>(end - start) * 1e-9;
  return sample;
}

}  // namespace conc_probe::engine
