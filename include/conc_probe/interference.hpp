#pragma once

#include <optional>
#include <span>
#include <string>

#include "conc_probe/result.hpp"

/// Interference: how much of what a cell's workers needed others took, measured per
/// repetition and judged per cell (method and thresholds in docs/methodology.md).
namespace conc_probe::stats {

/// A share of the need taken by others beyond this marks a cell: its result could have
/// changed by about that much.
inline constexpr double kInterferenceMark = 0.03;

/// What one repetition measured.
struct InterferenceInputs {
  unsigned workers = 1;
  double wall_seconds = 0;
  double cpu_seconds = 0;              ///< the workers' CPU time
  std::optional<double> wait_seconds;  ///< the workers' run delay, where the kernel keeps it
  double capacity = 1;                 ///< CPUs the cell may use: affinity and quota
  /// /proc/stat: other processes' CPUs (CPU-seconds per second), the fallback source.
  std::optional<double> other_cores;
  std::optional<double> steal_fraction;  ///< of the machine's capacity
  double throttled_seconds = 0;
  std::uint64_t throttled_periods = 0;
  std::uint64_t quota_periods = 0;
};

/// One repetition's interference. With the run delay: the workers wanted cpu + wait
/// CPU-seconds; within the capacity they could have had min(that, capacity × wall); what
/// they did not get, others took. Waiting caused by the cell's own oversubscription or by
/// the quota is within that bound, so it is not counted. Without the run delay, /proc/stat's
/// other-process CPU beyond the spare capacity is counted instead.
SampleInterference assess_interference(const InterferenceInputs& inputs);

/// The cell's interference over its samples, with the mark, throttling text and notes.
CellInterference summarize_interference(std::span<const Sample> samples);

}  // namespace conc_probe::stats
