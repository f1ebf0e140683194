#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "conc_probe/config.hpp"
#include "conc_probe/cpu_set.hpp"
#include "conc_probe/result.hpp"
#include "conc_probe/workload.hpp"
#include "engine/executor.hpp"

/// The pieces run_bench is made of, one file each: the cell matrix, calibration, the CPU
/// restriction, per-cell summaries and the findings.
namespace conc_probe::engine {

/// Largest worker count accepted (threads or processes per cell).
inline constexpr unsigned kMaxWorkers = 1024;

/// Throws UsageError when `config` cannot be run (no workloads, modes or worker counts,
/// zero or too many workers, zero repetitions or duration, a non-positive switch interval).
void validate(const BenchConfig& config);

/// The cells of one workload in report order: single once with 1 worker, then each other
/// mode × worker count (× switch interval for gil).
std::vector<CellKey> cell_keys(const BenchConfig& config, const std::string& workload);

/// The execution plan of one cell (repetition 0).
ExecutionPlan plan_for(const BenchConfig& config, const CellKey& key, WorkloadKind kind,
                       std::uint64_t total_ops);

/// The op count that makes a single-threaded run take about `duration`: times a growing
/// number of ops on this thread. Throws std::runtime_error when an op fails, and when
/// stop_requested() turns true. With data sizes, ops read their slice of an input of
/// `input_size` bytes and return `result_size` bytes in place, as a single cell does.
std::uint64_t calibrate(const Workload& workload, const WorkloadParams& params,
                        std::chrono::nanoseconds duration, std::uint64_t input_size = 0,
                        std::uint64_t result_size = 0);

/// `total` rounded up to a multiple of every worker count, when that adds at most 10%, so
/// that every worker of every cell gets the same number of ops. Unequal shares make the
/// workers with one op more finish last: with 180 ops over 16 workers that alone costs 7%
/// of the speed-up. Returns `total` unchanged when the rounding would cost more.
std::uint64_t balanced_total(std::uint64_t total, const std::vector<unsigned>& workers);

/// Restricts this process (the calling thread, and every thread and child started later)
/// to `cpus` for its lifetime, then restores the previous mask. No-op for nullopt. Throws
/// UsageError when a CPU is outside the current affinity mask.
class ScopedAffinity {
 public:
  explicit ScopedAffinity(const std::optional<CpuSet>& cpus);
  ~ScopedAffinity();
  ScopedAffinity(const ScopedAffinity&) = delete;
  ScopedAffinity& operator=(const ScopedAffinity&) = delete;

 private:
  std::optional<CpuSet> previous_;
};

/// The CPUs this process may run on now (sched_getaffinity); nullopt when unknown.
std::optional<CpuSet> current_affinity();

/// Fills the summaries of `cell` from its samples: checks ops and checksums against
/// `expected_checksum` (failing the cell on a mismatch), and computes the speedup against
/// `single` (the workload's single cell, if any).
void summarize_cell(CellResult& cell, std::uint64_t expected_checksum, const CellResult* single);

/// Plain-language findings of a finished (or interrupted) run.
std::vector<Finding> make_findings(const BenchReport& report);
/// The findings of the async cells, one per workload (async_findings.cpp).
std::vector<Finding> async_findings(const BenchReport& report);
/// With --shared: per workload, how the threads' speed-up changes with the shared fraction
/// (shared_findings.cpp).
std::vector<Finding> shared_findings(const BenchReport& report);

}  // namespace conc_probe::engine
