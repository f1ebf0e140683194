#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "conc_probe/gil_types.hpp"
#include "conc_probe/op_context.hpp"

/// The `gil` mode's simulated interpreter lock: CPython's protocol (see
/// docs/gil-model.md), not a plain mutex.
namespace conc_probe {

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
