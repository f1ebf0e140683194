#include "conc_probe/engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>

#include "conc_probe/interference.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/stats.hpp"
#include "conc_probe/workload.hpp"
#include "engine/bench_parts.hpp"
#include "engine/executor.hpp"
#include "engine/memory_usage.hpp"
#include "engine/noise.hpp"
#include "engine/progress_tracker.hpp"
#include "engine/sched_sources.hpp"
#include "workloads/shared_ops.hpp"

namespace conc_probe {
namespace {

using engine::ExecutionPlan;

std::string iso_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

/// start_shared on construction, stop_shared on every way out.
class SharedResources {
 public:
  SharedResources(Workload& workload, WorkloadParams& params) : workload_(workload) {
    workload_.start_shared(params);
  }
  ~SharedResources() { workload_.stop_shared(); }
  SharedResources(const SharedResources&) = delete;
  SharedResources& operator=(const SharedResources&) = delete;

 private:
  Workload& workload_;
};

/// One workload's cells while they are being measured.
struct WorkloadRun {
  const BenchConfig& config;
  const EngineObserver& observer;
  BenchReport& report;
  const Workload& workload;
  const WorkloadParams& params;
  std::vector<CellResult> cells;
  std::vector<ExecutionPlan> plans;
  std::vector<bool> published;  ///< per cell: already in the report
  const std::vector<std::filesystem::path>& cpu_stat_files;
  std::int64_t deadline_ns = 0;  ///< extra repetitions stop here
  engine::ProgressTracker& progress;
  const workloads::SharedOpsWorkload* shared = nullptr;  ///< with --shared: the counter's owner
};

void tell(const EngineObserver& observer, const RunProgress& progress) {
  if (observer.progress) observer.progress(progress);
}

/// The CPUs a cell may use: the run's --cpus, else the probe's capacity (quota included).
double cell_capacity(const BenchReport& report) {
  if (report.config.cpus) {
    const auto cpus = static_cast<double>(report.config.cpus->size());
    return std::min(cpus, report.platform.cpu.cgroup_quota.value_or(cpus));
  }
  if (report.platform.cpu.usable_fraction) return *report.platform.cpu.usable_fraction;
  return static_cast<double>(report.platform.cpu.usable_cpus.value_or(1));
}

SampleInterference interference_of(const Sample& sample, const ExecutionPlan& plan,
                                   const engine::NoiseMeasurement& noise, double capacity) {
  stats::InterferenceInputs in;
  // A convoy cell's IO thread runs beside its CPU workers.
  in.workers = plan.workers;
  in.wall_seconds = sample.wall_seconds;
  in.cpu_seconds = sample.cpu_seconds;
  in.wait_seconds = sample.wait_seconds;
  in.capacity = capacity;
  in.other_cores = noise.other_cores;
  in.steal_fraction = noise.reading.steal_fraction;
  in.throttled_seconds = noise.throttling.throttled_seconds;
  in.throttled_periods = noise.throttling.throttled_periods;
  in.quota_periods = noise.throttling.periods;
  return stats::assess_interference(in);
}

/// One repetition's ops. With --shared, the cell's fraction of them update the shared
/// counter, and a counter that does not match the number of shared ops fails the sample.
Sample run_cell_ops(const WorkloadRun& run, const ExecutionPlan& plan, const CellKey& key) {
  if (run.shared == nullptr)
    return engine::make_executor(plan.mode)->run(plan, run.workload, run.params);
  WorkloadParams params = run.params;
  params.shared_fraction = key.shared_fraction.value_or(0);
  run.shared->counter().store(0);
  Sample sample = engine::make_executor(plan.mode)->run(plan, run.workload, params);
  const std::uint64_t expected =
      workloads::shared_ops_below(plan.total_ops, params.shared_fraction);
  const std::uint64_t counted = run.shared->counter().load();
  if (sample.ok && !stop_requested() && counted != expected) {
    sample.ok = false;
    sample.error = "the shared counter is " + std::to_string(counted) + " after " +
                   std::to_string(expected) + " shared ops";
  }
  return sample;
}

/// Runs one repetition of cell `index` and keeps it unless it is a warm-up.
void run_repetition(WorkloadRun& run, std::size_t index, unsigned round) {
  const unsigned warmup = run.config.warmup;
  CellResult& cell = run.cells[index];
  ExecutionPlan plan = run.plans[index];
  plan.repetition = round < warmup ? 0 : round - warmup;
  // The timeline is recorded in the first measured round only, so it costs the others
  // nothing (how many rounds there will be is not known in advance).
  plan.gil.record_events = run.config.record_timeline && round == warmup;
  tell(run.observer,
       run.progress.starting(index, cell.key, round, cell.samples.size(), engine::monotonic_ns()));
  engine::NoiseMeter meter(run.cpu_stat_files);
  meter.start();
  // Threads share the process's memory: its peak from here on is theirs.
  if (plan.mode != Mode::Process) engine::reset_peak_rss();
  Sample sample = run.workload.info().convoy
                      ? engine::run_convoy(plan, run.workload, run.params, run.config.duration)
                      : run_cell_ops(run, plan, cell.key);
  const engine::NoiseMeasurement noise = meter.stop();
  if (plan.mode != Mode::Process && !sample.pss_bytes) {
    const engine::MemoryUsage memory = engine::own_memory();
    if (memory.peak_rss_bytes != 0) sample.peak_rss_bytes = memory.peak_rss_bytes;
    if (memory.pss_bytes != 0) sample.pss_bytes = memory.pss_bytes;
  }
  if (run.workload.info().convoy && plan.mode != Mode::Single && sample.ok && round >= warmup &&
      !stop_requested()) {
    // The CPU workers' reference: the same workers alone, right now, so both rates were
    // measured under the same conditions.
    ExecutionPlan alone = plan;
    alone.convoy_alone = true;
    alone.gil.record_events = false;
    const Sample reference =
        engine::run_convoy(alone, run.workload, run.params, run.config.duration);
    if (reference.ok && reference.wall_seconds > 0)
      sample.background_alone_ops_per_second =
          static_cast<double>(reference.background_ops) / reference.wall_seconds;
  }
  run.progress.finished(engine::monotonic_ns());
  // A warm-up, or a repetition cut short by a stop request, is not a measurement.
  if (round < warmup || stop_requested()) return;
  sample.noise = noise.reading;
  sample.interference = interference_of(sample, plan, noise, cell_capacity(run.report));
  cell.samples.push_back(std::move(sample));
}

/// The single cell's target time. Under a CPU quota a cell shorter than a few quota periods
/// can finish inside one period's budget and never meet the quota (32 ms of two threads
/// never exhausts 120 ms per 100 ms), so the target grows until the cell with the most
/// workers the quota can run spans at least 3 periods.
std::chrono::nanoseconds calibration_target(const BenchConfig& config,
                                            const PlatformReport& platform) {
  const auto quota = platform.cpu.cgroup_quota;
  if (!quota || config.workers.empty()) return config.duration;
  constexpr int kMinQuotaPeriods = 4;  // 3 for the note's rule, and one for calibration's error
  constexpr auto kPeriod = std::chrono::milliseconds(100);  // the kernel's default period
  const unsigned most = *std::max_element(config.workers.begin(), config.workers.end());
  const auto parallel = std::max(1.0, std::min(static_cast<double>(most), std::ceil(*quota)));
  const auto needed =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kPeriod * kMinQuotaPeriods * parallel);
  return std::max(config.duration, needed);
}

/// The quantity whose interval decides when a cell has enough repetitions.
Summary precision_quantity(const CellResult& cell) {
  std::vector<double> values;
  for (const auto& sample : cell.samples) {
    if (!sample.ok) continue;
    values.push_back(cell.time_bounded && sample.wall_seconds > 0
                         ? static_cast<double>(sample.ops) / sample.wall_seconds
                         : sample.wall_seconds);
  }
  return stats::summarize(values);
}

/// True when cell `cell` should get another repetition.
bool wants_more(const WorkloadRun& run, const CellResult& cell) {
  if (cell.samples.size() >= run.config.max_repetitions) return false;
  if (std::any_of(cell.samples.begin(), cell.samples.end(), [](const Sample& s) { return !s.ok; }))
    return false;  // a failed cell stays failed
  return !stats::precise_enough(precision_quantity(cell), run.config.precision);
}

/// The checksum every cell must produce: the single cell's, else the first cell's.
std::uint64_t expected_checksum(const std::vector<CellResult>& cells) {
  for (const auto& cell : cells) {
    for (const auto& sample : cell.samples) {
      if (sample.ok) return sample.checksum;
    }
    if (cell.key.mode == Mode::Single) break;
  }
  for (const auto& cell : cells) {
    for (const auto& sample : cell.samples) {
      if (sample.ok) return sample.checksum;
    }
  }
  return 0;
}

/// The base of `cell`'s speed-up among `cells`: the single cell of the same workload and
/// --shared fraction (each fraction's cells are measured against their own single cell);
/// none for a single cell itself.
const CellResult* speedup_base(const std::vector<CellResult>& cells, const CellResult& cell) {
  if (cell.key.mode == Mode::Single) return nullptr;
  for (const auto& other : cells) {
    if (other.key.mode == Mode::Single && other.key.workload == cell.key.workload &&
        other.key.shared_fraction == cell.key.shared_fraction)
      return &other;
  }
  return nullptr;
}

/// Summarises cell `index` (unless it has neither samples nor a failure), appends it to the
/// report and tells the observer, so that an -o file holds it at once.
void publish_cell(WorkloadRun& run, std::size_t index) {
  CellResult& cell = run.cells[index];
  if (run.published[index] || (cell.samples.empty() && !cell.failed)) return;
  run.published[index] = true;
  const CellResult* base = speedup_base(run.cells, cell);
  // The base is summarised first: cells are published in order, its single cell first.
  engine::summarize_cell(cell, expected_checksum(run.cells), base);
  run.report.busy = run.report.busy || cell.busy;
  run.report.cells.push_back(cell);
  if (run.observer.cell_finished) run.observer.cell_finished(run.report);
}

/// Publishes, in cell order, every cell that will run no more repetitions, so that an -o
/// file holds a cell as soon as it is finished. Stops at the first unfinished cell: the
/// report keeps its order, and the single cell (the base of speed-ups) comes first.
void publish_finished(WorkloadRun& run) {
  for (std::size_t i = 0; i < run.cells.size(); ++i) {
    const CellResult& cell = run.cells[i];
    if (run.published[i]) continue;
    if (cell.samples.size() < run.config.repetitions || wants_more(run, cell)) return;
    publish_cell(run, i);
  }
}

/// After a round of repetitions, while some cells are still unfinished: hands the observer
/// the report as it would be if the run ended now — the finished cells, then every other
/// measured cell summarised from the repetitions it has — marked interrupted. An -o file
/// rewritten with it keeps the work done so far even when the process is killed (SIGKILL,
/// a crash) before any cell finishes, as happens when repetitions interleave. The final
/// report replaces it.
void save_provisional(const WorkloadRun& run) {
  if (!run.observer.cell_finished) return;
  if (std::all_of(run.published.begin(), run.published.end(), [](bool done) { return done; }))
    return;
  BenchReport provisional = run.report;
  provisional.interrupted = true;
  provisional.cells.reserve(provisional.cells.size() + run.cells.size());
  const std::uint64_t expected = expected_checksum(run.cells);
  for (std::size_t i = 0; i < run.cells.size(); ++i) {
    if (run.published[i] || run.cells[i].samples.empty()) continue;
    provisional.cells.push_back(run.cells[i]);
    CellResult& cell = provisional.cells.back();
    // The capacity reserved above keeps the base's address while cells are added.
    engine::summarize_cell(cell, expected, speedup_base(provisional.cells, cell));
  }
  run.observer.cell_finished(provisional);
}

/// Publishes every cell not published yet (after a stop or a failure of the workload).
void finish_cells(WorkloadRun& run) {
  run.published.resize(run.cells.size(), false);
  for (std::size_t i = 0; i < run.cells.size(); ++i) publish_cell(run, i);
}

/// Marks every cell failed with `reason` (calibration or start-up of the workload failed).
void fail_all(WorkloadRun& run, const std::string& reason) {
  for (auto& cell : run.cells) {
    cell.failed = true;
    cell.error = reason;
  }
}

/// Every cell `warmup + repetitions` times, round-robin (a slow drift of the machine
/// spreads over all cells); then further rounds over the cells whose interval is still
/// wider than --precision, until --max-repetitions or the time budget.
void measure(WorkloadRun& run) {
  const unsigned rounds = run.config.warmup + run.config.repetitions;
  for (unsigned round = 0;; ++round) {
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < run.cells.size(); ++i) {
      if (round < rounds || wants_more(run, run.cells[i])) chosen.push_back(i);
    }
    if (round >= rounds && engine::monotonic_ns() >= run.deadline_ns) break;
    if (chosen.empty()) break;
    if (round >= rounds) run.progress.extra_round(chosen);
    for (const std::size_t i : chosen) {
      if (stop_requested()) break;
      run_repetition(run, i, round);
      if (!stop_requested()) publish_finished(run);
    }
    if (stop_requested()) {
      run.report.interrupted = true;  // also when the signal came in the last repetition
      return;
    }
    save_provisional(run);
  }
}

void prepare_cells(WorkloadRun& run, std::uint64_t total_ops) {
  for (auto& cell : run.cells) {
    cell.total_ops = total_ops;
    run.plans.push_back(engine::plan_for(run.config, cell.key, cell.kind, total_ops));
  }
}

/// Convoy cells run for config.duration instead of a calibrated op count; the CPU workers'
/// speed alone is measured beside each repetition (run_repetition).
void prepare_convoy_cells(WorkloadRun& run) {
  for (auto& cell : run.cells) cell.time_bounded = true;
  prepare_cells(run, 0);
  for (auto& plan : run.plans) plan.record_latency = true;
}

void run_workload(const BenchConfig& config, const std::string& name, BenchReport& report,
                  const EngineObserver& observer, engine::ProgressTracker& progress,
                  const std::vector<std::filesystem::path>& cpu_stat_files,
                  std::int64_t deadline_ns) {
  WorkloadParams params = config.workload_defaults;
  params.name = name;
  std::unique_ptr<Workload> workload = make_workload(params);
  const workloads::SharedOpsWorkload* counter_owner = nullptr;
  if (!config.shared_fractions.empty()) {
    auto wrapped = std::make_unique<workloads::SharedOpsWorkload>(std::move(workload));
    counter_owner = wrapped.get();
    workload = std::move(wrapped);
  }
  WorkloadRun run{config, observer, report,         *workload,   params,   {},
                  {},     {},       cpu_stat_files, deadline_ns, progress, counter_owner};
  for (const auto& key : engine::cell_keys(config, name)) {
    run.cells.push_back(CellResult{});
    run.cells.back().key = key;
    run.cells.back().kind = workload->info().kind;
  }
  run.published.assign(run.cells.size(), false);
  try {
    SharedResources shared(*workload, params);
    if (workload->info().convoy) {
      prepare_convoy_cells(run);
    } else if (const auto fixed = config.fixed_ops.find(name); fixed != config.fixed_ops.end()) {
      prepare_cells(run, fixed->second);  // the baseline's work, so per-op figures compare
    } else {
      tell(observer, progress.calibrating(engine::monotonic_ns()));
      std::uint64_t total =
          engine::calibrate(*workload, params, calibration_target(config, report.platform),
                            config.input_size, config.result_size);
      for (const unsigned workers : config.workers) total = std::max<std::uint64_t>(total, workers);
      total = engine::balanced_total(total, config.workers);
      prepare_cells(run, total);
    }
    progress.calibrated(engine::monotonic_ns());
    measure(run);
  } catch (const std::exception& error) {
    if (stop_requested()) report.interrupted = true;
    if (!report.interrupted) fail_all(run, error.what());
  }
  finish_cells(run);
}

}  // namespace

BenchReport run_bench(const BenchConfig& config, const EngineObserver& observer) {
  engine::validate(config);
  for (const auto& name : config.workloads) {
    WorkloadParams params = config.workload_defaults;
    params.name = name;
    (void)make_workload(params);  // an unknown name is a usage error before any work
  }
  const engine::ScopedAffinity affinity(config.cpus);
  BenchReport report;
  report.config = config;
  report.start_time = iso_utc_now();
  report.platform = probe_platform(ProbeOptions{});
  const auto cpu_stat_files = engine::live_cpu_stat_files();
  const std::int64_t run_start = engine::monotonic_ns();
  const std::int64_t run_deadline = run_start + config.max_time.count();
  engine::ProgressTracker progress(config, run_start);
  for (std::size_t w = 0; w < config.workloads.size(); ++w) {
    if (stop_requested()) {
      report.interrupted = true;
      break;
    }
    // Each workload gets an equal share of what is left of the extra repetitions' budget.
    const std::int64_t now = engine::monotonic_ns();
    const auto left = static_cast<std::int64_t>(config.workloads.size() - w);
    const std::int64_t deadline = now + std::max<std::int64_t>(0, run_deadline - now) / left;
    progress.begin_workload(w, engine::cell_keys(config, config.workloads[w]).size(), deadline);
    run_workload(config, config.workloads[w], report, observer, progress, cpu_stat_files, deadline);
  }
  if (stop_requested()) report.interrupted = true;
  report.findings = engine::make_findings(report);
  return report;
}

}  // namespace conc_probe
