#pragma once

#include <cstddef>

/// What statistics make of repeated measurements: plain data, shared by the statistics,
/// the results and compare.
namespace conc_probe {

/// Robust statistics of one quantity over repetitions (see docs/methodology.md).
struct Summary {
  std::size_t n = 0;
  /// The coverage of [ci_low, ci_high] (0.95, or less when there are too few values).
  double ci_level = 0;
  double median = 0;
  double mad = 0;  ///< median absolute deviation (unscaled)
  double min = 0;
  double max = 0;
  double mean = 0;
  double ci_low = 0;  ///< confidence interval of the median
  double ci_high = 0;
};

/// A ratio with its confidence interval.
struct Ratio {
  double estimate = 0;
  double ci_low = 0;
  double ci_high = 0;
};

struct LatencySummary {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;  ///< seconds
  std::size_t count = 0;
};

}  // namespace conc_probe
