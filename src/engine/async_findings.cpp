// The findings of `async` cells: how one event loop does against threads for waiting, and
// what its lag says about compute on the loop. Rules: docs/methodology.md ("Findings").
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

/// A loop whose tasks run later than this share of the IO wait at p99, beyond the
/// millisecond its timers are rounded to (as asyncio's are), has stalled them.
constexpr double kStall = 0.1;
constexpr double kTimerUnitSeconds = 1e-3;

std::string ratio_text(const Ratio& r) {
  return fmt::format("{:.2g}\xC3\x97 [{:.2g}, {:.2g}]", r.estimate, r.ci_low, r.ci_high);
}

std::string ms(double seconds) {
  return seconds >= 1e-3 ? fmt::format("{:.3g} ms", seconds * 1e3)
                         : fmt::format("{:.3g} us", seconds * 1e6);
}

/// The async cell of `workload` with the most workers that has a speed-up.
const CellResult* largest_async(const BenchReport& report, const std::string& workload) {
  const CellResult* best = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != workload || cell.key.mode != Mode::Async || cell.failed ||
        !cell.speedup)
      continue;
    if (best == nullptr || cell.key.workers > best->key.workers) best = &cell;
  }
  return best;
}

const CellResult* threads_beside(const BenchReport& report, const CellResult& async) {
  for (const auto& cell : report.cells) {
    if (cell.key.workload == async.key.workload && cell.key.mode == Mode::Threads &&
        cell.key.workers == async.key.workers && !cell.failed && cell.speedup)
      return &cell;
  }
  return nullptr;
}

/// "tasks ran 0.2 ms late at p50, 1.9 ms at p99".
std::string lag_text(const CellResult& async) {
  if (!async.loop_lag) return "the loop's lag was not measured";
  return fmt::format("ready tasks ran {} late at p50, {} at p99", ms(async.loop_lag->p50),
                     ms(async.loop_lag->p99));
}

/// Async against threads, for work that waits.
std::string io_verdict(const CellResult& async, const CellResult* threads, bool blocking) {
  if (blocking) {
    return "every blocking call ran on the loop itself (--async-blocking) and stalled every "
           "other task: " +
           lag_text(async) + ".";
  }
  if (threads == nullptr)
    return "waits overlap on one thread; add --mode threads to compare (" + lag_text(async) + ").";
  const Ratio& a = *async.speedup;
  const Ratio& t = *threads->speedup;
  std::string verdict;
  if (a.ci_high < t.ci_low) {
    verdict = "one event loop trails threads here";
  } else if (a.ci_low > t.ci_high) {
    verdict = "one event loop beats threads here";
  } else {
    verdict = "one event loop matches threads for waiting";
  }
  return fmt::format("{}, on {:.2f} cores against threads' {:.2f} ({}).", verdict,
                     async.cores_used.median, threads->cores_used.median, lag_text(async));
}

/// What the lag says when ops compute on the loop.
std::string compute_verdict(const CellResult& async, WorkloadKind kind,
                            std::chrono::nanoseconds io_latency) {
  if (kind == WorkloadKind::Cpu) {
    return "the loop has one thread, so compute does not run in parallel; each op holds every "
           "other task back: " +
           lag_text(async) + ".";
  }
  const double wait = std::chrono::duration<double>(io_latency).count();
  if (async.loop_lag && wait > 0 && async.loop_lag->p99 > kStall * wait + kTimerUnitSeconds) {
    return fmt::format(
        "one task's compute step stalls every other task on the loop: {}, against an IO wait "
        "of {}.",
        lag_text(async), ms(wait));
  }
  return "the loop kept up: " + lag_text(async) + ".";
}

std::optional<Finding> async_finding(const BenchReport& report, const CellResult& async) {
  const CellResult* threads = threads_beside(report, async);
  std::string figures = "async " + ratio_text(*async.speedup);
  if (threads != nullptr) figures += ", threads " + ratio_text(*threads->speedup);
  std::string verdict;
  if (async.busy || (threads != nullptr && threads->busy)) {
    verdict = "cannot conclude: others took CPU that these cells needed (marked BUSY).";
  } else if (async.kind == WorkloadKind::Io) {
    verdict = io_verdict(async, threads, report.config.async_blocking);
  } else {
    verdict = compute_verdict(async, async.kind, report.config.workload_defaults.io_latency);
  }
  return Finding{"async", fmt::format("Async ({}, {} tasks): {} -> {}", async.key.workload,
                                      async.key.workers, figures, verdict)};
}

}  // namespace

std::vector<Finding> async_findings(const BenchReport& report) {
  std::vector<Finding> findings;
  std::vector<std::string> seen;
  for (const auto& cell : report.cells) {
    if (cell.key.mode != Mode::Async ||
        std::find(seen.begin(), seen.end(), cell.key.workload) != seen.end())
      continue;
    seen.push_back(cell.key.workload);
    const CellResult* async = largest_async(report, cell.key.workload);
    if (async == nullptr) continue;
    if (auto finding = async_finding(report, *async)) findings.push_back(std::move(*finding));
  }
  return findings;
}

}  // namespace conc_probe::engine
