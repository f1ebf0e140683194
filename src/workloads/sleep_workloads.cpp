// The blocking-wait workloads: sleep (a remote call) and mixed (a request handler).
#include "workloads/io_util.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

class SleepSession final : public WorkerSession {
 public:
  explicit SleepSession(std::chrono::nanoseconds latency) : latency_(latency) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    blocking_sleep(latency_, context);
    return mix64(op_seed(index, kSaltSleep));
  }

 private:
  std::chrono::nanoseconds latency_;
};

class MixedSession final : public WorkerSession {
 public:
  MixedSession(std::uint64_t iterations, std::chrono::nanoseconds latency)
      : iterations_(iterations), latency_(latency) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t state = count_kernel(op_seed(index, kSaltMixed), iterations_, context);
    blocking_sleep(latency_, context);
    return mix64(state);
  }

 private:
  std::uint64_t iterations_;
  std::chrono::nanoseconds latency_;
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
