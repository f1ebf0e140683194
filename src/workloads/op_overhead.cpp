// --op-overhead: the interpreter's own work added before every op.
#include "workloads/op_overhead.hpp"

#include "conc_probe/op_steps.hpp"
#include "workloads/kernels.hpp"

namespace conc_probe::workloads {

namespace {

/// Runs the overhead's iterations (with the kernel's checkpoints, so the lock is handed
/// over and a stop is seen inside it); the result is discarded.
void run_overhead(std::uint64_t iterations, std::uint64_t index, OpContext& context) {
  (void)launder(count_kernel(index, iterations, context));
}

class OverheadSession : public WorkerSession {
 public:
  OverheadSession(std::unique_ptr<WorkerSession> inner, std::uint64_t iterations)
      : inner_(std::move(inner)), iterations_(iterations) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    run_overhead(iterations_, index, context);
    return inner_->run_op(index, context);
  }

 protected:
  [[nodiscard]] std::uint64_t iterations() const noexcept { return iterations_; }
  [[nodiscard]] WorkerSession& inner() const noexcept { return *inner_; }

 private:
  std::unique_ptr<WorkerSession> inner_;
  std::uint64_t iterations_;
};

/// The same for a session with stepped ops (async): the overhead runs on the loop when the
/// op starts, as a task step's bytecodes do; an op offloaded whole pays it on the loop too
/// (before it is handed to the pool), as the call to asyncio.to_thread does.
class OverheadSteppedSession final : public OverheadSession, public SteppedOps {
 public:
  OverheadSteppedSession(std::unique_ptr<WorkerSession> inner, SteppedOps& steps,
                         std::uint64_t iterations)
      : OverheadSession(std::move(inner), iterations), steps_(steps) {}

  OpStep start_op(std::uint64_t index, OpContext& context) override {
    run_overhead(iterations(), index, context);
    offloaded_ = false;
    OpStep step = steps_.start_op(index, context);
    offloaded_ = step.kind == OpStep::Kind::Offload;
    return step;
  }
  OpStep resume_op(OpContext& context) override { return steps_.resume_op(context); }

  // An offloaded op runs run_op on a pool thread: its overhead was paid on the loop.
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    if (offloaded_) {
      offloaded_ = false;
      return inner().run_op(index, context);
    }
    return OverheadSession::run_op(index, context);
  }

 private:
  SteppedOps& steps_;
  bool offloaded_ = false;
};

class OverheadWorkload final : public Workload {
 public:
  explicit OverheadWorkload(std::unique_ptr<Workload> inner) : inner_(std::move(inner)) {}
  [[nodiscard]] const WorkloadInfo& info() const noexcept override { return inner_->info(); }
  void start_shared(WorkloadParams& params) override {
    inner_->start_shared(params);
    if (params.op_overhead.count() > 0 && params.overhead_size == 0)
      params.overhead_size = count_iterations_for(params.op_overhead);
  }
  void stop_shared() noexcept override { inner_->stop_shared(); }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned worker_index) const override {
    auto session = inner_->open_worker(params, worker_index);
    if (params.overhead_size == 0) return session;
    if (auto* steps = dynamic_cast<SteppedOps*>(session.get())) {
      return std::make_unique<OverheadSteppedSession>(std::move(session), *steps,
                                                      params.overhead_size);
    }
    return std::make_unique<OverheadSession>(std::move(session), params.overhead_size);
  }

 private:
  std::unique_ptr<Workload> inner_;
};

}  // namespace

std::unique_ptr<Workload> with_op_overhead(std::unique_ptr<Workload> inner,
                                           const WorkloadParams& params) {
  if (params.op_overhead.count() <= 0 && params.overhead_size == 0) return inner;
  return std::make_unique<OverheadWorkload>(std::move(inner));
}

}  // namespace conc_probe::workloads
