#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The plain data of the `gil` mode's lock: its policy and settings, its timeline events
/// and metrics. The lock itself is in gil.hpp.
namespace conc_probe {

enum class GilPolicy {
  New,     ///< CPython >= 3.2: switch interval, drop requests, forced switching
  Legacy,  ///< Python 2: release and re-take every check_interval ticks, no forced switching
};

std::string_view to_string(GilPolicy policy) noexcept;

/// The interpreter lock of one CPython release line (`--python-version X.Y`).
struct PythonGil {
  std::string version;  ///< "2.7", "3.12": normalised major.minor
  GilPolicy policy = GilPolicy::New;
  unsigned check_interval = 100;  ///< legacy: sys.getcheckinterval()'s default
  std::chrono::nanoseconds switch_interval =
      std::chrono::milliseconds(5);  ///< new: sys.getswitchinterval()
};

/// The lock of CPython `version` ("X.Y"); nullopt for a version no release line has.
std::optional<PythonGil> python_gil(std::string_view version);
/// The release lines python_gil() knows, for error messages ("2.0-2.2, 2.3-2.7, ...").
std::string python_versions_known();

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

}  // namespace conc_probe
