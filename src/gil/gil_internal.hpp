#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "conc_probe/gil.hpp"

/// Internals of the simulated interpreter lock, shared by src/gil/*.cpp and the protocol
/// tests. The public face is conc_probe/gil.hpp.
namespace conc_probe::gil {

/// Upper bound on recorded timeline events per lock (all threads together), so that a long
/// run with record_events keeps its memory bounded (~5 MB).
inline constexpr std::uint64_t kMaxEvents = 200'000;
/// Upper bound on stored hold durations per lock; counters and totals keep counting past it.
inline constexpr std::uint64_t kMaxHoldSamples = 1'000'000;

/// One step of the lock protocol, for tests that check its ordering properties.
struct ProtocolStep {
  enum class Kind {
    Take,           ///< `thread` took the lock
    Release,        ///< `thread` released it with no drop request pending
    ForcedRelease,  ///< `thread` released it while a drop request was pending
    DropRequest,    ///< waiter `thread` timed out and set the drop request
  };
  Kind kind = Kind::Take;
  unsigned thread = 0;
};

/// An append-only record of protocol steps, in the order the lock's mutex saw them.
class ProtocolLog {
 public:
  /// Appends one step; thread-safe.
  void append(ProtocolStep::Kind kind, unsigned thread);
  /// A copy of all steps so far.
  [[nodiscard]] std::vector<ProtocolStep> steps() const;

 private:
  mutable std::mutex mutex_;
  std::vector<ProtocolStep> steps_;
};

/// The protocol of one policy: who holds the lock, how it is taken and released. Threads
/// are named by their attach index. Counts hand-overs; knows nothing about time.
class LockCore {
 public:
  virtual ~LockCore() = default;
  /// Blocks until this thread holds the lock; returns true when it had to wait.
  virtual bool take(unsigned thread) = 0;
  /// Releases the lock; returns true when a drop request was pending, in which case the
  /// caller must call wait_for_switch() before taking the lock again.
  virtual bool release(unsigned thread) = 0;
  /// Blocks until another thread than `thread` has taken the lock since its release.
  virtual void wait_for_switch(unsigned thread) = 0;
  /// The flag GilThread::breaker_ points at.
  [[nodiscard]] virtual const std::atomic<bool>* breaker() const noexcept = 0;
  /// Checkpoints between calls of on_checkpoint (INT64_MAX when only the flag matters).
  [[nodiscard]] virtual std::int64_t tick_budget() const noexcept = 0;
  /// Adds switches and drop_requests to `metrics`.
  virtual void add_counters(GilMetrics& metrics) const = 0;
};

/// CPython >= 3.2's lock: switch interval, drop requests, forced switching.
std::unique_ptr<LockCore> make_new_core(std::chrono::nanoseconds interval, ProtocolLog* log);
/// Python 2's lock: a plain lock re-offered every `check_interval` checkpoints.
std::unique_ptr<LockCore> make_legacy_core(unsigned check_interval, ProtocolLog* log);

/// One thread's metrics and timeline, written only by that thread (under a mutex nobody
/// else takes on the hot path) and read by the lock's metrics()/events().
class ThreadLedger {
 public:
  ThreadLedger(unsigned thread, std::atomic<std::uint64_t>* event_budget,
               std::atomic<std::uint64_t>* hold_budget);
  /// An acquisition: waited from `wait_start_ns` to `now_ns`; `waited_span` adds a Wait
  /// event to the timeline.
  void acquired(std::int64_t wait_start_ns, std::int64_t now_ns, bool waited_span);
  /// Time spent waiting that did not end in an acquisition (forced-switch wait before IO).
  void waited(std::int64_t start_ns, std::int64_t end_ns);
  /// The end of a hold that began at `start_ns`.
  void released(std::int64_t start_ns, std::int64_t end_ns);
  /// A blocking call (lock released) from `start_ns` to `end_ns`.
  void blocked(std::int64_t start_ns, std::int64_t end_ns);
  /// A release that honoured a drop request.
  void forced_switch();
  /// Adds this thread's counters and totals to `metrics`, its hold samples to `holds`.
  void add_to(GilMetrics& metrics, std::vector<std::pair<std::int64_t, double>>& holds) const;
  /// Appends this thread's events to `out`.
  void append_events(std::vector<GilEvent>& out) const;

 private:
  void add_event(GilEvent::Kind kind, std::int64_t start_ns, std::int64_t end_ns);

  unsigned thread_;
  std::atomic<std::uint64_t>* event_budget_;  // nullptr: not recording
  std::atomic<std::uint64_t>* hold_budget_;
  mutable std::mutex mutex_;
  std::uint64_t acquisitions_ = 0;
  std::uint64_t forced_switches_ = 0;
  std::int64_t wait_ns_ = 0;
  std::int64_t hold_ns_ = 0;
  std::vector<std::pair<std::int64_t, double>> holds_;  // (end_ns, seconds)
  std::vector<GilEvent> events_;
  std::uint64_t events_dropped_ = 0;
};

/// Owns every thread's ledger and the time origin of one lock.
class Recorder {
 public:
  explicit Recorder(bool record_events);
  /// Nanoseconds since the recorder was created (steady clock).
  [[nodiscard]] std::int64_t now_ns() const noexcept;
  /// A new ledger for `thread`, valid as long as the recorder.
  ThreadLedger& add_thread(unsigned thread);
  /// Totals and merged hold samples (in order of release) of all ledgers.
  void fill(GilMetrics& metrics) const;
  /// All events, sorted by start time (then thread).
  [[nodiscard]] std::vector<GilEvent> events() const;

 private:
  std::chrono::steady_clock::time_point origin_;
  bool record_events_;
  std::atomic<std::uint64_t> event_budget_{0};
  std::atomic<std::uint64_t> hold_budget_{0};
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<ThreadLedger>> ledgers_;
};

/// make_gil with an optional protocol log for tests (`log` must outlive the lock).
std::unique_ptr<Gil> make_gil(const GilConfig& config, ProtocolLog* log);

}  // namespace conc_probe::gil
