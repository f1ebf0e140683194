#include <algorithm>
#include <cmath>
#include <vector>

#include "conc_probe/interference.hpp"
#include "conc_probe/stats.hpp"
#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

/// Per-sample values of a quantity over the cell's successful samples.
template <typename F>
std::vector<double> per_sample(const CellResult& cell, F value) {
  std::vector<double> out;
  for (const auto& sample : cell.samples) {
    if (sample.ok) out.push_back(value(sample));
  }
  return out;
}

double safe_ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0;
}

/// Fails the cell on the first failed sample, op count or checksum mismatch.
void check_samples(CellResult& cell, std::uint64_t expected_checksum) {
  cell.expected_checksum = expected_checksum;
  for (const auto& sample : cell.samples) {
    if (!sample.ok && !cell.failed) {
      cell.failed = true;
      cell.error = sample.error;
    }
    if (!sample.ok) continue;
    if (sample.ops != cell.total_ops || sample.checksum != expected_checksum) {
      cell.checksum_ok = false;
      if (!cell.failed) {
        cell.failed = true;
        cell.error = "checksum mismatch in repetition " + std::to_string(sample.repetition) + ": " +
                     std::to_string(sample.ops) + " ops, checksum " +
                     std::to_string(sample.checksum) + ", expected " +
                     std::to_string(cell.total_ops) + " ops, " + std::to_string(expected_checksum);
      }
    }
  }
}

GilSummary summarize_gil(const CellResult& cell) {
  std::vector<double> holds;
  std::vector<double> switch_rates, waits, drops, forced;
  for (const auto& sample : cell.samples) {
    if (!sample.ok || !sample.gil) continue;
    const GilMetrics& gil = *sample.gil;
    holds.insert(holds.end(), gil.hold_seconds.begin(), gil.hold_seconds.end());
    switch_rates.push_back(safe_ratio(static_cast<double>(gil.switches), sample.wall_seconds));
    waits.push_back(gil.total_wait_seconds);
    drops.push_back(static_cast<double>(gil.drop_requests));
    forced.push_back(static_cast<double>(gil.forced_switches));
  }
  GilSummary out;
  out.switches_per_second = stats::median(switch_rates);
  out.mean_hold_seconds = stats::mean(holds);
  out.p50_hold_seconds = stats::percentile(holds, 50);
  out.p95_hold_seconds = stats::percentile(holds, 95);
  out.max_hold_seconds = holds.empty() ? 0 : *std::max_element(holds.begin(), holds.end());
  out.wait_seconds = stats::median(waits);
  out.drop_requests = static_cast<std::uint64_t>(std::llround(stats::median(drops)));
  out.forced_switches = static_cast<std::uint64_t>(std::llround(stats::median(forced)));
  return out;
}

void summarize_latency(CellResult& cell) {
  std::vector<double> latencies;
  for (const auto& sample : cell.samples) {
    if (sample.ok)
      latencies.insert(latencies.end(), sample.latency_seconds.begin(),
                       sample.latency_seconds.end());
  }
  if (!latencies.empty()) cell.latency = stats::latency_summary(latencies);
  std::vector<double> lags;
  for (const auto& sample : cell.samples) {
    if (sample.ok)
      lags.insert(lags.end(), sample.loop_lag_seconds.begin(), sample.loop_lag_seconds.end());
  }
  if (!lags.empty()) cell.loop_lag = stats::latency_summary(lags);
}

void summarize_memory(CellResult& cell) {
  std::vector<double> peaks, pss;
  for (const auto& sample : cell.samples) {
    if (!sample.ok) continue;
    if (sample.peak_rss_bytes) peaks.push_back(static_cast<double>(*sample.peak_rss_bytes));
    if (sample.pss_bytes) pss.push_back(static_cast<double>(*sample.pss_bytes));
  }
  if (!peaks.empty()) cell.peak_rss_bytes = stats::median(peaks);
  if (!pss.empty()) cell.pss_bytes = stats::median(pss);
}

/// The median of an optional quantity over the successful samples that have it.
template <typename Get>
std::optional<double> median_of(const CellResult& cell, Get get) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) {
    if (const auto value = get(sample); sample.ok && value) {
      values.push_back(static_cast<double>(*value));
    }
  }
  if (values.empty()) return std::nullopt;
  return stats::median(values);
}

/// Data movement (--input-size, --result-size) and the fork server's start-up.
void summarize_data(CellResult& cell) {
  cell.bytes_copied = median_of(cell, [](const Sample& s) { return s.bytes_copied; });
  cell.move_seconds = median_of(cell, [](const Sample& s) { return s.move_seconds; });
  cell.minor_faults = median_of(cell, [](const Sample& s) { return s.minor_faults; });
  cell.server_startup_seconds =
      median_of(cell, [](const Sample& s) { return s.server_startup_seconds; });
}

}  // namespace

/// Convoy cells: each sample's own failure only (ops are time-bounded), the CPU workers' rate.
void check_time_bounded(CellResult& cell) {
  for (const auto& sample : cell.samples) {
    if (!sample.ok && !cell.failed) {
      cell.failed = true;
      cell.error = sample.error;
    }
  }
  const auto rates = per_sample(cell, [](const Sample& s) {
    return safe_ratio(static_cast<double>(s.background_ops), s.wall_seconds);
  });
  if (cell.key.mode == Mode::Single || rates.empty()) return;
  cell.background_ops_per_second = stats::median(rates);
  std::vector<double> alone;
  for (const auto& sample : cell.samples) {
    if (sample.ok && sample.background_alone_ops_per_second > 0)
      alone.push_back(sample.background_alone_ops_per_second);
  }
  if (alone.empty()) return;
  const Summary beside = stats::summarize(rates);
  const Summary reference = stats::summarize(alone);
  cell.background_alone_ops_per_second = reference.median;
  cell.background_kept = stats::ratio_of_medians(beside, reference);
}

void summarize_cell(CellResult& cell, std::uint64_t expected_checksum, const CellResult* single) {
  if (cell.time_bounded) {
    check_time_bounded(cell);
  } else {
    check_samples(cell, expected_checksum);
  }
  cell.wall = stats::summarize(per_sample(cell, [](const Sample& s) { return s.wall_seconds; }));
  cell.throughput = stats::summarize(per_sample(cell, [](const Sample& s) {
    return safe_ratio(static_cast<double>(s.ops), s.wall_seconds);
  }));
  cell.cores_used = stats::summarize(
      per_sample(cell, [](const Sample& s) { return safe_ratio(s.cpu_seconds, s.wall_seconds); }));
  cell.startup =
      stats::summarize(per_sample(cell, [](const Sample& s) { return s.startup_seconds; }));
  cell.voluntary_switches = stats::median(
      per_sample(cell, [](const Sample& s) { return static_cast<double>(s.voluntary_switches); }));
  cell.involuntary_switches = stats::median(per_sample(
      cell, [](const Sample& s) { return static_cast<double>(s.involuntary_switches); }));
  summarize_latency(cell);
  summarize_memory(cell);
  summarize_data(cell);
  if (cell.key.mode == Mode::Gil) cell.gil = summarize_gil(cell);
  cell.interference = stats::summarize_interference(cell.samples);
  cell.busy = !cell.interference.mark.empty();
  if (cell.time_bounded) {
    // The IO thread's throughput against the IO thread alone: below 1 is the convoy effect.
    if (single != nullptr && single->throughput.n > 0 && cell.throughput.n > 0) {
      cell.speedup = stats::ratio_of_medians(cell.throughput, single->throughput);
    }
  } else if (single != nullptr && single->wall.n > 0 && cell.wall.n > 0) {
    cell.speedup = stats::ratio_of_medians(single->wall, cell.wall);
    cell.efficiency = cell.speedup->estimate / cell.key.workers;
  }
}

}  // namespace conc_probe::engine
