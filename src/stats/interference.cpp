// Interference per repetition and per cell. Method: docs/methodology.md ("Interference").
#include "conc_probe/interference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "conc_probe/stats.hpp"

namespace conc_probe::stats {
namespace {

/// A cell whose workers wanted less than half a CPU mostly waits: its loss is the time its
/// workers spent waiting for a CPU after a wake-up, a share of their time.
constexpr double kWaitingDemand = 0.5;
/// Fewer quota periods per repetition than this cannot show a quota's effect reliably.
constexpr std::uint64_t kMinQuotaPeriods = 3;
/// /proc/stat counts in 10 ms ticks: shorter repetitions than 20 ticks measure coarsely.
constexpr double kMinTickedSeconds = 0.2;

std::string cpus_text(double cpus) { return fmt::format("{:.2g}", cpus); }

}  // namespace

SampleInterference assess_interference(const InterferenceInputs& in) {
  SampleInterference out;
  out.throttled_seconds = in.throttled_seconds;
  out.throttled_periods = in.throttled_periods;
  out.quota_periods = in.quota_periods;
  if (!(in.wall_seconds > 0)) return out;
  const double wall = in.wall_seconds;
  const double capacity = std::max(in.capacity, 0.01);
  const double steal = std::clamp(in.steal_fraction.value_or(0), 0.0, 1.0);
  if (in.wait_seconds) {
    const double demand = std::max(0.0, in.cpu_seconds) + std::max(0.0, *in.wait_seconds);
    const double needed = std::min(demand, capacity * wall);
    const double taken = std::clamp(needed - in.cpu_seconds, 0.0, needed) + steal * needed;
    out.source = "run delay";
    out.needed_cpus = needed / wall;
    out.taken_cpus = std::min(taken, needed) / wall;
    out.waits = demand / wall < kWaitingDemand;
    if (out.waits) {
      out.taken_fraction = std::clamp(taken / (static_cast<double>(in.workers) * wall), 0.0, 1.0);
    } else {
      out.taken_fraction = needed > 0 ? std::clamp(taken / needed, 0.0, 1.0) : 0.0;
    }
    return out;
  }
  if (!in.other_cores) return out;
  // No run delay: assume CPU-bound workers wanted min(workers, capacity) CPUs, and waiting
  // ones what they used; others' CPU beyond the rest of the capacity came out of that.
  const double used = std::max(0.0, in.cpu_seconds) / wall;
  out.waits = used < kWaitingDemand;
  const double needed = out.waits ? used : std::min(static_cast<double>(in.workers), capacity);
  const double spare = std::max(0.0, capacity - needed);
  const double taken = std::clamp(*in.other_cores - spare, 0.0, needed) + steal * needed;
  out.source = "cpu totals";
  out.needed_cpus = needed;
  out.taken_cpus = std::min(taken, needed);
  out.taken_fraction = needed > 0 ? std::clamp(taken / needed, 0.0, 1.0) : 0.0;
  return out;
}

CellInterference summarize_interference(std::span<const Sample> samples) {
  CellInterference out;
  std::vector<double> taken, needed, taken_cpus, throttled, walls, periods;
  bool waits = false, ticked = false;
  for (const auto& sample : samples) {
    if (!sample.ok) continue;
    const auto& one = sample.interference;
    walls.push_back(sample.wall_seconds);
    throttled.push_back(one.throttled_seconds);
    periods.push_back(static_cast<double>(one.quota_periods));
    if (!one.taken_fraction) continue;
    taken.push_back(*one.taken_fraction);
    needed.push_back(one.needed_cpus);
    taken_cpus.push_back(one.taken_cpus);
    waits = waits || one.waits;
    ticked = ticked || one.source == "cpu totals";
  }
  out.wall_seconds = median(walls);
  out.throttled_seconds = median(throttled);
  out.quota_periods = static_cast<std::uint64_t>(std::llround(median(periods)));
  if (!taken.empty()) {
    out.taken_fraction = median(taken);
    out.needed_cpus = median(needed);
    out.taken_cpus = median(taken_cpus);
    out.waits = waits;
    if (*out.taken_fraction > kInterferenceMark) {
      out.mark = waits ? fmt::format(
                             "others delayed its workers' wake-ups by {:.0f}% of their "
                             "time",
                             *out.taken_fraction * 100)
                       : fmt::format("others took {} of the {} CPUs this cell needed",
                                     cpus_text(out.taken_cpus), cpus_text(out.needed_cpus));
    }
  }
  if (out.throttled_seconds > 0.0005) {
    out.throttling = fmt::format("throttled {:.0f} ms of {:.0f} ms", out.throttled_seconds * 1e3,
                                 out.wall_seconds * 1e3);
  }
  if (out.quota_periods > 0 && out.quota_periods < kMinQuotaPeriods) {
    out.notes.push_back(fmt::format(
        "each repetition spans {} quota period(s): too few for the quota's effect to show "
        "reliably; use a longer --duration",
        out.quota_periods));
  }
  if (ticked && !walls.empty() && out.wall_seconds < kMinTickedSeconds) {
    out.notes.push_back(fmt::format(
        "interference from /proc/stat's 10 ms ticks over {:.0f} ms repetitions is coarse",
        out.wall_seconds * 1e3));
  }
  return out;
}

}  // namespace conc_probe::stats
