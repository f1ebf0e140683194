// The CSV form of a bench report: one row per cell, numbers in full precision.
#include <fmt/format.h>

#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "report/bench_format.hpp"
#include "report/bench_writers.hpp"

namespace conc_probe::report {
namespace {

constexpr const char* kHeader =
    "workload,mode,workers,switch_interval_seconds,shared_fraction,kind,failed,busy,checksum_ok,"
    "repetitions,"
    "wall_median_seconds,wall_mad_seconds,wall_min_seconds,wall_max_seconds,wall_ci_low_seconds,"
    "wall_ci_high_seconds,throughput_median_ops_per_second,speedup,speedup_ci_low,speedup_ci_high,"
    "efficiency,cores_used_median,startup_median_seconds,voluntary_switches,involuntary_switches,"
    "latency_p50_seconds,latency_p95_seconds,latency_p99_seconds,gil_switches_per_second,"
    "gil_mean_hold_seconds,loop_lag_p50_seconds,loop_lag_p99_seconds,peak_rss_bytes,pss_bytes,"
    "bytes_copied,move_seconds,minor_faults,server_startup_seconds,"
    "error";

/// Shortest text that reads back as the same double; empty for unknown or non-finite.
std::string num(double value) {
  return std::isfinite(value) ? fmt::format("{}", value) : std::string();
}

template <class T>
std::string opt(const std::optional<T>& value, double T::*field) {
  return value ? num((*value).*field) : std::string();
}

/// Quotes a field when it holds a comma, quote or line break (RFC 4180).
std::string quoted(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// A summary's field, empty when there were no samples to summarise.
std::string stat(const Summary& summary, double Summary::*field) {
  return summary.n == 0 ? std::string() : num(summary.*field);
}

std::vector<std::string> fields(const CellResult& c) {
  const auto interval = c.key.switch_interval;
  return {c.key.workload,
          std::string(to_string(c.key.mode)),
          std::to_string(c.key.workers),
          interval ? num(static_cast<double>(interval->count()) * 1e-9) : "",
          c.key.shared_fraction ? num(*c.key.shared_fraction) : "",
          std::string(to_string(c.kind)),
          c.failed ? "true" : "false",
          c.busy ? "true" : "false",
          c.checksum_ok ? "true" : "false",
          std::to_string(c.wall.n),
          stat(c.wall, &Summary::median),
          stat(c.wall, &Summary::mad),
          stat(c.wall, &Summary::min),
          stat(c.wall, &Summary::max),
          stat(c.wall, &Summary::ci_low),
          stat(c.wall, &Summary::ci_high),
          stat(c.throughput, &Summary::median),
          opt(c.speedup, &Ratio::estimate),
          opt(c.speedup, &Ratio::ci_low),
          opt(c.speedup, &Ratio::ci_high),
          c.efficiency ? num(*c.efficiency) : "",
          stat(c.cores_used, &Summary::median),
          stat(c.startup, &Summary::median),
          c.samples.empty() ? "" : num(c.voluntary_switches),
          c.samples.empty() ? "" : num(c.involuntary_switches),
          opt(c.latency, &LatencySummary::p50),
          opt(c.latency, &LatencySummary::p95),
          opt(c.latency, &LatencySummary::p99),
          opt(c.gil, &GilSummary::switches_per_second),
          opt(c.gil, &GilSummary::mean_hold_seconds),
          opt(c.loop_lag, &LatencySummary::p50),
          opt(c.loop_lag, &LatencySummary::p99),
          c.peak_rss_bytes ? num(*c.peak_rss_bytes) : "",
          c.pss_bytes ? num(*c.pss_bytes) : "",
          c.bytes_copied ? num(*c.bytes_copied) : "",
          c.move_seconds ? num(*c.move_seconds) : "",
          c.minor_faults ? num(*c.minor_faults) : "",
          c.server_startup_seconds ? num(*c.server_startup_seconds) : "",
          c.error};
}

}  // namespace

void write_bench_csv(std::ostream& out, const BenchReport& report) {
  out << kHeader << '\n';
  for (const auto& cell : report.cells) {
    std::string line;
    for (const auto& field : fields(cell)) line += (line.empty() ? "" : ",") + quoted(field);
    out << line << '\n';
  }
}

}  // namespace conc_probe::report
