// CPython's interpreter lock since 3.2 ("new GIL", Python/ceval_gil.c; ceval_gil.h before
// 3.12). See docs/gil-model.md for the protocol in prose and its sources.
#include <condition_variable>
#include <limits>

#include "gil/gil_internal.hpp"

namespace conc_probe::gil {

namespace {

constexpr unsigned kNobody = std::numeric_limits<unsigned>::max();

class NewLockCore final : public LockCore {
 public:
  NewLockCore(std::chrono::nanoseconds interval, ProtocolLog* log)
      : interval_(interval), log_(log) {}

  bool take(unsigned thread) override {
    std::unique_lock lock(mutex_);
    const bool had_to_wait = locked_;
    while (locked_) wait_one_interval(lock, thread);
    {
      const std::lock_guard switch_lock(switch_mutex_);
      locked_ = true;
      if (last_holder_ != thread) {
        last_holder_ = thread;
        ++switch_number_;
      }
      // Wakes a holder that dropped the lock on request and waits to see it taken.
      switch_cond_.notify_all();
    }
    drop_request_.store(false, std::memory_order_relaxed);
    note(ProtocolStep::Kind::Take, thread);
    return had_to_wait;
  }

  bool release(unsigned thread) override {
    bool requested = false;
    {
      const std::lock_guard lock(mutex_);
      // Only a taker clears the flag, and nobody takes while we hold: this read is exact.
      requested = drop_request_.load(std::memory_order_relaxed);
      locked_ = false;
      note(requested ? ProtocolStep::Kind::ForcedRelease : ProtocolStep::Kind::Release, thread);
    }
    cond_.notify_one();
    return requested;
  }

  void wait_for_switch(unsigned thread) override {
    std::unique_lock lock(switch_mutex_);
    // Without this wait the releasing thread, still on its core, would usually win the
    // lock back before the woken waiter is scheduled (the Python 2 convoy).
    switch_cond_.wait(lock, [&] { return last_holder_ != thread; });
  }

  [[nodiscard]] const std::atomic<bool>* breaker() const noexcept override {
    return &drop_request_;
  }

  [[nodiscard]] std::int64_t tick_budget() const noexcept override {
    return std::numeric_limits<std::int64_t>::max();
  }

  void add_counters(GilMetrics& metrics) const override {
    const std::lock_guard lock(mutex_);
    metrics.switches += switch_number_;
    metrics.drop_requests += drop_requests_;
  }

 private:
  // One wait of a full interval; a timeout with no hand-over in between asks the holder to
  // drop the lock. Any wake-up (a release, even one followed by a re-take by the same
  // thread) returns, and the caller's loop starts a fresh full interval.
  void wait_one_interval(std::unique_lock<std::mutex>& lock, unsigned thread) {
    const std::uint64_t saved_switch = switch_number_;
    const bool timed_out = cond_.wait_for(lock, interval_) == std::cv_status::timeout;
    if (timed_out && locked_ && switch_number_ == saved_switch) {
      drop_request_.store(true, std::memory_order_relaxed);
      ++drop_requests_;
      note(ProtocolStep::Kind::DropRequest, thread);
    }
  }

  void note(ProtocolStep::Kind kind, unsigned thread) {
    if (log_ != nullptr) log_->append(kind, thread);
  }

  // Polled by the holder at every checkpoint; alone on its cache line so that waiters
  // touching the mutex do not slow the holder's fast path.
  alignas(64) std::atomic<bool> drop_request_{false};
  alignas(64) std::chrono::nanoseconds interval_;
  ProtocolLog* log_;
  mutable std::mutex mutex_;  // guards everything below; switch_mutex_ nests inside it
  std::condition_variable cond_;
  bool locked_ = false;
  std::uint64_t switch_number_ = 0;
  std::uint64_t drop_requests_ = 0;
  std::mutex switch_mutex_;  // also guards last_holder_ (written under both mutexes)
  std::condition_variable switch_cond_;
  unsigned last_holder_ = kNobody;
};

}  // namespace

std::unique_ptr<LockCore> make_new_core(std::chrono::nanoseconds interval, ProtocolLog* log) {
  return std::make_unique<NewLockCore>(interval, log);
}

}  // namespace conc_probe::gil
