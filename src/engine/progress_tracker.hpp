#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "conc_probe/config.hpp"
#include "conc_probe/progress.hpp"

namespace conc_probe::engine {

/// How far a bench run is and how long the rest should take. The plan is the config's:
/// every cell gets warm-up + repetitions rounds; adaptive runs then repeat the cells whose
/// interval is still wide, up to max_repetitions and the time budget. A repetition is
/// expected to take what the same cell's last one took (the first round measures every
/// cell); cells not run yet, what the run's repetitions took on average, or the duration.
/// The share done is measured against the worst case (seconds_left_at_most).
/// Times are monotonic nanoseconds passed in, so tests choose them.
class ProgressTracker {
 public:
  ProgressTracker(const BenchConfig& config, std::int64_t start_ns);

  /// Workload `index` of config.workloads starts with `cells` cells; its extra
  /// repetitions stop at `deadline_ns`.
  void begin_workload(std::size_t index, std::size_t cells, std::int64_t deadline_ns);
  /// Calibration of the current workload starts.
  RunProgress calibrating(std::int64_t now_ns);
  /// Calibration ended (or was skipped: no call to calibrating).
  void calibrated(std::int64_t now_ns);
  /// A round of extra repetitions will run these cells (indices in the workload).
  void extra_round(const std::vector<std::size_t>& cells);
  /// Cell `cell` (`key`) starts round `round`, having `samples` measured repetitions.
  RunProgress starting(std::size_t cell, const CellKey& key, unsigned round, std::size_t samples,
                       std::int64_t now_ns);
  /// The repetition begun by the last `starting` ended.
  void finished(std::int64_t now_ns);

 private:
  struct CellState {
    double seconds = -1;         ///< the last repetition's time; < 0 before the first
    unsigned runs = 0;           ///< repetitions run, warm-ups included
    bool wanting = false;        ///< chosen for the current round of extra repetitions
    bool pending_extra = false;  ///< ... and not run in it yet
  };

  double guess_seconds() const;
  double cell_seconds(const CellState& cell) const;
  double expected_left(std::int64_t now_ns) const;
  RunProgress make(RunProgress progress, std::int64_t now_ns);

  const BenchConfig& config_;
  std::int64_t start_ns_;
  std::vector<std::size_t> cells_per_workload_;
  std::size_t workload_ = 0;
  bool calibration_pending_ = true;
  bool calibration_running_ = false;
  std::int64_t calibration_start_ns_ = 0;
  double calibration_seconds_ = -1;
  std::int64_t deadline_ns_ = 0;
  std::vector<CellState> cells_;
  std::size_t running_ = 0;
  std::int64_t running_since_ns_ = 0;
  double observed_seconds_ = 0;  ///< sum of every repetition's time
  std::size_t observed_ = 0;
  double fraction_ = 0;
};

}  // namespace conc_probe::engine
