// The blocking-wait workloads: sleep (a remote call) and mixed (a request handler).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "conc_probe/op_steps.hpp"
#include "workloads/io_util.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

class SleepSession final : public WorkerSession, public SteppedOps {
 public:
  explicit SleepSession(std::chrono::nanoseconds latency) : latency_(latency) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    blocking_sleep(latency_, context);
    return mix64(op_seed(index, kSaltSleep));
  }
  // Stepped: a timer instead of the blocking sleep.
  OpStep start_op(std::uint64_t index, OpContext&) override {
    index_ = index;
    return OpStep::sleep_for(latency_);
  }
  OpStep resume_op(OpContext&) override { return OpStep::done(mix64(op_seed(index_, kSaltSleep))); }

 private:
  std::chrono::nanoseconds latency_;
  std::uint64_t index_ = 0;
};

class MixedSession final : public WorkerSession, public SteppedOps {
 public:
  MixedSession(std::uint64_t iterations, std::chrono::nanoseconds latency)
      : iterations_(iterations), latency_(latency) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t state = count_kernel(op_seed(index, kSaltMixed), iterations_, context);
    blocking_sleep(latency_, context);
    return mix64(state);
  }
  // Stepped: the compute part runs on the loop, then a timer instead of the blocking sleep.
  OpStep start_op(std::uint64_t index, OpContext& context) override {
    state_ = count_kernel(op_seed(index, kSaltMixed), iterations_, context);
    return OpStep::sleep_for(latency_);
  }
  OpStep resume_op(OpContext&) override { return OpStep::done(mix64(state_)); }

 private:
  std::uint64_t iterations_;
  std::chrono::nanoseconds latency_;
  std::uint64_t state_ = 0;
};

class SleepWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    return std::make_unique<SleepSession>(params.io_latency);
  }
};

class MixedWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  void start_shared(WorkloadParams& params) override {
    if (params.compute_time.count() > 0)
      params.compute_size = count_iterations_for(params.compute_time);
  }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    const std::uint64_t iterations = or_default(params.compute_size, kDefaultMixedIterations);
    return std::make_unique<MixedSession>(iterations, params.io_latency);
  }
};

}  // namespace

std::unique_ptr<Workload> make_sleep_workload(WorkloadInfo info) {
  return std::make_unique<SleepWorkload>(std::move(info));
}

std::unique_ptr<Workload> make_mixed_workload(WorkloadInfo info) {
  return std::make_unique<MixedWorkload>(std::move(info));
}

}  // namespace conc_probe::workloads
