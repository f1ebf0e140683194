#include "conc_probe/gil.hpp"

#include "conc_probe/error.hpp"
#include "gil/gil_internal.hpp"

namespace conc_probe {

std::string_view to_string(GilPolicy policy) noexcept {
  switch (policy) {
    case GilPolicy::New:
      return "new";
    case GilPolicy::Legacy:
      return "legacy";
  }
  return "unknown";
}

namespace gil {

namespace {

// One thread's handle: turns checkpoints and blocking sections into protocol steps on the
// shared LockCore, and reads the clock only when the lock changes hands.
class LockThread final : public GilThread {
 public:
  LockThread(unsigned thread, LockCore& core, Recorder& recorder, ThreadLedger& ledger)
      : thread_(thread), core_(core), recorder_(recorder), ledger_(ledger) {
    breaker_ = core_.breaker();
    ticks_ = core_.tick_budget();
  }
  ~LockThread() override { leave(); }  // never leave the lock held by a vanished thread
  LockThread(const LockThread&) = delete;
  LockThread& operator=(const LockThread&) = delete;

  void enter() noexcept override {
    if (!holding_) acquire(recorder_.now_ns(), false);
  }

  void leave() noexcept override {
    if (!holding_) return;
    release_hold();  // a final release never waits for a switch
  }

  void before_blocking() noexcept override {
    if (io_depth_++ > 0 || !holding_) return;
    const bool requested = release_hold();
    if (requested) {
      const std::int64_t start = recorder_.now_ns();
      wait_for_switch();
      ledger_.waited(start, recorder_.now_ns());
    }
    released_for_io_ = true;
    io_start_ns_ = recorder_.now_ns();
  }

  void after_blocking() noexcept override {
    if (io_depth_ == 0 || --io_depth_ > 0 || !released_for_io_) return;
    released_for_io_ = false;
    const std::int64_t now = recorder_.now_ns();
    ledger_.blocked(io_start_ns_, now);
    acquire(now, false);
  }

 protected:
  void on_checkpoint() noexcept override {
    ticks_ = core_.tick_budget();
    if (!holding_) return;
    const std::int64_t released_at = recorder_.now_ns();
    const bool requested = release_hold(released_at);
    if (requested) wait_for_switch();
    acquire(released_at, requested);
  }

 private:
  bool release_hold() { return release_hold(recorder_.now_ns()); }

  bool release_hold(std::int64_t now) {
    ledger_.released(hold_start_ns_, now);
    holding_ = false;
    return core_.release(thread_);
  }

  void wait_for_switch() {
    ledger_.forced_switch();
    core_.wait_for_switch(thread_);
  }

  // Takes the lock; the wait is timed from `wait_start` (a forced drop's release, or the
  // end of a blocking call). `always_span` records a Wait span even if the lock was free.
  void acquire(std::int64_t wait_start, bool always_span) {
    const bool waited = core_.take(thread_);
    const std::int64_t now = recorder_.now_ns();
    ledger_.acquired(wait_start, now, waited || always_span);
    hold_start_ns_ = now;
    holding_ = true;
  }

  unsigned thread_;
  LockCore& core_;
  Recorder& recorder_;
  ThreadLedger& ledger_;
  bool holding_ = false;
  bool released_for_io_ = false;
  unsigned io_depth_ = 0;
  std::int64_t hold_start_ns_ = 0;
  std::int64_t io_start_ns_ = 0;
};

class SimulatedGil final : public Gil {
 public:
  SimulatedGil(const GilConfig& config, ProtocolLog* log)
      : recorder_(config.record_events),
        core_(config.policy == GilPolicy::Legacy ? make_legacy_core(config.check_interval, log)
                                                 : make_new_core(config.interval, log)) {}

  std::unique_ptr<GilThread> attach(unsigned thread_index) override {
    ThreadLedger& ledger = recorder_.add_thread(thread_index);
    return std::make_unique<LockThread>(thread_index, *core_, recorder_, ledger);
  }

  [[nodiscard]] GilMetrics metrics() const override {
    GilMetrics metrics;
    core_->add_counters(metrics);
    recorder_.fill(metrics);
    return metrics;
  }

  [[nodiscard]] std::vector<GilEvent> events() const override { return recorder_.events(); }

 private:
  Recorder recorder_;
  std::unique_ptr<LockCore> core_;
};

void validate(const GilConfig& config) {
  if (config.policy == GilPolicy::New && config.interval.count() <= 0) {
    throw UsageError("the switch interval must be positive (e.g. 5ms)");
  }
  if (config.policy == GilPolicy::Legacy && config.check_interval == 0) {
    throw UsageError("--check-interval must be at least 1");
  }
}

}  // namespace

std::unique_ptr<Gil> make_gil(const GilConfig& config, ProtocolLog* log) {
  validate(config);
  return std::make_unique<SimulatedGil>(config, log);
}

}  // namespace gil

std::unique_ptr<Gil> make_gil(const GilConfig& config) { return gil::make_gil(config, nullptr); }

}  // namespace conc_probe
