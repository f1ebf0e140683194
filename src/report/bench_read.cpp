// Bench JSON back into a BenchReport: the inverse of bench_json.cpp for what reporters use.
// Lenient on purpose: a field a reader does not know, or an older file without a field,
// leaves the default, so runs saved by any 1.x version render.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "conc_probe/compare.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/saved_run.hpp"

namespace conc_probe {
namespace {

using Json = nlohmann::json;

double num(const Json& j, const char* key, double fallback = 0) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

std::optional<double> opt_num(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

template <class T>
T whole(const Json& j, const char* key, T fallback = 0) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<T>() : fallback;
}

std::string str(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> opt_str(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool flag(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

const Json& member(const Json& j, const char* key) {
  static const Json kEmpty = Json::object();
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

std::chrono::nanoseconds duration(double seconds) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
}

/// "0x00000000000004d2" (checksums are hex text in the JSON) → the number; 0 otherwise.
std::uint64_t checksum(const Json& j, const char* key) {
  const std::string text = str(j, key);
  if (text.size() < 3 || text.compare(0, 2, "0x") != 0) return 0;
  return std::strtoull(text.c_str() + 2, nullptr, 16);
}

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<double> numbers(const Json& j, const char* key) {
  std::vector<double> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_number()) out.push_back(v.get<double>());
  return out;
}

Summary summary(const Json& j) {
  Summary s;
  s.n = whole<std::size_t>(j, "n");
  s.ci_level = num(j, "ci_level");
  s.median = num(j, "median");
  s.mad = num(j, "mad");
  s.min = num(j, "min");
  s.max = num(j, "max");
  s.mean = num(j, "mean");
  s.ci_low = num(j, "ci_low");
  s.ci_high = num(j, "ci_high");
  return s;
}

GilEvent::Kind event_kind(const std::string& name) {
  if (name == "wait") return GilEvent::Kind::Wait;
  if (name == "io") return GilEvent::Kind::Io;
  return GilEvent::Kind::Hold;
}

std::vector<GilEvent> gil_events(const Json& sample) {
  std::vector<GilEvent> events;
  const auto it = sample.find("gil_events");
  if (it == sample.end() || !it->is_array()) return events;
  for (const auto& row : *it) {
    if (!row.is_array() || row.size() != 4 || !row[0].is_number_unsigned() || !row[1].is_string() ||
        !row[2].is_number_integer() || !row[3].is_number_integer())
      continue;
    events.push_back(GilEvent{row[0].get<unsigned>(), event_kind(row[1].get<std::string>()),
                              row[2].get<std::int64_t>(), row[3].get<std::int64_t>()});
  }
  return events;
}

std::optional<GilMetrics> gil_metrics(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  GilMetrics g;
  g.acquisitions = whole<std::uint64_t>(j, "acquisitions");
  g.switches = whole<std::uint64_t>(j, "switches");
  g.drop_requests = whole<std::uint64_t>(j, "drop_requests");
  g.forced_switches = whole<std::uint64_t>(j, "forced_switches");
  g.total_wait_seconds = num(j, "total_wait_seconds");
  g.total_hold_seconds = num(j, "total_hold_seconds");
  g.hold_seconds = numbers(j, "hold_seconds");
  return g;
}

Sample sample(const Json& j) {
  Sample s;
  s.repetition = whole<unsigned>(j, "repetition");
  s.ok = !j.contains("ok") || flag(j, "ok");
  s.error = str(j, "error");
  s.wall_seconds = num(j, "wall_seconds");
  s.startup_seconds = num(j, "startup_seconds");
  s.cpu_seconds = num(j, "cpu_seconds");
  s.wait_seconds = opt_num(j, "wait_seconds");
  s.voluntary_switches = whole<std::int64_t>(j, "voluntary_switches");
  s.involuntary_switches = whole<std::int64_t>(j, "involuntary_switches");
  s.ops = whole<std::uint64_t>(j, "ops");
  s.checksum = checksum(j, "checksum");
  s.background_ops = whole<std::uint64_t>(j, "background_ops");
  s.background_alone_ops_per_second = num(j, "background_alone_ops_per_second");
  s.latency_seconds = numbers(j, "latency_seconds");
  s.loop_lag_seconds = numbers(j, "loop_lag_seconds");
  if (const auto peak = opt_num(j, "peak_rss_bytes"))
    s.peak_rss_bytes = static_cast<std::uint64_t>(*peak);
  if (const auto pss = opt_num(j, "pss_bytes")) s.pss_bytes = static_cast<std::uint64_t>(*pss);
  if (const auto it = j.find("data"); it != j.end() && it->is_object()) {
    s.bytes_copied = static_cast<std::uint64_t>(num(*it, "bytes_copied"));
    s.move_seconds = num(*it, "move_seconds");
    if (const auto faults = opt_num(*it, "minor_faults"))
      s.minor_faults = static_cast<std::int64_t>(*faults);
  }
  s.server_startup_seconds = opt_num(j, "server_startup_seconds");
  if (const auto it = j.find("gil"); it != j.end()) s.gil = gil_metrics(*it);
  s.gil_events = gil_events(j);
  const Json& noise = member(j, "noise");
  s.noise.other_cpu_fraction = opt_num(noise, "other_cpu_fraction");
  s.noise.steal_fraction = opt_num(noise, "steal_fraction");
  const Json& interference = member(j, "interference");
  s.interference.taken_fraction = opt_num(interference, "taken_fraction");
  s.interference.needed_cpus = num(interference, "needed_cpus");
  s.interference.taken_cpus = num(interference, "taken_cpus");
  s.interference.waits = flag(interference, "waits");
  s.interference.throttled_seconds = num(interference, "throttled_seconds");
  s.interference.throttled_periods = whole<std::uint64_t>(interference, "throttled_periods");
  s.interference.quota_periods = whole<std::uint64_t>(interference, "quota_periods");
  s.interference.source = str(interference, "source");
  return s;
}

CellKey key(const Json& j) {
  CellKey k;
  k.workload = str(j, "workload");
  k.mode = parse_mode(str(j, "mode"));
  k.workers = whole<unsigned>(j, "workers", 1);
  if (const auto interval = opt_num(j, "switch_interval_seconds"))
    k.switch_interval = duration(*interval);
  if (const auto shared = opt_num(j, "shared_fraction")) k.shared_fraction = *shared;
  return k;
}

WorkloadKind kind(const std::string& name) {
  if (name == "io") return WorkloadKind::Io;
  if (name == "mixed") return WorkloadKind::Mixed;
  return WorkloadKind::Cpu;
}

std::optional<Ratio> ratio(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  return Ratio{num(j, "estimate"), num(j, "ci_low"), num(j, "ci_high")};
}

std::optional<LatencySummary> latency(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  return LatencySummary{num(j, "p50"), num(j, "p95"), num(j, "p99"), num(j, "max"),
                        whole<std::size_t>(j, "count")};
}

std::optional<GilSummary> gil_summary(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  GilSummary g;
  g.switches_per_second = num(j, "switches_per_second");
  g.mean_hold_seconds = num(j, "mean_hold_seconds");
  g.p50_hold_seconds = num(j, "p50_hold_seconds");
  g.p95_hold_seconds = num(j, "p95_hold_seconds");
  g.max_hold_seconds = num(j, "max_hold_seconds");
  g.wait_seconds = num(j, "wait_seconds");
  g.drop_requests = whole<std::uint64_t>(j, "drop_requests");
  g.forced_switches = whole<std::uint64_t>(j, "forced_switches");
  return g;
}

void read_interference(const Json& j, CellInterference& i) {
  i.taken_fraction = opt_num(j, "taken_fraction");
  i.needed_cpus = num(j, "needed_cpus");
  i.taken_cpus = num(j, "taken_cpus");
  i.waits = flag(j, "waits");
  i.throttled_seconds = num(j, "throttled_seconds");
  i.quota_periods = whole<std::uint64_t>(j, "quota_periods");
  i.notes = strings(j, "notes");
  i.mark = str(j, "mark");
  i.throttling = str(j, "throttling");
}

const Json& value_or_null(const Json& j, const char* key) {
  static const Json kNull;
  const auto it = j.find(key);
  return it != j.end() ? *it : kNull;
}

CellResult cell(const Json& j) {
  CellResult c;
  c.key = key(member(j, "key"));
  c.kind = kind(str(j, "kind"));
  c.total_ops = whole<std::uint64_t>(j, "total_ops");
  c.failed = flag(j, "failed");
  c.error = str(j, "error");
  c.busy = flag(j, "busy");
  c.checksum_ok = !j.contains("checksum_ok") || flag(j, "checksum_ok");
  c.expected_checksum = checksum(j, "expected_checksum");
  c.wall = summary(member(j, "wall_seconds"));
  c.throughput = summary(member(j, "throughput_ops_per_second"));
  c.cores_used = summary(member(j, "cores_used"));
  c.startup = summary(member(j, "startup_seconds"));
  c.speedup = ratio(value_or_null(j, "speedup"));
  c.efficiency = opt_num(j, "efficiency");
  c.voluntary_switches = num(j, "voluntary_switches");
  c.involuntary_switches = num(j, "involuntary_switches");
  c.latency = latency(value_or_null(j, "latency_seconds"));
  c.loop_lag = latency(value_or_null(j, "loop_lag_seconds"));
  if (const auto it = j.find("memory"); it != j.end() && it->is_object()) {
    c.peak_rss_bytes = opt_num(*it, "peak_rss_bytes");
    c.pss_bytes = opt_num(*it, "pss_bytes");
  }
  if (const auto it = j.find("data"); it != j.end() && it->is_object()) {
    c.bytes_copied = opt_num(*it, "bytes_copied");
    c.move_seconds = opt_num(*it, "move_seconds");
    c.minor_faults = opt_num(*it, "minor_faults");
  }
  c.server_startup_seconds = opt_num(j, "server_startup_seconds");
  c.gil = gil_summary(value_or_null(j, "gil"));
  c.time_bounded = flag(j, "time_bounded");
  c.background_ops_per_second = opt_num(j, "background_ops_per_second");
  c.background_alone_ops_per_second = opt_num(j, "background_alone_ops_per_second");
  c.background_kept = ratio(value_or_null(j, "background_kept"));
  read_interference(member(j, "interference"), c.interference);
  if (const auto it = j.find("samples"); it != j.end() && it->is_array())
    for (const auto& s : *it) c.samples.push_back(sample(s));
  return c;
}

BenchConfig config(const Json& j) {
  BenchConfig c;
  if (const auto it = j.find("workloads"); it != j.end() && it->is_array())
    for (const auto& w : *it)
      if (w.is_string()) c.workloads.push_back(w.get<std::string>());
  if (const auto it = j.find("modes"); it != j.end() && it->is_array())
    for (const auto& m : *it)
      if (m.is_string()) c.modes.push_back(parse_mode(m.get<std::string>()));
  if (const auto it = j.find("workers"); it != j.end() && it->is_array())
    for (const auto& w : *it)
      if (w.is_number_unsigned()) c.workers.push_back(w.get<unsigned>());
  c.duration = duration(num(j, "duration_seconds", 0.3));
  c.repetitions = whole<unsigned>(j, "repetitions", c.repetitions);
  c.max_repetitions = whole<unsigned>(j, "max_repetitions", 0);
  c.precision = num(j, "precision", c.precision);
  c.max_time = duration(num(j, "max_time_seconds", 10));
  c.gil_policy = str(j, "gil_policy") == "legacy" ? GilPolicy::Legacy : GilPolicy::New;
  c.check_interval = whole<unsigned>(j, "check_interval", c.check_interval);
  if (const auto python = opt_str(j, "python_version")) c.python_version = *python;
  c.start_method = StartMethod::Fork;
  for (const auto& info : start_method_catalog()) {
    if (str(j, "start_method") == info.name) c.start_method = info.method;
  }
  c.input_size = whole<std::uint64_t>(j, "input_size_bytes", 0);
  c.result_size = whole<std::uint64_t>(j, "result_size_bytes", 0);
  if (const auto it = j.find("async_blocking"); it != j.end() && it->is_boolean())
    c.async_blocking = it->get<bool>();
  if (const auto cpus = opt_str(j, "cpus")) c.cpus = CpuSet::parse(*cpus);
  c.workload_defaults.op_size =
      whole<decltype(c.workload_defaults.op_size)>(j, "op_size", c.workload_defaults.op_size);
  if (const auto compute = opt_num(j, "compute_seconds"))
    c.workload_defaults.compute_time = duration(*compute);
  if (const auto overhead = opt_num(j, "op_overhead_seconds"))
    c.workload_defaults.op_overhead = duration(*overhead);
  c.warmup = whole<unsigned>(j, "warmup", c.warmup);
  c.switch_intervals.clear();
  for (const double s : numbers(j, "switch_intervals_seconds"))
    c.switch_intervals.push_back(duration(s));
  c.workload_defaults.io_latency = duration(num(j, "io_latency_seconds", 0.001));
  c.shared_fractions = numbers(j, "shared_fractions");
  c.seed = whole<std::uint64_t>(j, "seed", 1);
  return c;
}

std::optional<unsigned> opt_count(const Json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<unsigned>();
}

/// The platform facts a reader shows (the summary of `info`), from context.info.
PlatformReport platform(const Json& info) {
  PlatformReport p;
  const Json& cpu = member(info, "cpu");
  p.cpu.usable = opt_count(cpu, "usable");
  p.cpu.usable_fraction = opt_num(cpu, "usable_fraction");
  p.cpu.usable_cpus = opt_count(cpu, "usable_cpus");
  p.cpu.cgroup_quota = opt_num(cpu, "cgroup_quota");
  p.cpu.recommended_cpu_workers = opt_count(cpu, "recommended_cpu_workers");
  p.cpu.recommended_io_workers = opt_count(cpu, "recommended_io_workers");
  if (const auto online = opt_str(cpu, "online")) p.cpu.online = CpuSet::parse(*online);
  const Json& topology = member(info, "topology");
  p.topology.packages = opt_count(topology, "packages");
  p.topology.cores = opt_count(topology, "cores");
  p.topology.logical_cpus = opt_count(topology, "logical_cpus");
  const Json& identity = member(info, "identity");
  p.identity.model_name = opt_str(identity, "model_name");
  p.identity.vendor = opt_str(identity, "vendor");
  p.identity.machine = opt_str(identity, "machine");
  const Json& os = member(info, "os");
  p.os.system = opt_str(os, "system");
  p.os.kernel_release = opt_str(os, "kernel_release");
  p.os.distribution = opt_str(os, "distribution");
  const Json& virt = member(info, "virtualization");
  p.virtualization.hypervisor = opt_str(virt, "hypervisor");
  p.virtualization.container = opt_str(virt, "container");
  const Json& memory = member(info, "memory");
  if (const auto total = opt_num(memory, "total_bytes"))
    p.memory.total_bytes = static_cast<std::uint64_t>(*total);
  p.live = !info.contains("live") || flag(info, "live");
  if (const auto root = opt_str(info, "sysroot")) p.sysroot = *root;
  return p;
}

void check_schema(const Json& document, const std::string& name) {
  if (!document.is_object() || !document.contains("cells") || !document["cells"].is_array() ||
      str(member(document, "context"), "tool") != "conc-probe") {
    throw UsageError(name + " is not a conc-probe bench JSON run (no context.tool, no cells)");
  }
  const std::string version = str(document, "schema_version");
  const int major = version.empty() ? -1 : std::atoi(version.c_str());
  if (major != kBenchSchemaMajor) {
    throw UsageError(name + " has schema version '" + version + "'; this conc-probe reads " +
                     std::to_string(kBenchSchemaMajor) + ".x");
  }
}

}  // namespace

BenchReport parse_bench_report(std::string_view json_text, const std::string& name) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::exception& error) {
    throw UsageError(name + " is not valid JSON (" + error.what() + ")");
  }
  check_schema(document, name);
  BenchReport report;
  const Json& context = member(document, "context");
  report.start_time = str(context, "start_time");
  report.platform = platform(member(context, "info"));
  report.config = config(member(document, "config"));
  if (const auto it = context.find("command_line"); it != context.end() && it->is_array())
    for (const auto& arg : *it)
      if (arg.is_string()) report.config.command_line.push_back(arg.get<std::string>());
  try {
    for (const auto& c : document["cells"]) report.cells.push_back(cell(c));
  } catch (const Json::exception& error) {
    throw UsageError(name + ": a cell does not read as conc-probe bench JSON (" + error.what() +
                     ")");
  }
  if (const auto it = document.find("findings"); it != document.end() && it->is_array())
    for (const auto& f : *it) report.findings.push_back(Finding{str(f, "topic"), str(f, "text")});
  report.busy = flag(document, "busy");
  report.interrupted = flag(document, "interrupted");
  return report;
}

BenchReport load_bench_report(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw UsageError("cannot read " + name + ": " + error.message());
  if (size == 0) throw UsageError(name + " is empty");
  if (size > kMaxRunFileBytes) throw UsageError(name + " is too large to be a bench run");
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw UsageError("cannot read " + name);
  return parse_bench_report(text, name);
}

}  // namespace conc_probe
