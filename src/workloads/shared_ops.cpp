// --shared: one counter every worker updates in a fraction of its ops.
#include "workloads/shared_ops.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cmath>
#include <new>
#include <stdexcept>

#include "conc_probe/op_steps.hpp"
#include "workloads/io_util.hpp"

namespace conc_probe::workloads {

namespace {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the counter is shared between processes: it must not need a lock");

/// An inner session's op, then the shared update when the op is a shared one.
class SharedSession : public WorkerSession {
 public:
  SharedSession(std::unique_ptr<WorkerSession> inner, std::atomic<std::uint64_t>& counter,
                double fraction)
      : inner_(std::move(inner)), counter_(counter), fraction_(fraction) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t checksum = inner_->run_op(index, context);
    if (is_shared_op(index, fraction_)) touch();
    return checksum;
  }

 protected:
  void touch() noexcept { counter_.fetch_add(1, std::memory_order_acq_rel); }
  [[nodiscard]] WorkerSession& inner() const noexcept { return *inner_; }
  [[nodiscard]] double fraction() const noexcept { return fraction_; }

 private:
  std::unique_ptr<WorkerSession> inner_;
  std::atomic<std::uint64_t>& counter_;
  double fraction_;
};

/// The same for a session with stepped ops (async): the update is made when the op
/// starts, or by run_op when the inner op goes to the offload pool whole.
class SharedSteppedSession final : public SharedSession, public SteppedOps {
 public:
  SharedSteppedSession(std::unique_ptr<WorkerSession> inner, SteppedOps& steps,
                       std::atomic<std::uint64_t>& counter, double fraction)
      : SharedSession(std::move(inner), counter, fraction), steps_(steps) {}

  OpStep start_op(std::uint64_t index, OpContext& context) override {
    OpStep step = steps_.start_op(index, context);
    if (step.kind != OpStep::Kind::Offload && is_shared_op(index, fraction())) touch();
    return step;
  }
  OpStep resume_op(OpContext& context) override { return steps_.resume_op(context); }

 private:
  SteppedOps& steps_;
};

}  // namespace

std::uint64_t shared_ops_below(std::uint64_t total, double fraction) noexcept {
  if (!(fraction > 0)) return 0;
  if (fraction >= 1) return total;
  return static_cast<std::uint64_t>(std::floor(static_cast<double>(total) * fraction));
}

bool is_shared_op(std::uint64_t index, double fraction) noexcept {
  return shared_ops_below(index + 1, fraction) != shared_ops_below(index, fraction);
}

SharedCounter::SharedCounter() {
  void* memory = ::mmap(nullptr, sizeof(std::atomic<std::uint64_t>), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw system_failure("--shared: cannot map the shared counter", errno);
  value_ = new (memory) std::atomic<std::uint64_t>(0);
}

SharedCounter::~SharedCounter() { ::munmap(value_, sizeof(std::atomic<std::uint64_t>)); }

SharedOpsWorkload::SharedOpsWorkload(std::unique_ptr<Workload> inner) : inner_(std::move(inner)) {}

std::unique_ptr<WorkerSession> SharedOpsWorkload::open_worker(const WorkloadParams& params,
                                                              unsigned worker_index) const {
  auto session = inner_->open_worker(params, worker_index);
  if (!(params.shared_fraction > 0)) return session;
  if (auto* steps = dynamic_cast<SteppedOps*>(session.get())) {
    return std::make_unique<SharedSteppedSession>(std::move(session), *steps, counter(),
                                                  params.shared_fraction);
  }
  return std::make_unique<SharedSession>(std::move(session), counter(), params.shared_fraction);
}

}  // namespace conc_probe::workloads
