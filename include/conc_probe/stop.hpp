#pragma once

#include <atomic>

/// The stop request: set by SIGINT, SIGTERM or SIGHUP while StopSignals is installed, read
/// by every wait of the engine and the workloads (each sees it within 100 ms).
namespace conc_probe {

namespace detail {
/// The signal that requested the stop, 0 if none. Written by the signal handler (a
/// lock-free atomic is async-signal-safe); read through stop_requested().
extern std::atomic<int> stop_signal_number;
static_assert(std::atomic<int>::is_always_lock_free);
}  // namespace detail

/// Installs SIGINT/SIGTERM/SIGHUP handlers that request a stop (workers are stopped and
/// reaped, temporary files and sockets removed by the engine). Restores the previous
/// handlers on destruction.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
};

/// True once a stop signal arrived while StopSignals was installed (or request_stop ran).
inline bool stop_requested() noexcept {
  return detail::stop_signal_number.load(std::memory_order_relaxed) != 0;
}

/// The signal that requested the stop (0 if none).
inline int stop_signal() noexcept {
  return detail::stop_signal_number.load(std::memory_order_relaxed);
}

/// Requests a stop as if `signal` had arrived.
void request_stop(int signal) noexcept;

/// Forgets a stop request (for callers that run again after handling one, and tests).
void clear_stop_request() noexcept;

}  // namespace conc_probe
