#pragma once

#include <chrono>
#include <cstdint>

#include "conc_probe/op_context.hpp"

/// The optional non-blocking form of a workload's ops, for an event loop (`async` mode):
/// an op starts, says what it waits for, and goes on when that is ready.
namespace conc_probe {

/// What a stepped op needs before its next step, or its result when it is done.
struct OpStep {
  enum class Kind {
    Done,      ///< finished: `checksum` is the op's checksum, equal to run_op's
    Sleep,     ///< wake me after `sleep` (a timer, as asyncio.sleep)
    Readable,  ///< wake me when `fd` is readable
    Writable,  ///< wake me when `fd` is writable
    Offload,   ///< run the whole op with run_op on a worker thread (as asyncio.to_thread)
  };
  Kind kind = Kind::Done;
  std::chrono::nanoseconds sleep{0};
  int fd = -1;
  std::uint64_t checksum = 0;

  static OpStep done(std::uint64_t checksum) noexcept { return {Kind::Done, {}, -1, checksum}; }
  static OpStep sleep_for(std::chrono::nanoseconds duration) noexcept {
    return {Kind::Sleep, duration, -1, 0};
  }
  static OpStep readable(int fd) noexcept { return {Kind::Readable, {}, fd, 0}; }
  static OpStep writable(int fd) noexcept { return {Kind::Writable, {}, fd, 0}; }
  static OpStep offload() noexcept { return {Kind::Offload, {}, -1, 0}; }
};

/// Implemented beside WorkerSession by sessions whose ops can run as non-blocking steps.
/// A session without it runs each op whole on the loop (CPU work does that anyway). One op
/// of a session is in progress at a time; every step runs on the loop's thread, except an
/// offloaded op's run_op, which runs on a worker thread while the loop leaves the session
/// alone.
class SteppedOps {
 public:
  SteppedOps() = default;
  SteppedOps(const SteppedOps&) = delete;
  SteppedOps& operator=(const SteppedOps&) = delete;
  virtual ~SteppedOps() = default;

  /// Starts op `index`: runs its compute part (with context.checkpoint() as run_op does)
  /// and returns what it waits for, or Done. Throws what run_op throws.
  virtual OpStep start_op(std::uint64_t index, OpContext& context) = 0;
  /// Goes on with the op after the wait its last step asked for is over (never called
  /// after Done or Offload). Throws what run_op throws.
  virtual OpStep resume_op(OpContext& context) = 0;
};

}  // namespace conc_probe
