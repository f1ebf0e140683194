#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "conc_probe/op_context.hpp"

/// The `gil` mode's simulated interpreter lock: CPython's protocol (see
/// docs/gil-model.md), not a plain mutex.
namespace conc_probe {

enum class GilPolicy {
  New,     ///< CPython >= 3.2: switch interval, drop requests, forced switching
  Legacy,  ///< Python 2: release and re-take every check_interval ticks, no forced switching
};

std::string_view to_string(GilPolicy policy) noexcept;

struct GilConfig {
  GilPolicy policy = GilPolicy::New;
  std::chrono::nanoseconds interval = std::chrono::milliseconds(5);  ///< switch interval
  unsigned check_interval = 100;  ///< legacy: checkpoints ("ticks") between releases
  bool record_events = false;     ///< keep a timeline of holds, waits and IO
};

/// One span of a thread's time on the timeline.
struct GilEvent {
  enum class Kind { Hold, Wait, Io };
  unsigned thread = 0;
  Kind kind = Kind::Hold;
  std::int64_t start_ns = 0;  ///< since the lock was created
  std::int64_t end_ns = 0;
};

/// What the lock did during a run.
struct GilMetrics {
  std::uint64_t acquisitions = 0;     ///< times any thread took the lock
  std::uint64_t switches = 0;         ///< hand-overs to a different thread (switch_number)
  std::uint64_t drop_requests = 0;    ///< times a waiter set the drop request after a timeout
  std::uint64_t forced_switches = 0;  ///< releases that honoured a drop request
  double total_wait_seconds = 0;      ///< summed over threads: time spent waiting to take it
  double total_hold_seconds = 0;
  std::vector<double> hold_seconds;  ///< every completed hold, in order of release (first 1M)
  std::uint64_t events_dropped = 0;  ///< timeline events not kept (over the 200k cap)
};

/// One thread's view of the lock: an OpContext whose checkpoints honour drop requests and
/// whose blocking sections release the lock around the call.
class GilThread : public OpContext {
 public:
  /// Takes the lock (blocking, through the full waiting logic). Call before the first op.
  virtual void enter() noexcept = 0;
  /// Releases it for good. Call after the last op.
  virtual void leave() noexcept = 0;
};

/// The lock shared by all threads of one `gil` cell.
class Gil {
 public:
  virtual ~Gil() = default;
  /// Creates this thread's handle; `thread_index` names it in metrics and events.
  virtual std::unique_ptr<GilThread> attach(unsigned thread_index) = 0;
  /// Metrics so far; call after every thread has left for a complete picture.
  [[nodiscard]] virtual GilMetrics metrics() const = 0;
  /// The recorded timeline (empty unless record_events), sorted by start time.
  [[nodiscard]] virtual std::vector<GilEvent> events() const = 0;
};

/// Creates a lock following config.policy.
std::unique_ptr<Gil> make_gil(const GilConfig& config);

}  // namespace conc_probe
