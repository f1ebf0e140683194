#include <memory>

#include "conc_probe/gil.hpp"
#include "engine/executor.hpp"
#include "engine/thread_runner.hpp"

namespace conc_probe::engine {
namespace {

/// `gil`: N OS threads that must hold one simulated interpreter lock to run ops. Each
/// thread takes the lock after the start signal and gives it up for good after its last
/// op; the lock itself releases it at checkpoints and around blocking calls.
class GilExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload& workload,
             const WorkloadParams& params) override {
    const std::unique_ptr<Gil> gil = make_gil(plan.gil);
    ThreadHooks hooks;
    hooks.make_context = [&gil](unsigned index) -> std::unique_ptr<OpContext> {
      return gil->attach(index);
    };
    hooks.begin = [](OpContext& context) { static_cast<GilThread&>(context).enter(); };
    hooks.end = [](OpContext& context) { static_cast<GilThread&>(context).leave(); };
    Sample sample = run_on_threads(plan, workload, params, hooks);
    sample.gil = gil->metrics();
    if (plan.gil.record_events) sample.gil_events = gil->events();
    return sample;
  }
};

}  // namespace

std::unique_ptr<Executor> make_gil_executor() { return std::make_unique<GilExecutor>(); }

}  // namespace conc_probe::engine
