#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "conc_probe/config.hpp"
#include "conc_probe/gil.hpp"
#include "conc_probe/result.hpp"
#include "conc_probe/workload.hpp"
#include "engine/data_move.hpp"

/// Executors run one repetition of one cell: the same ops, split among workers in the way
/// of one concurrency mode. Internal to the engine module (and its tests).
namespace conc_probe::engine {

/// Test-only faults of process workers: what a worker writes instead of its result.
enum class MessageFault { None, Garbage, Short, Nothing };

/// Everything an executor needs for one run besides the workload.
struct ExecutionPlan {
  Mode mode = Mode::Single;
  unsigned workers = 1;
  std::uint64_t total_ops = 0;
  unsigned repetition = 0;
  /// Record per-op latencies (IO and mixed workloads), at most kMaxLatencies per sample.
  bool record_latency = false;
  GilConfig gil;
  StartMethod start_method = StartMethod::Fork;
  /// Data that moves: the parent's input (null = none) and the bytes every op returns.
  std::shared_ptr<const InputBytes> input;
  std::uint64_t result_size = 0;
  std::string worker_binary = "/proc/self/exe";  ///< re-executed by spawn
  /// Process mode: how long to wait for all results before killing the workers.
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
  int fault_signal = 0;  ///< kill worker fault_worker with it after the start signal
  unsigned fault_worker = 0;
  MessageFault message_fault = MessageFault::None;  ///< worker fault_worker misbehaves
  /// Async cells: run every op whole on the loop, blocking calls included (--async-blocking).
  bool async_blocking = false;
  /// Convoy cells: run the CPU workers alone (no IO thread) for the duration, as the
  /// reference their rate beside the IO thread is compared with.
  bool convoy_alone = false;
  /// Convoy cells: how long to wait for the CPU workers to be ready.
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);
};

/// Most latencies kept per sample; beyond it ops are sampled with a fixed stride.
inline constexpr std::uint64_t kMaxLatencies = 10000;

/// The ops [first, last) of one worker.
struct OpRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

/// Worker w's share of total ops: [w*total/N, (w+1)*total/N), computed without overflow.
OpRange worker_range(std::uint64_t total_ops, unsigned workers, unsigned worker) noexcept;

/// Where a worker of this process finds the input (in place) and puts its results (copied
/// into a buffer of this process).
DataView in_place_view(const ExecutionPlan& plan) noexcept;

/// Stride between ops whose latency is recorded (1 = every op); 0 = record none.
std::uint64_t latency_stride(const ExecutionPlan& plan) noexcept;

/// Runs one repetition of one cell. Never throws for failures of the work: those are a
/// Sample with ok = false and the reason in Sample::error.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Runs plan.total_ops ops of `workload` among plan.workers workers; `params` are the
  /// workload's parameters after start_shared.
  virtual Sample run(const ExecutionPlan& plan, const Workload& workload,
                     const WorkloadParams& params) = 0;
};

/// Runs one repetition of a convoy cell: the workload's ops on one IO thread for `duration`
/// while plan.workers CPU-bound workers (none for single) run beside it, as threads, threads
/// under the simulated lock, or processes. Sample.ops counts IO ops, Sample.background_ops
/// the CPU workers' ops. With plan.convoy_alone the IO thread does no ops: the sample is
/// the CPU workers alone for `duration`. Never throws for failures of the work: a worker
/// that cannot start, dies or throws makes the sample failed, and every child is reaped.
Sample run_convoy(const ExecutionPlan& plan, const Workload& io, const WorkloadParams& params,
                  std::chrono::nanoseconds duration);

/// The executor of `mode` (each executor file defines its maker; executor_factory.cpp is
/// the one place that names them).
std::unique_ptr<Executor> make_executor(Mode mode);

}  // namespace conc_probe::engine
