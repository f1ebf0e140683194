#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "conc_probe/op_context.hpp"
#include "conc_probe/result.hpp"
#include "conc_probe/workload.hpp"
#include "engine/data_move.hpp"
#include "engine/executor.hpp"

/// The part every executor shares: one worker running its range of ops, CPU accounting
/// and the monotonic clock.
namespace conc_probe::engine {

/// CPU time and context switches of a thread, a process or its waited-for children.
struct CpuUsage {
  double cpu_seconds = 0;  ///< user + system
  std::int64_t voluntary = 0;
  std::int64_t involuntary = 0;
  /// Time runnable but waiting for a CPU (the kernel's run delay, schedstat) of the calling
  /// thread; negative where the kernel keeps none.
  double wait_seconds = -1;
};

/// `after - before`, field by field (wait unknown when either side's is).
CpuUsage operator-(const CpuUsage& after, const CpuUsage& before) noexcept;
/// `a + b`, field by field (wait unknown when either side's is).
CpuUsage operator+(const CpuUsage& a, const CpuUsage& b) noexcept;

/// getrusage(RUSAGE_THREAD) of the calling thread (RUSAGE_SELF where there is none), with
/// its run delay.
CpuUsage thread_usage() noexcept;
/// getrusage(RUSAGE_SELF), with the calling thread's run delay (a worker process has one
/// thread).
CpuUsage process_usage() noexcept;
/// getrusage(RUSAGE_CHILDREN): children that have been waited for.
CpuUsage children_usage() noexcept;

/// CLOCK_MONOTONIC in nanoseconds (the same clock in every process of the machine).
std::int64_t monotonic_ns() noexcept;

/// What one worker did.
struct WorkerResult {
  bool ok = true;
  std::string error;
  std::uint64_t ops = 0;
  std::uint64_t checksum = 0;
  std::vector<double> latencies;  ///< seconds, ops whose index is a multiple of the stride
  CpuUsage usage;                 ///< of the work only
  std::int64_t end_ns = 0;        ///< monotonic_ns() when the last op finished
  /// A worker process's own memory after its ops (0 = unknown, or a thread: not its own).
  std::uint64_t peak_rss_bytes = 0;
  std::uint64_t pss_bytes = 0;
  DataMoved data;  ///< what moving the input and results cost (--input-size, --result-size)
};

/// Runs ops [range.first, range.last) of `session` into `out` (ops, checksum, latencies
/// when stride > 0). Stops early when stop_requested(). Never throws: an op's exception,
/// or a stop, makes `out` failed with the reason.
void run_ops(WorkerSession& session, OpContext& context, OpRange range, std::uint64_t stride,
             WorkerResult& out) noexcept;

/// Sums the workers' results into one Sample (checksums combined, latencies joined, CPU
/// and memory summed, memory unknown unless every worker knew its own); failed when any
/// worker failed, naming the first ("worker 2: ...").
Sample combine_results(std::span<const WorkerResult> results);

/// The message of a caught exception.
std::string describe_exception(std::exception_ptr error);

}  // namespace conc_probe::engine
