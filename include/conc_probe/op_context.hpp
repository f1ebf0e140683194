#pragma once

#include <atomic>
#include <cstdint>

#include "conc_probe/stop.hpp"

namespace conc_probe {

/// The executor's window into a workload's ops. CPU kernels call checkpoint() at a fine
/// grain (well under a microsecond of work apart); IO ops wrap every blocking call in a
/// BlockingSection. The plain context does nothing; the `gil` mode's context uses the
/// checkpoint to honour drop requests and the blocking hooks to release the lock around IO.
class OpContext {
 public:
  OpContext() = default;
  OpContext(const OpContext&) = delete;
  OpContext& operator=(const OpContext&) = delete;
  virtual ~OpContext() = default;

  /// Two relaxed loads (plus a countdown) on the fast path; calls on_checkpoint() when the
  /// breaker flag is set or the tick countdown reaches zero. Returns false once a stop was
  /// requested: the kernel should end its op early (the repetition is then discarded).
  bool checkpoint() noexcept {
    if (breaker_ != nullptr && (breaker_->load(std::memory_order_relaxed) || --ticks_ == 0)) {
      on_checkpoint();
    }
    return !stop_requested();
  }

  /// Called right before a blocking operation (sleep, read, write, send, recv, fsync).
  virtual void before_blocking() noexcept {}
  /// Called right after it returns.
  virtual void after_blocking() noexcept {}

 protected:
  /// Slow path of checkpoint(). Implementations reset ticks_ as they need.
  virtual void on_checkpoint() noexcept {}

  /// Set by subclasses: the flag polled at every checkpoint (CPython's eval breaker).
  const std::atomic<bool>* breaker_ = nullptr;
  /// Checkpoints left until on_checkpoint() is called regardless of the flag.
  std::int64_t ticks_ = INT64_MAX;
};

/// RAII: marks a blocking operation for the context (releases a GIL for its duration).
class BlockingSection {
 public:
  explicit BlockingSection(OpContext& context) noexcept : context_(context) {
    context_.before_blocking();
  }
  ~BlockingSection() { context_.after_blocking(); }
  BlockingSection(const BlockingSection&) = delete;
  BlockingSection& operator=(const BlockingSection&) = delete;

 private:
  OpContext& context_;
};

}  // namespace conc_probe
