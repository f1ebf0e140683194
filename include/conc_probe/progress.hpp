#pragma once

#include <cstddef>
#include <string>

#include "conc_probe/result.hpp"

namespace conc_probe {

/// What a running bench is about to do and how far the whole run is, for a progress
/// display (EngineObserver::progress). Plain data, made by the engine.
struct RunProgress {
  enum class Step { Calibrating, WarmUp, Measuring };
  Step step = Step::Measuring;
  CellKey cell;                     ///< the cell about to run (only its workload while calibrating)
  unsigned repetition = 0;          ///< 1-based number of this warm-up or measured repetition
  unsigned repetitions = 0;         ///< warm-ups, or the measured repetitions every cell gets
  unsigned max_repetitions = 0;     ///< adaptive: the most a cell may get; else = repetitions
  double fraction_done = 0;         ///< share of the run's expected work done, 0..1, never falls
  double seconds_left = 0;          ///< expected time to the end of the run
  double seconds_left_at_most = 0;  ///< with every extra repetition the time budget allows
};

/// The one line a terminal shows for `progress`, at most `width` columns (0: no limit):
/// "42% · 0:12 left (at most 0:21) · count gil×2 @5ms · rep 3/6". The cell is named as
/// the bench table names it. Defined in the report module.
std::string progress_text(const RunProgress& progress, std::size_t width);

}  // namespace conc_probe
