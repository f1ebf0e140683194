#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/gil_types.hpp"
#include "conc_probe/mode.hpp"
#include "conc_probe/workload.hpp"

namespace conc_probe {

/// The validated, immutable configuration of one `conc-probe bench` run.
struct BenchConfig {
  std::vector<std::string> workloads;  ///< names, in order
  std::vector<Mode> modes;
  /// Worker counts per cell; `single` always runs once with 1 worker.
  std::vector<unsigned> workers;
  /// Rank counts of mpi cells (--ranks; the worker counts when not given).
  std::vector<unsigned> ranks;
  std::chrono::nanoseconds duration = std::chrono::milliseconds(300);  ///< target single cell
  /// Measured repetitions per cell: at least this many; with max_repetitions above it, more
  /// until the median's interval is within `precision` or max_time is spent.
  unsigned repetitions = 6;
  unsigned max_repetitions = 0;  ///< 0 = exactly `repetitions`
  double precision = 0.02;       ///< half-width of the median's 95% interval / median
  /// Time budget of the whole run's extra repetitions (beyond `repetitions`).
  std::chrono::nanoseconds max_time = std::chrono::seconds(10);
  unsigned warmup = 1;
  /// Op totals per workload to run instead of calibrating (--baseline: the same work as
  /// the baseline run).
  std::map<std::string, std::uint64_t> fixed_ops;
  std::vector<std::chrono::nanoseconds> switch_intervals{std::chrono::milliseconds(5)};
  /// --shared: one set of cells per fraction of ops that update one shared counter (empty:
  /// no shared updates, and no shared_fraction in the cells' keys).
  std::vector<double> shared_fractions;
  GilPolicy gil_policy = GilPolicy::New;
  unsigned check_interval = 100;
  /// The CPython release line whose lock the gil cells model (--python-version), empty when
  /// none was named.
  std::string python_version;
  StartMethod start_method = StartMethod::Fork;
  /// Bytes of input the parent builds for each cell; op i reads bytes
  /// [i*size/ops, (i+1)*size/ops) of it (--input-size; 0 = none).
  std::uint64_t input_size = 0;
  /// Bytes every op returns to the parent (--result-size; 0 = none).
  std::uint64_t result_size = 0;
  /// Async cells run every blocking call on the loop itself (--async-blocking).
  bool async_blocking = false;
  std::optional<CpuSet> cpus;        ///< restrict the whole run to these CPUs
  WorkloadParams workload_defaults;  ///< io_latency, op sizes
  std::uint64_t seed = 1;
  std::vector<std::string> command_line;
  /// Record the gil lock's timeline in the first measured repetition of every gil cell.
  bool record_timeline = false;
  /// Hidden fault injection for tests: kill worker `fault_worker` of process cells with
  /// this signal right after the start signal (0 = none).
  int fault_signal = 0;
  unsigned fault_worker = 0;  ///< which worker the fault injection kills
  /// The binary re-executed by start method spawn ("/proc/self/exe" = this program; tests
  /// point it at the conc-probe binary).
  std::string worker_binary = "/proc/self/exe";
};

}  // namespace conc_probe
