// The JSON form of a bench report: the versioned contract read by `compare` and CI.
#include <cmath>
#include <cstdio>

#include "conc_probe/build_info.hpp"
#include "conc_probe/gil_timeline.hpp"
#include "report/bench_format.hpp"
#include "report/info_json.hpp"

namespace conc_probe::report {
namespace {

using Json = nlohmann::ordered_json;

/// A finite number, or null (JSON has no NaN or infinity).
Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

template <class T>
Json optional_number(const std::optional<T>& value) {
  return value ? number(static_cast<double>(*value)) : Json(nullptr);
}

/// A byte count as a whole number, or null.
template <class T>
Json optional_bytes(const std::optional<T>& value) {
  if (!value || !std::isfinite(static_cast<double>(*value)) || *value < 0) return nullptr;
  return static_cast<std::uint64_t>(std::llround(static_cast<double>(*value)));
}

Json seconds(std::chrono::nanoseconds duration) {
  return static_cast<double>(duration.count()) * 1e-9;
}

/// Checksums are identifiers that use all 64 bits: hex text, so no JSON reader rounds them.
Json checksum(std::uint64_t value) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(value));
  return std::string(text);
}

Json numbers(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(number(v));
  return out;
}

Json context_json(const BenchReport& report) {
  const auto& build = build_info();
  return Json{{"tool", "conc-probe"},
              {"version", std::string(build.version)},
              {"git_revision", std::string(build.git_revision)},
              {"build_type", std::string(build.build_type)},
              {"compiler", std::string(build.compiler)},
              {"command_line", report.config.command_line},
              {"start_time", report.start_time},
              {"info", info_to_json(report.platform)}};
}

Json config_json(const BenchConfig& c) {
  Json modes = Json::array();
  for (const Mode mode : c.modes) modes.push_back(std::string(to_string(mode)));
  Json intervals = Json::array();
  for (const auto interval : c.switch_intervals) intervals.push_back(seconds(interval));
  return Json{{"workloads", c.workloads},
              {"modes", modes},
              {"workers", c.workers},
              {"duration_seconds", seconds(c.duration)},
              {"repetitions", c.repetitions},
              {"max_repetitions", c.max_repetitions},
              {"precision", number(c.precision)},
              {"max_time_seconds", seconds(c.max_time)},
              {"warmup", c.warmup},
              {"switch_intervals_seconds", intervals},
              {"gil_policy", std::string(to_string(c.gil_policy))},
              {"check_interval", c.check_interval},
              {"python_version", c.python_version.empty() ? Json(nullptr) : Json(c.python_version)},
              {"start_method", std::string(to_string(c.start_method))},
              {"async_blocking", c.async_blocking},
              {"input_size_bytes", c.input_size},
              {"result_size_bytes", c.result_size},
              {"cpus", c.cpus ? Json(c.cpus->to_string()) : Json(nullptr)},
              {"io_latency_seconds", seconds(c.workload_defaults.io_latency)},
              {"op_size", c.workload_defaults.op_size},
              {"compute_seconds", c.workload_defaults.compute_time.count() > 0
                                      ? Json(seconds(c.workload_defaults.compute_time))
                                      : Json(nullptr)},
              {"op_overhead_seconds", c.workload_defaults.op_overhead.count() > 0
                                          ? Json(seconds(c.workload_defaults.op_overhead))
                                          : Json(nullptr)},
              {"seed", c.seed}};
}

Json summary_json(const Summary& s) {
  return Json{{"n", s.n},
              {"median", number(s.median)},
              {"mad", number(s.mad)},
              {"min", number(s.min)},
              {"max", number(s.max)},
              {"mean", number(s.mean)},
              {"ci_low", number(s.ci_low)},
              {"ci_high", number(s.ci_high)},
              {"ci_level", number(s.ci_level)}};
}

Json sample_interference_json(const SampleInterference& i) {
  return Json{{"taken_fraction", optional_number(i.taken_fraction)},
              {"needed_cpus", number(i.needed_cpus)},
              {"taken_cpus", number(i.taken_cpus)},
              {"waits", i.waits},
              {"throttled_seconds", number(i.throttled_seconds)},
              {"throttled_periods", i.throttled_periods},
              {"quota_periods", i.quota_periods},
              {"source", i.source.empty() ? Json(nullptr) : Json(i.source)}};
}

Json cell_interference_json(const CellInterference& i) {
  return Json{{"taken_fraction", optional_number(i.taken_fraction)},
              {"needed_cpus", number(i.needed_cpus)},
              {"taken_cpus", number(i.taken_cpus)},
              {"waits", i.waits},
              {"throttled_seconds", number(i.throttled_seconds)},
              {"quota_periods", i.quota_periods},
              {"mark", i.mark.empty() ? Json(nullptr) : Json(i.mark)},
              {"throttling", i.throttling.empty() ? Json(nullptr) : Json(i.throttling)},
              {"notes", i.notes}};
}

Json gil_metrics_json(const std::optional<GilMetrics>& gil) {
  if (!gil) return nullptr;
  return Json{{"acquisitions", gil->acquisitions},
              {"switches", gil->switches},
              {"drop_requests", gil->drop_requests},
              {"forced_switches", gil->forced_switches},
              {"total_wait_seconds", number(gil->total_wait_seconds)},
              {"total_hold_seconds", number(gil->total_hold_seconds)},
              {"hold_seconds", numbers(gil->hold_seconds)}};
}

/// The recorded lock timeline as [thread, "hold"|"wait"|"io", start_ns, end_ns] rows.
Json gil_events_json(const std::vector<GilEvent>& events) {
  Json out = Json::array();
  for (const auto& e : events)
    out.push_back(Json::array({e.thread, std::string(to_string(e.kind)), e.start_ns, e.end_ns}));
  return out;
}

Json latency_json(const std::optional<LatencySummary>& l) {
  if (!l) return nullptr;
  return Json{{"p50", number(l->p50)},
              {"p95", number(l->p95)},
              {"p99", number(l->p99)},
              {"max", number(l->max)},
              {"count", l->count}};
}

/// Data that moved (--input-size, --result-size): null when the cell moved none.
template <typename Bytes, typename Faults>
Json data_json(const std::optional<Bytes>& bytes, const std::optional<double>& seconds,
               const std::optional<Faults>& faults) {
  if (!bytes && !seconds) return nullptr;
  return Json{{"bytes_copied", optional_bytes(bytes)},
              {"move_seconds", optional_number(seconds)},
              {"minor_faults", optional_number(faults)}};
}

Json sample_json(const Sample& s) {
  Json j{{"repetition", s.repetition},
         {"ok", s.ok},
         {"error", s.error.empty() ? Json(nullptr) : Json(s.error)},
         {"wall_seconds", number(s.wall_seconds)},
         {"startup_seconds", number(s.startup_seconds)},
         {"cpu_seconds", number(s.cpu_seconds)},
         {"voluntary_switches", s.voluntary_switches},
         {"involuntary_switches", s.involuntary_switches},
         {"ops", s.ops},
         {"checksum", checksum(s.checksum)},
         {"background_ops", s.background_ops},
         {"background_alone_ops_per_second", number(s.background_alone_ops_per_second)},
         {"latency_seconds", numbers(s.latency_seconds)},
         {"loop_lag_seconds", numbers(s.loop_lag_seconds)},
         {"peak_rss_bytes", optional_bytes(s.peak_rss_bytes)},
         {"pss_bytes", optional_bytes(s.pss_bytes)},
         {"data", data_json(s.bytes_copied, s.move_seconds, s.minor_faults)},
         {"server_startup_seconds", optional_number(s.server_startup_seconds)},
         {"gil", gil_metrics_json(s.gil)},
         {"noise", Json{{"other_cpu_fraction", optional_number(s.noise.other_cpu_fraction)},
                        {"steal_fraction", optional_number(s.noise.steal_fraction)}}},
         {"wait_seconds", optional_number(s.wait_seconds)},
         {"interference", sample_interference_json(s.interference)}};
  // Only runs that recorded a timeline (--timeline, --trace, --html) carry one.
  if (!s.gil_events.empty()) j["gil_events"] = gil_events_json(s.gil_events);
  // Only mpi cells know where their ranks ran.
  if (!s.worker_hosts.empty()) j["hosts"] = s.worker_hosts;
  return j;
}

Json key_json(const CellKey& key) {
  Json j{{"workload", key.workload},
         {"mode", std::string(to_string(key.mode))},
         {"workers", key.workers},
         {"switch_interval_seconds",
          key.switch_interval ? seconds(*key.switch_interval) : Json(nullptr)}};
  // Only runs with --shared have cells per shared fraction.
  if (key.shared_fraction) j["shared_fraction"] = number(*key.shared_fraction);
  return j;
}

Json speedup_json(const std::optional<Ratio>& r) {
  if (!r) return nullptr;
  return Json{{"estimate", number(r->estimate)},
              {"ci_low", number(r->ci_low)},
              {"ci_high", number(r->ci_high)}};
}

/// The workers' memory (medians over repetitions), PSS also per worker; null when unknown.
Json memory_json(const CellResult& c) {
  if (!c.peak_rss_bytes && !c.pss_bytes) return nullptr;
  const auto per_worker =
      c.pss_bytes ? std::optional<double>(*c.pss_bytes / c.key.workers) : std::optional<double>();
  return Json{{"peak_rss_bytes", optional_bytes(c.peak_rss_bytes)},
              {"pss_bytes", optional_bytes(c.pss_bytes)},
              {"pss_per_worker_bytes", optional_bytes(per_worker)}};
}

Json gil_summary_json(const std::optional<GilSummary>& g) {
  if (!g) return nullptr;
  return Json{{"switches_per_second", number(g->switches_per_second)},
              {"mean_hold_seconds", number(g->mean_hold_seconds)},
              {"p50_hold_seconds", number(g->p50_hold_seconds)},
              {"p95_hold_seconds", number(g->p95_hold_seconds)},
              {"max_hold_seconds", number(g->max_hold_seconds)},
              {"wait_seconds", number(g->wait_seconds)},
              {"drop_requests", g->drop_requests},
              {"forced_switches", g->forced_switches}};
}

Json cell_json(const CellResult& c) {
  Json samples = Json::array();
  for (const auto& sample : c.samples) samples.push_back(sample_json(sample));
  return Json{
      {"key", key_json(c.key)},
      {"kind", std::string(to_string(c.kind))},
      {"total_ops", c.total_ops},
      {"failed", c.failed},
      {"error", c.error.empty() ? Json(nullptr) : Json(c.error)},
      {"busy", c.busy},
      {"interference", cell_interference_json(c.interference)},
      {"checksum_ok", c.checksum_ok},
      {"expected_checksum", checksum(c.expected_checksum)},
      {"wall_seconds", summary_json(c.wall)},
      {"throughput_ops_per_second", summary_json(c.throughput)},
      {"cores_used", summary_json(c.cores_used)},
      {"startup_seconds", summary_json(c.startup)},
      {"speedup", speedup_json(c.speedup)},
      {"efficiency", optional_number(c.efficiency)},
      {"voluntary_switches", number(c.voluntary_switches)},
      {"involuntary_switches", number(c.involuntary_switches)},
      {"latency_seconds", latency_json(c.latency)},
      {"loop_lag_seconds", latency_json(c.loop_lag)},
      {"memory", memory_json(c)},
      {"data", data_json(c.bytes_copied, c.move_seconds, c.minor_faults)},
      {"server_startup_seconds", optional_number(c.server_startup_seconds)},
      {"gil", gil_summary_json(c.gil)},
      {"time_bounded", c.time_bounded},
      {"background_ops_per_second", optional_number(c.background_ops_per_second)},
      {"background_alone_ops_per_second", optional_number(c.background_alone_ops_per_second)},
      {"background_kept", speedup_json(c.background_kept)},
      {"samples", samples}};
}

}  // namespace

nlohmann::ordered_json bench_to_json(const BenchReport& report) {
  Json cells = Json::array();
  for (const auto& cell : report.cells) cells.push_back(cell_json(cell));
  Json findings = Json::array();
  for (const auto& f : report.findings)
    findings.push_back(Json{{"topic", f.topic}, {"text", f.text}});
  Json j;
  j["schema_version"] = kBenchSchemaVersion;
  j["context"] = context_json(report);
  j["config"] = config_json(report.config);
  // Only runs with --shared have cells per shared fraction.
  if (!report.config.shared_fractions.empty())
    j["config"]["shared_fractions"] = report.config.shared_fractions;
  j["cells"] = cells;
  j["findings"] = findings;
  j["busy"] = report.busy;
  j["interrupted"] = report.interrupted;
  return j;
}

}  // namespace conc_probe::report
