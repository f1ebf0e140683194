// Robust statistics over repetitions. Methods and sources: docs/methodology.md.
#include "conc_probe/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

namespace conc_probe::stats {
namespace {

/// A sorted copy without NaNs (a NaN has no place in an order, and std::sort needs one).
std::vector<double> sorted_values(std::span<const double> values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  std::copy_if(values.begin(), values.end(), std::back_inserter(sorted),
               [](double v) { return !std::isnan(v); });
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

/// Median of an already sorted vector; 0 when empty.
double sorted_median(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  if (n == 0) return 0;
  if (n % 2 == 1) return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/// Linear interpolation between closest ranks (Hyndman & Fan type 7, NumPy's default).
double sorted_percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double clamped = std::isnan(p) ? 50.0 : std::clamp(p, 0.0, 100.0);
  const double h = clamped / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(h));
  const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
  const double fraction = h - static_cast<double>(lower);
  return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
}

/// P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n cannot overflow.
double binomial_half_cdf(std::size_t n, std::size_t k) {
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  double total = 0;
  double log_choose = 0;  // log C(n, i), grown term by term (std::lgamma is not thread-safe)
  for (std::size_t i = 0; i <= k && i <= n; ++i) {
    if (i > 0) {
      log_choose += std::log(static_cast<double>(n - i + 1)) - std::log(static_cast<double>(i));
    }
    total += std::exp(log_choose + log_half_n);
  }
  return std::min(total, 1.0);
}

/// The 1-based rank k of the interval [x(k), x(n+1-k)] that is the narrowest one whose
/// coverage 1 - 2 P(X <= k-1) still reaches `confidence`; 0 when even [min, max] falls short.
std::size_t median_ci_rank(std::size_t n, double confidence) {
  std::size_t best = 0;
  for (std::size_t k = 1; k <= (n + 1) / 2; ++k) {
    const double coverage = 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    if (coverage < confidence) break;
    best = k;
  }
  return best;
}

/// Divides, answering `fallback` when the denominator is not a positive number.
double safe_divide(double numerator, double denominator, double fallback) {
  if (!(denominator > 0) || !std::isfinite(denominator)) return fallback;
  return numerator / denominator;
}

}  // namespace

double median(std::span<const double> values) { return sorted_median(sorted_values(values)); }

double mad(std::span<const double> values) {
  const auto sorted = sorted_values(values);
  const double center = sorted_median(sorted);
  std::vector<double> deviations;
  deviations.reserve(sorted.size());
  for (double v : sorted) deviations.push_back(std::fabs(v - center));
  std::sort(deviations.begin(), deviations.end());
  return sorted_median(deviations);
}

double mean(std::span<const double> values) {
  const auto sorted = sorted_values(values);
  if (sorted.empty()) return 0;
  return std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
}

double percentile(std::span<const double> values, double p) {
  return sorted_percentile(sorted_values(values), p);
}

Summary summarize(std::span<const double> values, double confidence) {
  const auto sorted = sorted_values(values);
  Summary summary;
  summary.n = sorted.size();
  if (sorted.empty()) return summary;
  summary.median = sorted_median(sorted);
  summary.mad = mad(sorted);
  summary.min = sorted.front();
  summary.max = sorted.back();
  summary.mean = mean(sorted);
  const std::size_t k = median_ci_rank(sorted.size(), confidence);
  summary.ci_low = k == 0 ? summary.min : sorted[k - 1];
  summary.ci_high = k == 0 ? summary.max : sorted[sorted.size() - k];
  // The interval's real coverage: [x(k), x(n+1-k)] covers the median with probability
  // 1 - 2 P(X <= k-1); with too few values, [min, max] is all there is (k = 1).
  summary.ci_level =
      sorted.size() < 2
          ? 0.0
          : 1.0 - 2.0 * binomial_half_cdf(sorted.size(), std::max<std::size_t>(k, 1) - 1);
  return summary;
}

Ratio ratio_of_medians(const Summary& numerator, const Summary& denominator) {
  Ratio ratio;
  ratio.estimate = safe_divide(numerator.median, denominator.median, 0);
  // The interval bounds pair the extremes: the smallest numerator over the largest
  // denominator, and the other way round. A denominator bound that is not positive gives
  // no information, so that side of the interval falls back to the estimate.
  ratio.ci_low = safe_divide(numerator.ci_low, denominator.ci_high, ratio.estimate);
  ratio.ci_high = safe_divide(numerator.ci_high, denominator.ci_low, ratio.estimate);
  ratio.ci_low = std::min(ratio.ci_low, ratio.estimate);
  ratio.ci_high = std::max(ratio.ci_high, ratio.estimate);
  return ratio;
}

bool precise_enough(const Summary& summary, double precision, double confidence) {
  if (summary.n < 2 || summary.ci_level + 1e-9 < confidence || !(summary.median > 0)) return false;
  return (summary.ci_high - summary.ci_low) / (2.0 * summary.median) <= precision;
}

std::size_t values_for_confidence(double confidence) {
  for (std::size_t n = 2; n < 64; ++n) {
    if (median_ci_rank(n, confidence) > 0) return n;
  }
  return 64;
}

LatencySummary latency_summary(std::span<const double> latency_seconds) {
  const auto sorted = sorted_values(latency_seconds);
  LatencySummary summary;
  summary.count = sorted.size();
  if (sorted.empty()) return summary;
  summary.p50 = sorted_percentile(sorted, 50);
  summary.p95 = sorted_percentile(sorted, 95);
  summary.p99 = sorted_percentile(sorted, 99);
  summary.max = sorted.back();
  return summary;
}

}  // namespace conc_probe::stats
