#pragma once

#include "engine/executor.hpp"
#include "engine/offload_pool.hpp"
#include "engine/poller.hpp"

/// `async`: one thread running an event loop, the workers being concurrent tasks on it.
namespace conc_probe::engine {

/// How the loop runs: its poller, whether blocking calls run on the loop itself (the
/// classic mistake --async-blocking shows), and how many threads offloaded calls get.
struct AsyncOptions {
  PollerKind poller = default_poller();
  bool blocking = false;
  unsigned offload_threads = default_offload_threads();
};

/// Runs the plan as plan.workers tasks on one event loop on the calling thread. A task
/// runs its share of ops one after another; an op of a session with SteppedOps waits on
/// the loop (timers, descriptors, the offload threads), any other op runs whole on the
/// loop. A task yields to the others after an op that did not wait. Sample.loop_lag_seconds
/// holds how late ready tasks ran (sampled). Never throws for failures of the work.
Sample run_async(const ExecutionPlan& plan, const Workload& workload, const WorkloadParams& params,
                 const AsyncOptions& options);

}  // namespace conc_probe::engine
