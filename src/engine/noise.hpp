#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "conc_probe/result.hpp"
#include "engine/sched_sources.hpp"
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

/// One noise measurement: the rest of the machine, and the quota's throttling.
struct NoiseMeasurement {
  NoiseReading reading;
  std::optional<double> other_cores;  ///< other processes' CPU seconds per wall second
  Throttling throttling;              ///< during the measurement
};

/// Measures the noise between start() and stop().
class NoiseMeter {
 public:
  /// `cpu_stat_files`: this process's cgroups' cpu.stat files (live_cpu_stat_files()).
  explicit NoiseMeter(const std::vector<std::filesystem::path>& cpu_stat_files)
      : files_(cpu_stat_files) {}
  /// Reads the starting point.
  void start();
  /// The noise since start(); fractions unknown when /proc/stat cannot be read.
  NoiseMeasurement stop() const;

 private:
  const std::vector<std::filesystem::path>& files_;
  std::optional<CpuTicks> ticks_;
  std::vector<std::optional<Throttling>> throttling_;
  CpuUsage own_;
  std::int64_t start_ns_ = 0;
};

}  // namespace conc_probe::engine
