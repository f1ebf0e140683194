#include <memory>

#include "engine/executor.hpp"
#include "engine/thread_runner.hpp"

namespace conc_probe::engine {
namespace {

/// `threads`: N OS threads sharing memory, no global lock.
class ThreadsExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload& workload,
             const WorkloadParams& params) override {
    ThreadHooks hooks;
    hooks.make_context = [](unsigned) { return std::make_unique<OpContext>(); };
    return run_on_threads(plan, workload, params, hooks);
  }
};

}  // namespace

std::unique_ptr<Executor> make_threads_executor() { return std::make_unique<ThreadsExecutor>(); }

}  // namespace conc_probe::engine
