#include <memory>

#include "engine/executor.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

/// `single`: every op on the calling thread, one after another (the baseline).
class SingleExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload& workload,
             const WorkloadParams& params) override {
    WorkerResult result;
    OpContext context;
    const std::int64_t launch = monotonic_ns();
    std::unique_ptr<WorkerSession> session;
    try {
      session = open_session(workload, params, 0, in_place_view(plan));
    } catch (...) {
      result.ok = false;
      result.error = describe_exception(std::current_exception());
    }
    const std::int64_t start = monotonic_ns();
    if (session) {
      const CpuUsage before = thread_usage();
      run_ops(*session, context, OpRange{0, plan.total_ops}, latency_stride(plan), result);
      result.usage = thread_usage() - before;
      result.data = data_moved(*session);
    }
    result.end_ns = monotonic_ns();
    Sample sample = combine_results({&result, 1});
    sample.repetition = plan.repetition;
    sample.startup_seconds = static_cast<double>(start - launch) * 1e-9;
    sample.wall_seconds = static_cast<double>(result.end_ns - start) * 1e-9;
    return sample;
  }
};

}  // namespace

std::unique_ptr<Executor> make_single_executor() { return std::make_unique<SingleExecutor>(); }

}  // namespace conc_probe::engine
