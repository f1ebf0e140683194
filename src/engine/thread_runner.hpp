#pragma once

#include <functional>
#include <memory>

#include "conc_probe/op_context.hpp"
#include "engine/executor.hpp"

namespace conc_probe::engine {

/// What distinguishes the thread-based modes: the op context of each worker and what a
/// worker does right after the start signal and after its last op.
struct ThreadHooks {
  /// Creates worker i's context on the worker thread, before the start barrier.
  std::function<std::unique_ptr<OpContext>(unsigned)> make_context;
  /// Runs after the start signal, before the first op (e.g. take the lock).
  std::function<void(OpContext&)> begin;
  /// Runs after the last op (e.g. release the lock for good).
  std::function<void(OpContext&)> end;
};

/// Runs the plan on plan.workers OS threads: each opens its session and context, reports
/// ready, waits for one start signal, runs its share of ops. Startup = launch until all
/// ready; wall = start signal until the last worker is done; CPU from RUSAGE_THREAD.
/// Never throws for failures of the work (a thread that cannot be created included).
Sample run_on_threads(const ExecutionPlan& plan, const Workload& workload,
                      const WorkloadParams& params, const ThreadHooks& hooks);

}  // namespace conc_probe::engine
