// Python 2's interpreter lock (Python/ceval.c before 3.2): a plain lock that the holder
// releases and immediately tries to take again every `check_interval` ticks. There is no
// drop request, no forced switching and no queue, so on a multi-core machine the releasing
// thread, still running, usually wins it back (see docs/gil-model.md).
#include <algorithm>
#include <condition_variable>
#include <limits>

#include "gil/gil_internal.hpp"

namespace conc_probe::gil {

namespace {

/// Python 2's check interval counts ticks, about one per bytecode that ends with `continue`
/// in ceval.c's loop: two per turn of `while n > 0: n -= 1`, which takes 29 ns in 2.7.18 on
/// the project's machine, so the default 100 ticks are ~1.5 us of work. A conc-probe
/// checkpoint comes every 128 iterations of the count kernel, ~140 ns in a release build:
/// ten ticks' worth. The lock is therefore released every check_interval / 10 checkpoints
/// (at least every one), so that it is held about as long as Python 2 holds it
/// (docs/gil-model.md).
constexpr std::int64_t kTicksPerCheckpoint = 10;

constexpr unsigned kNobody = std::numeric_limits<unsigned>::max();

class LegacyLockCore final : public LockCore {
 public:
  LegacyLockCore(unsigned check_interval, ProtocolLog* log)
      : check_interval_(check_interval), log_(log) {}

  bool take(unsigned thread) override {
    std::unique_lock lock(mutex_);
    const bool had_to_wait = locked_;
    cond_.wait(lock, [&] { return !locked_; });
    locked_ = true;
    if (last_holder_ != thread) {
      last_holder_ = thread;
      ++switches_;
    }
    note(ProtocolStep::Kind::Take, thread);
    return had_to_wait;
  }

  bool release(unsigned thread) override {
    {
      const std::lock_guard lock(mutex_);
      locked_ = false;
      note(ProtocolStep::Kind::Release, thread);
    }
    cond_.notify_one();
    return false;
  }

  void wait_for_switch(unsigned /*thread*/) override {}

  [[nodiscard]] const std::atomic<bool>* breaker() const noexcept override { return &never_; }

  [[nodiscard]] std::int64_t tick_budget() const noexcept override {
    return std::max<std::int64_t>(1, check_interval_ / kTicksPerCheckpoint);
  }

  void add_counters(GilMetrics& metrics) const override {
    const std::lock_guard lock(mutex_);
    metrics.switches += switches_;
  }

 private:
  void note(ProtocolStep::Kind kind, unsigned thread) {
    if (log_ != nullptr) log_->append(kind, thread);
  }

  // OpContext::checkpoint() runs its tick countdown only with a non-null flag; this one
  // is never set, so only the countdown reaches on_checkpoint().
  std::atomic<bool> never_{false};
  std::int64_t check_interval_;
  ProtocolLog* log_;
  mutable std::mutex mutex_;
  std::condition_variable cond_;
  bool locked_ = false;
  unsigned last_holder_ = kNobody;
  std::uint64_t switches_ = 0;
};

}  // namespace

std::unique_ptr<LockCore> make_legacy_core(unsigned check_interval, ProtocolLog* log) {
  return std::make_unique<LegacyLockCore>(check_interval, log);
}

}  // namespace conc_probe::gil
