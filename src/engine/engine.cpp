#include "conc_probe/engine.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <memory>

#include "conc_probe/platform.hpp"
#include "conc_probe/workload.hpp"
#include "engine/bench_parts.hpp"
#include "engine/executor.hpp"
#include "engine/noise.hpp"

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
  std::vector<bool> published;         ///< per cell: already in the report
  const CellResult* single = nullptr;  ///< the published single cell, base of speed-ups
  std::size_t first_cell_number = 0;   ///< for progress text
  std::size_t total_cells = 0;
};

void tell(const EngineObserver& observer, const std::string& text) {
  if (observer.progress) observer.progress(text);
}

std::string cell_label(const CellKey& key) {
  std::string label = fmt::format("{} {}x{}", key.workload, to_string(key.mode), key.workers);
  if (key.switch_interval) label += fmt::format(" ({} us)", key.switch_interval->count() / 1000);
  return label;
}

/// Runs one repetition of cell `index` and keeps it unless it is a warm-up.
void run_repetition(WorkloadRun& run, std::size_t index, unsigned round) {
  const unsigned warmup = run.config.warmup;
  CellResult& cell = run.cells[index];
  ExecutionPlan plan = run.plans[index];
  plan.repetition = round < warmup ? 0 : round - warmup;
  // The timeline is recorded in the last round only, so it costs the other rounds nothing.
  plan.gil.record_events =
      run.config.record_timeline && round + 1 == warmup + run.config.repetitions;
  tell(run.observer,
       fmt::format("cell {}/{}: {} {} {}/{}", run.first_cell_number + index + 1, run.total_cells,
                   cell_label(cell.key), round < warmup ? "warm-up" : "rep",
                   round < warmup ? round + 1 : plan.repetition + 1,
                   round < warmup ? warmup : run.config.repetitions));
  engine::NoiseMeter meter;
  meter.start();
  Sample sample = run.workload.info().convoy
                      ? engine::run_convoy(plan, run.workload, run.params, run.config.duration)
                      : engine::make_executor(plan.mode)->run(plan, run.workload, run.params);
  const engine::NoiseMeasurement noise = meter.stop();
  // A warm-up, or a repetition cut short by a stop request, is not a measurement.
  if (round < warmup || stop_requested()) return;
  sample.noise = noise.reading;
  cell.busy = cell.busy || noise.busy;
  cell.samples.push_back(std::move(sample));
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

/// Summarises cell `index` (unless it has neither samples nor a failure), appends it to the
/// report and tells the observer, so that an -o file holds it at once.
void publish_cell(WorkloadRun& run, std::size_t index) {
  CellResult& cell = run.cells[index];
  if (run.published[index] || (cell.samples.empty() && !cell.failed)) return;
  run.published[index] = true;
  engine::summarize_cell(cell, expected_checksum(run.cells), run.single);
  if (cell.key.mode == Mode::Single) run.single = &cell;
  run.report.busy = run.report.busy || cell.busy;
  run.report.cells.push_back(cell);
  if (run.observer.cell_finished) run.observer.cell_finished(run.report);
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

void measure(WorkloadRun& run) {
  const unsigned rounds = run.config.warmup + run.config.repetitions;
  for (unsigned round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < run.cells.size(); ++i) {
      if (stop_requested()) {
        run.report.interrupted = true;
        return;
      }
      run_repetition(run, i, round);
      // The last round finishes each cell in turn: publish it before the next one starts.
      if (round + 1 == rounds && !stop_requested()) publish_cell(run, i);
    }
  }
  // A stop during the last repetition leaves nothing more to run but still interrupts it.
  if (stop_requested()) run.report.interrupted = true;
}

void prepare_cells(WorkloadRun& run, std::uint64_t total_ops) {
  for (auto& cell : run.cells) {
    cell.total_ops = total_ops;
    run.plans.push_back(engine::plan_for(run.config, cell.key, cell.kind, total_ops));
  }
}

/// Convoy cells run for config.duration instead of a calibrated op count; the CPU workers'
/// speed alone is measured once to compare theirs with.
void prepare_convoy_cells(WorkloadRun& run) {
  const double alone = engine::count_ops_per_second(std::chrono::milliseconds(100));
  for (auto& cell : run.cells) {
    cell.time_bounded = true;
    cell.background_alone_ops_per_second = alone;
  }
  prepare_cells(run, 0);
  for (auto& plan : run.plans) plan.record_latency = true;
}

void run_workload(const BenchConfig& config, const std::string& name, BenchReport& report,
                  const EngineObserver& observer, std::size_t& cell_number,
                  std::size_t total_cells) {
  WorkloadParams params = config.workload_defaults;
  params.name = name;
  const std::unique_ptr<Workload> workload = make_workload(params);
  WorkloadRun run{config, observer, report,  *workload,   params,     {},
                  {},     {},       nullptr, cell_number, total_cells};
  for (const auto& key : engine::cell_keys(config, name)) {
    run.cells.push_back(CellResult{});
    run.cells.back().key = key;
    run.cells.back().kind = workload->info().kind;
  }
  run.published.assign(run.cells.size(), false);
  cell_number += run.cells.size();
  try {
    SharedResources shared(*workload, params);
    if (workload->info().convoy) {
      prepare_convoy_cells(run);
    } else {
      tell(observer, fmt::format("calibrating {}", name));
      std::uint64_t total = engine::calibrate(*workload, params, config.duration);
      for (const unsigned workers : config.workers) total = std::max<std::uint64_t>(total, workers);
      total = engine::balanced_total(total, config.workers);
      prepare_cells(run, total);
    }
    measure(run);
  } catch (const std::exception& error) {
    if (stop_requested()) report.interrupted = true;
    if (!report.interrupted) fail_all(run, error.what());
  }
  finish_cells(run);
}

std::size_t count_cells(const BenchConfig& config) {
  std::size_t count = 0;
  for (const auto& name : config.workloads) count += engine::cell_keys(config, name).size();
  return count;
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
  std::size_t cell_number = 0;
  const std::size_t total_cells = count_cells(config);
  for (const auto& name : config.workloads) {
    if (stop_requested()) {
      report.interrupted = true;
      break;
    }
    run_workload(config, name, report, observer, cell_number, total_cells);
  }
  if (stop_requested()) report.interrupted = true;
  report.findings = engine::make_findings(report);
  return report;
}

}  // namespace conc_probe
