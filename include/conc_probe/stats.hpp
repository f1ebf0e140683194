#pragma once

#include <optional>
#include <span>

#include "conc_probe/summary.hpp"

/// Pure, total statistics over samples (methods and sources in docs/methodology.md).
/// Every function has a defined answer for n = 0 (zeros), n = 1 and MAD = 0.
namespace conc_probe::stats {

double median(std::span<const double> values);
/// Median absolute deviation from the median (unscaled).
double mad(std::span<const double> values);
double mean(std::span<const double> values);
/// Linear-interpolated percentile, p in [0, 100].
double percentile(std::span<const double> values, double p);
/// Median, MAD, min, max, mean and a distribution-free confidence interval of the median
/// (order statistics, binomial; `confidence` e.g. 0.95). With too few values for the
/// requested confidence, the interval is [min, max].
Summary summarize(std::span<const double> values, double confidence = 0.95);
/// Ratio numerator/denominator of two medians with a confidence interval from the two
/// summaries' intervals (conservative: low = num.ci_low / den.ci_high, ...).
Ratio ratio_of_medians(const Summary& numerator, const Summary& denominator);
/// True when the median's interval reaches `confidence` and its half-width is at most
/// `precision` of the median (0.02 = ±2%): the adaptive repetitions' stopping rule.
bool precise_enough(const Summary& summary, double precision, double confidence = 0.95);
/// The fewest values whose order-statistic interval of the median reaches `confidence`
/// (6 for 95%: [min, max] of 6 covers 96.9%).
std::size_t values_for_confidence(double confidence = 0.95);
LatencySummary latency_summary(std::span<const double> latency_seconds);

}  // namespace conc_probe::stats
