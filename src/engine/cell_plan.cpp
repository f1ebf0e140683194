#include <algorithm>

#include "conc_probe/error.hpp"
#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

/// Generous: a process cell normally ends within a few times the target duration.
std::chrono::milliseconds process_timeout(std::chrono::nanoseconds duration) {
  return std::chrono::seconds(60) +
         std::chrono::duration_cast<std::chrono::milliseconds>(duration * 50);
}

/// --shared: fractions in [0, 1], in the modes whose workers can share the counter.
void validate_shared(const BenchConfig& config) {
  if (config.shared_fractions.empty()) return;
  for (const double fraction : config.shared_fractions) {
    if (!(fraction >= 0 && fraction <= 1)) throw UsageError("--shared must be between 0 and 1");
  }
  const auto has = [&](Mode mode) {
    return std::find(config.modes.begin(), config.modes.end(), mode) != config.modes.end();
  };
  if (has(Mode::Mpi)) {
    throw UsageError("--shared does not apply to mode mpi: ranks share no memory");
  }
  if (has(Mode::Process) && config.start_method != StartMethod::Fork) {
    throw UsageError(
        "--shared needs --start-method fork for mode process: the counter is mapped before "
        "the workers fork");
  }
  for (const auto& info : workload_catalog()) {
    const bool chosen = std::find(config.workloads.begin(), config.workloads.end(), info.name) !=
                        config.workloads.end();
    if (chosen && info.convoy) {
      throw UsageError("--shared does not apply to workload '" + info.name + "'");
    }
  }
}

}  // namespace

void validate(const BenchConfig& config) {
  if (config.workloads.empty()) throw UsageError("no workload to run");
  if (config.modes.empty()) throw UsageError("no mode to run");
  if (config.workers.empty()) throw UsageError("no worker count given");
  std::vector<unsigned> counts = config.workers;
  counts.insert(counts.end(), config.ranks.begin(), config.ranks.end());
  for (const unsigned workers : counts) {
    if (workers == 0 || workers > kMaxWorkers) {
      throw UsageError("worker count " + std::to_string(workers) + " out of range (1.." +
                       std::to_string(kMaxWorkers) + ")");
    }
  }
  if (config.repetitions == 0) throw UsageError("--repetitions must be at least 1");
  if (config.duration.count() <= 0) throw UsageError("--duration must be positive");
  for (const auto interval : config.switch_intervals) {
    if (interval.count() <= 0) throw UsageError("--switch-interval must be positive");
  }
  validate_shared(config);
  const bool async =
      std::find(config.modes.begin(), config.modes.end(), Mode::Async) != config.modes.end();
  for (const auto& info : workload_catalog()) {
    const bool chosen = std::find(config.workloads.begin(), config.workloads.end(), info.name) !=
                        config.workloads.end();
    if (async && chosen && info.convoy) {
      throw UsageError("workload '" + info.name +
                       "' does not run in mode async: its CPU workers would share the loop's one "
                       "thread (use --mode single,threads,gil,process)");
    }
  }
}

namespace {

/// The cells of one shared fraction (nullopt: --shared not given).
void add_keys(const BenchConfig& config, const std::string& workload, std::optional<double> shared,
              std::vector<CellKey>& keys) {
  const auto has = [&](Mode mode) {
    return std::find(config.modes.begin(), config.modes.end(), mode) != config.modes.end();
  };
  if (has(Mode::Single)) keys.push_back(CellKey{workload, Mode::Single, 1, std::nullopt, shared});
  for (const Mode mode : all_modes()) {
    if (mode == Mode::Single || !has(mode)) continue;
    // mpi cells run their rank counts (--ranks); every other mode its worker counts.
    for (const unsigned workers : mode == Mode::Mpi ? config.ranks : config.workers) {
      if (mode != Mode::Gil) {
        keys.push_back(CellKey{workload, mode, workers, std::nullopt, shared});
        continue;
      }
      for (const auto interval : config.switch_intervals) {
        keys.push_back(CellKey{workload, mode, workers, interval, shared});
      }
    }
  }
}

}  // namespace

std::vector<CellKey> cell_keys(const BenchConfig& config, const std::string& workload) {
  std::vector<CellKey> keys;
  if (config.shared_fractions.empty()) add_keys(config, workload, std::nullopt, keys);
  // One fraction's cells after another, each with its single cell first: the base of its
  // speed-ups is the single cell of the same fraction.
  for (const double fraction : config.shared_fractions) add_keys(config, workload, fraction, keys);
  return keys;
}

ExecutionPlan plan_for(const BenchConfig& config, const CellKey& key, WorkloadKind kind,
                       std::uint64_t total_ops) {
  ExecutionPlan plan;
  plan.mode = key.mode;
  plan.workers = key.workers;
  plan.total_ops = total_ops;
  plan.record_latency = kind != WorkloadKind::Cpu;
  plan.gil.policy = config.gil_policy;
  plan.gil.interval = key.switch_interval.value_or(std::chrono::milliseconds(5));
  plan.gil.check_interval = config.check_interval;
  plan.start_method = config.start_method;
  if (config.input_size > 0) plan.input = shared_input(config.input_size);
  plan.result_size = config.result_size;
  plan.async_blocking = config.async_blocking;
  plan.worker_binary = config.worker_binary;
  plan.timeout = process_timeout(config.duration);
  if (key.mode == Mode::Process || key.mode == Mode::Mpi) {
    plan.fault_signal = config.fault_signal;
    plan.fault_worker = std::min(config.fault_worker, key.workers - 1);
  }
  return plan;
}

}  // namespace conc_probe::engine
