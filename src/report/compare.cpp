#include "conc_probe/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "conc_probe/error.hpp"
#include "conc_probe/random.hpp"
#include "conc_probe/stats.hpp"

namespace conc_probe {

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::Faster:
      return "faster";
    case Verdict::Slower:
      return "slower";
    case Verdict::Unchanged:
      return "unchanged";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

bool Comparison::has(Verdict verdict) const noexcept {
  return std::any_of(cells.begin(), cells.end(),
                     [verdict](const CellComparison& cell) { return cell.verdict == verdict; });
}

Ratio bootstrap_ratio(const std::vector<double>& base, const std::vector<double>& next,
                      const CompareOptions& options) {
  Ratio ratio;
  const double base_median = stats::median(base);
  if (base.empty() || next.empty() || base_median <= 0) return ratio;
  ratio.estimate = stats::median(next) / base_median;
  // Percentile bootstrap of the ratio of medians: resample each run with replacement. The
  // draws come from the project's own generator, so a seed gives the same interval with
  // every compiler and standard library.
  Xoshiro256 rng(options.seed);
  std::vector<double> ratios, resample_base(base.size()), resample_next(next.size());
  for (unsigned i = 0; i < options.resamples; ++i) {
    for (auto& value : resample_base) value = base[rng.below(base.size())];
    for (auto& value : resample_next) value = next[rng.below(next.size())];
    const double denominator = stats::median(resample_base);
    if (denominator > 0) ratios.push_back(stats::median(resample_next) / denominator);
  }
  const double tail = (1.0 - options.confidence) / 2.0 * 100.0;
  ratio.ci_low = stats::percentile(ratios, tail);
  ratio.ci_high = stats::percentile(ratios, 100.0 - tail);
  return ratio;
}

namespace {

/// Each repetition's time per op as if others had taken nothing: the time lost to them
/// (their share of the need) taken out.
std::vector<double> credited_times(const RunCell& cell) {
  std::vector<double> out;
  for (std::size_t i = 0; i < cell.seconds_per_op.size(); ++i)
    out.push_back(cell.seconds_per_op[i] * (1.0 - cell.taken_fraction[i]));
  return out;
}

Ratio hull(const Ratio& a, const Ratio& b) {
  return Ratio{a.estimate, std::min(a.ci_low, b.ci_low), std::max(a.ci_high, b.ci_high)};
}

CellComparison compare_cell(const RunCell& base, const RunCell& next,
                            const CompareOptions& options) {
  CellComparison out;
  out.id = base.id;
  out.base_median = stats::median(base.seconds_per_op);
  out.new_median = stats::median(next.seconds_per_op);
  out.ratio = bootstrap_ratio(base.seconds_per_op, next.seconds_per_op, options);
  out.credited = bootstrap_ratio(credited_times(base), credited_times(next), options);
  out.decided = hull(out.ratio, out.credited);
  if (base.total_ops != next.total_ops && base.total_ops > 0 && next.total_ops > 0) {
    out.notes.push_back(fmt::format(
        "the runs did different amounts of work ({} and {} ops): times per op are compared",
        base.total_ops, next.total_ops));
  }
  const double upper = 1.0 + options.threshold;
  const double lower = 1.0 / upper;
  const auto beyond = [&](const Ratio& r) { return r.ci_low > upper; };
  const auto below = [&](const Ratio& r) { return r.ci_high < lower; };
  const auto within = [&](const Ratio& r) { return r.ci_low >= lower && r.ci_high <= upper; };
  if (base.failed || next.failed) {
    out.reason = "a run failed";
  } else if (base.seconds_per_op.size() < options.min_samples ||
             next.seconds_per_op.size() < options.min_samples) {
    out.reason = "too few repetitions (need " + std::to_string(options.min_samples) + ")";
  } else if (beyond(out.ratio) && beyond(out.credited)) {
    out.verdict = Verdict::Slower;
  } else if (below(out.ratio) && below(out.credited)) {
    out.verdict = Verdict::Faster;
  } else if (within(out.ratio) && within(out.credited)) {
    out.verdict = Verdict::Unchanged;
  } else if (beyond(out.ratio) || below(out.ratio) || within(out.ratio)) {
    out.reason = "interference measured in the runs could explain the change";
  } else {
    out.reason = "interval overlaps the threshold";
  }
  return out;
}

void add_context_warnings(const LoadedRun& base, const LoadedRun& next, Comparison& comparison) {
  const auto warn_if = [&](bool differ, const std::string& what) {
    if (differ) comparison.warnings.push_back("the runs come from different " + what);
  };
  warn_if(base.cpu_model != next.cpu_model, "CPU models");
  warn_if(base.usable_cpus != next.usable_cpus, "usable CPU counts");
  warn_if(base.hostname_hint != next.hostname_hint, "kernels");
  warn_if(base.build_type != next.build_type, "build types");
  warn_if(base.version != next.version, "conc-probe versions");
}

}  // namespace

Comparison compare_runs(const LoadedRun& base, const LoadedRun& next,
                        const CompareOptions& options) {
  std::map<std::string, const RunCell*> next_cells;
  for (const auto& cell : next.cells) next_cells[cell.id] = &cell;
  std::set<std::string> base_ids;
  Comparison comparison;
  comparison.threshold = options.threshold;
  double log_sum = 0;
  std::size_t counted = 0;
  for (const auto& cell : base.cells) {
    base_ids.insert(cell.id);
    const auto match = next_cells.find(cell.id);
    if (match == next_cells.end()) {
      throw UsageError("cells do not match: '" + cell.id + "' is in '" + base.path +
                       "' but not in '" + next.path + "'");
    }
    comparison.cells.push_back(compare_cell(cell, *match->second, options));
    if (comparison.cells.back().ratio.estimate > 0) {
      log_sum += std::log(comparison.cells.back().ratio.estimate);
      ++counted;
    }
  }
  for (const auto& cell : next.cells) {
    if (base_ids.count(cell.id) == 0) {
      throw UsageError("cells do not match: '" + cell.id + "' is in '" + next.path +
                       "' but not in '" + base.path + "'");
    }
  }
  if (comparison.cells.empty()) throw UsageError("no cells to compare in '" + base.path + "'");
  if (counted > 0) comparison.geomean_ratio = std::exp(log_sum / static_cast<double>(counted));
  add_context_warnings(base, next, comparison);
  return comparison;
}

}  // namespace conc_probe
