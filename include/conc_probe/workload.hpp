#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conc_probe/op_context.hpp"

namespace conc_probe {

enum class WorkloadKind { Cpu, Io, Mixed };

/// Returns "cpu", "io" or "mixed".
std::string_view to_string(WorkloadKind kind) noexcept;

/// A workload's name, kind and one-line description (for `conc-probe list`).
struct WorkloadInfo {
  std::string name;
  WorkloadKind kind = WorkloadKind::Cpu;
  std::string description;
  /// The convoy scenario: one IO thread's ops run for a fixed time while the cell's workers
  /// are CPU-bound threads (or processes) beside it; ops are counted, not fixed.
  bool convoy = false;
};

/// Everything a worker needs to rebuild a workload, in a form that can be passed on a
/// command line to a re-executed worker process (spawn).
struct WorkloadParams {
  std::string name = "count";
  /// Size of one op in the workload's own unit (loop iterations, numbers tested, bytes
  /// hashed, bytes written); 0 = the workload's default.
  std::uint64_t op_size = 0;
  /// The blocking wait of `sleep`, the server-side delay of `net`, the IO part of `mixed`.
  std::chrono::nanoseconds io_latency = std::chrono::milliseconds(1);
  /// `mixed`: the compute part of an op, in the `count` kernel's iterations; 0 = default.
  std::uint64_t compute_size = 0;
  /// `mixed`: the compute part of an op as a duration (--compute-time, --io-fraction); when
  /// set, start_shared measures the `count` kernel here and sets compute_size from it, so
  /// every worker (and a spawned one) runs the same iterations. 0 = use compute_size.
  std::chrono::nanoseconds compute_time{0};
  /// Filled in by Workload::start_shared: the private temporary directory of `file`.
  std::string temp_dir;
  /// Filled in by Workload::start_shared: the echo server's port on 127.0.0.1 for `net`.
  std::uint16_t server_port = 0;
  /// `db`: the PostgreSQL server (a libpq URI, --db-url); empty = SQLite in temp_dir.
  std::string db_url;
  /// Filled in by Workload::start_shared: the `db` workload's table (unique per run).
  std::string db_table;
  /// --shared: the fraction of ops that also update the one shared counter (set per cell
  /// by the engine; 0 = none).
  double shared_fraction = 0;
  /// --op-overhead: CPU work added before every op, standing for the interpreter's own work
  /// around it (the loop's bytecodes, the call). It runs where the op runs: holding the lock
  /// in gil mode, on the loop in async mode. start_shared measures the `count` kernel and
  /// sets overhead_size (iterations) from it, which workers (a spawned one too) run.
  std::chrono::nanoseconds op_overhead{0};
  std::uint64_t overhead_size = 0;
};

/// Per-worker state of a workload (a TCP connection, a file name); lives on one worker
/// thread or process. Ops are numbered globally; op i's checksum depends only on i and the
/// params, so the sum of all checksums is the same however ops are split among workers.
class WorkerSession {
 public:
  virtual ~WorkerSession() = default;
  /// Runs op `index` and returns its checksum. Throws std::runtime_error on an IO failure
  /// (a failed cell, not a crash).
  virtual std::uint64_t run_op(std::uint64_t index, OpContext& context) = 0;
};

/// A workload: shared resources owned by the parent, and a factory of worker sessions.
class Workload {
 public:
  virtual ~Workload() = default;
  [[nodiscard]] virtual const WorkloadInfo& info() const noexcept = 0;
  /// Starts shared resources (temporary directory, echo server) in the parent process and
  /// records what workers need in `params`. Throws std::runtime_error on failure.
  virtual void start_shared(WorkloadParams& params) { (void)params; }
  /// Stops them (removes the directory, closes the server). Safe to call twice.
  virtual void stop_shared() noexcept {}
  /// Opens one worker's session; called on the worker thread or in the worker process.
  [[nodiscard]] virtual std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                                   unsigned worker_index) const = 0;
};

/// Creates the named workload. Throws UsageError for an unknown name (with a suggestion).
std::unique_ptr<Workload> make_workload(const WorkloadParams& params);

/// All workloads, in the order `conc-probe list` shows them.
const std::vector<WorkloadInfo>& workload_catalog();

/// Adds an op's checksum into a running total (wrapping sum: order-independent).
constexpr std::uint64_t combine_checksum(std::uint64_t total, std::uint64_t op) noexcept {
  return total + op;
}

}  // namespace conc_probe
