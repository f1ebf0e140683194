#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "conc_probe/result.hpp"
#include "engine/worker_loop.hpp"

/// How busy the rest of the machine was while we measured: /proc/stat's CPU totals minus
/// our own CPU time (this process and its waited-for children), and VM steal time.
namespace conc_probe::engine {

/// The aggregate "cpu" line of /proc/stat, in clock ticks.
struct CpuTicks {
  std::uint64_t busy = 0;  ///< user + nice + system + irq + softirq
  std::uint64_t steal = 0;
  std::uint64_t total = 0;  ///< busy + idle + iowait + steal
};

/// Parses the first "cpu " line of /proc/stat text; nullopt when it is missing or malformed.
std::optional<CpuTicks> parse_proc_stat(std::string_view text);

/// One noise measurement with the busy verdict.
struct NoiseMeasurement {
  NoiseReading reading;
  double other_cores = 0;  ///< other processes' CPU seconds per wall second
  bool busy = false;
};

/// The busy rule (docs/engine.md): other processes used more than 10% of one core, or
/// steal exceeded 2% of the capacity. Unknown readings are not busy.
bool is_busy(const NoiseReading& reading, double other_cores) noexcept;

/// Measures the noise between start() and stop().
class NoiseMeter {
 public:
  /// Reads the starting point.
  void start();
  /// The noise since start(); fractions unknown when /proc/stat cannot be read.
  NoiseMeasurement stop() const;

 private:
  std::optional<CpuTicks> ticks_;
  CpuUsage own_;
  std::int64_t start_ns_ = 0;
};

}  // namespace conc_probe::engine
