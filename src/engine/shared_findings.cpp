// The --shared finding: how the threads' speed-up changes as more ops update one shared
// counter. Rules: docs/methodology.md ("Findings").
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

/// The threads cells of `workload` with the most workers and a speed-up, by fraction.
std::vector<const CellResult*> threads_curve(const BenchReport& report,
                                             const std::string& workload) {
  unsigned workers = 0;
  for (const auto& cell : report.cells) {
    if (cell.key.workload == workload && cell.key.mode == Mode::Threads &&
        cell.key.shared_fraction && cell.speedup && !cell.failed)
      workers = std::max(workers, cell.key.workers);
  }
  std::vector<const CellResult*> curve;
  for (const auto& cell : report.cells) {
    if (cell.key.workload == workload && cell.key.mode == Mode::Threads &&
        cell.key.workers == workers && cell.key.shared_fraction && cell.speedup && !cell.failed)
      curve.push_back(&cell);
  }
  std::sort(curve.begin(), curve.end(), [](const CellResult* a, const CellResult* b) {
    return *a->key.shared_fraction < *b->key.shared_fraction;
  });
  return curve;
}

std::string point(const CellResult& cell) {
  const Ratio& r = *cell.speedup;
  return fmt::format("{:.2g}\xC3\x97 [{:.2g}, {:.2g}] at {:g}", r.estimate, r.ci_low, r.ci_high,
                     *cell.key.shared_fraction);
}

std::optional<Finding> workload_finding(const BenchReport& report, const std::string& workload) {
  const auto curve = threads_curve(report, workload);
  if (curve.size() < 2) return std::nullopt;
  std::string points;
  for (const CellResult* cell : curve) points += (points.empty() ? "" : ", ") + point(*cell);
  const Ratio& first = *curve.front()->speedup;
  const Ratio& last = *curve.back()->speedup;
  std::string verdict;
  if (last.ci_high < first.ci_low) {
    verdict = fmt::format(
        "it falls by {:.0f}% as more ops update the one shared object -- its cache line moves "
        "between the cores, as a free-threaded CPython's shared reference counts do",
        (1 - last.estimate / first.estimate) * 100);
  } else {
    verdict =
        "no fall beyond the intervals: the shared update costs little beside these ops (a "
        "smaller --op-size shows it)";
  }
  return Finding{"shared", fmt::format("{} threads\xC3\x97{} speed-up by shared fraction: {}; {}.",
                                       workload, curve.front()->key.workers, points, verdict)};
}

}  // namespace

std::vector<Finding> shared_findings(const BenchReport& report) {
  std::vector<Finding> findings;
  if (report.config.shared_fractions.size() < 2) return findings;
  for (const auto& workload : report.config.workloads) {
    if (auto finding = workload_finding(report, workload)) findings.push_back(std::move(*finding));
  }
  return findings;
}

}  // namespace conc_probe::engine
