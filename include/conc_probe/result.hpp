#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conc_probe/config.hpp"
#include "conc_probe/gil_types.hpp"
#include "conc_probe/mode.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/summary.hpp"

/// Result types: Sample (one repetition of one cell) → Summary (statistics of a quantity)
/// → CellResult (one cell) → BenchReport (the run). Plain data: no fmt, no JSON here.
namespace conc_probe {

/// Other processes' CPU use and VM steal time during one repetition, from /proc/stat.
struct NoiseReading {
  std::optional<double> other_cpu_fraction;  ///< busy CPU not ours / capacity, 0..1
  std::optional<double> steal_fraction;      ///< steal / capacity, 0..1
};

/// How much of what one repetition's workers needed was taken from them (by other
/// processes, or VM steal), and how long a CPU quota held them back. Method in
/// docs/methodology.md ("Interference").
struct SampleInterference {
  /// Share of the workers' need that others took: of the CPU capacity they needed for
  /// CPU-bound work, of the workers' time for work that mostly waits. Unknown when neither
  /// the run delay nor /proc/stat could be read.
  std::optional<double> taken_fraction;
  double needed_cpus = 0;        ///< CPUs the workers wanted (within the cell's capacity)
  double taken_cpus = 0;         ///< of those, CPUs that others had instead
  bool waits = false;            ///< the workers mostly wait (IO): taken is a share of their time
  double throttled_seconds = 0;  ///< the cgroup's quota held runnable threads back
  std::uint64_t throttled_periods = 0;
  std::uint64_t quota_periods = 0;  ///< quota periods that passed (0 = no quota seen)
  std::string source;               ///< "run delay" (schedstat), "cpu totals" (/proc/stat) or ""
};

/// One repetition of one cell.
struct Sample {
  unsigned repetition = 0;
  bool ok = true;
  std::string error;           ///< why it failed ("worker 1 killed by SIGKILL", ...)
  double wall_seconds = 0;     ///< the work only, start signal to last worker done
  double startup_seconds = 0;  ///< launching workers until all are ready
  double cpu_seconds = 0;      ///< user + system CPU of the workers during the work
  /// Time the workers were runnable but waited for a CPU (the kernel's run delay).
  std::optional<double> wait_seconds;
  std::int64_t voluntary_switches = 0;
  std::int64_t involuntary_switches = 0;
  std::uint64_t ops = 0;
  std::uint64_t checksum = 0;
  /// Convoy cells: ops the CPU-bound workers finished beside the IO thread.
  std::uint64_t background_ops = 0;
  /// Convoy cells: the CPU workers' ops per second alone (no IO thread), measured right
  /// after this repetition under the same conditions; 0 when not measured.
  double background_alone_ops_per_second = 0;
  std::vector<double> latency_seconds;  ///< per-op latencies (IO workloads), maybe sampled
  /// The workers' memory: for worker processes the sum of each one's peak resident set and
  /// of their proportional set sizes at the end of their ops; for threads (and a loop) the
  /// process's own, peak since the repetition began. Unknown where /proc lacks them.
  std::optional<std::uint64_t> peak_rss_bytes;
  std::optional<std::uint64_t> pss_bytes;
  /// `async` cells: how late tasks ran after they became ready (seconds), maybe sampled.
  std::vector<double> loop_lag_seconds;
  /// Cells that move data (--input-size, --result-size): bytes copied between buffers or
  /// processes, and the time spent copying them, apart from compute; for worker processes
  /// their minor page faults during the ops (a fork's copy-on-write input).
  std::optional<std::uint64_t> bytes_copied;
  std::optional<double> move_seconds;
  std::optional<std::int64_t> minor_faults;
  /// Start method forkserver: starting the server, before any worker (startup_seconds is
  /// then the workers' start-up alone).
  std::optional<double> server_startup_seconds;
  std::optional<GilMetrics> gil;
  /// The lock's timeline (bench --timeline/--trace/--html, last repetition only).
  std::vector<GilEvent> gil_events;
  NoiseReading noise;
  SampleInterference interference;
  /// mpi cells: the host each rank ran on, in rank order (empty for the other modes).
  std::vector<std::string> worker_hosts;
};

struct CellKey {
  std::string workload;
  Mode mode = Mode::Single;
  unsigned workers = 1;
  std::optional<std::chrono::nanoseconds> switch_interval;  ///< gil cells only
  /// --shared: the fraction of ops that update the one shared counter (none without it).
  std::optional<double> shared_fraction;
};

struct GilSummary {
  double switches_per_second = 0;
  double mean_hold_seconds = 0;
  double p50_hold_seconds = 0;
  double p95_hold_seconds = 0;
  double max_hold_seconds = 0;
  double wait_seconds = 0;  ///< total waiting time per repetition (median)
  std::uint64_t drop_requests = 0;
  std::uint64_t forced_switches = 0;
};

/// A cell's interference over its repetitions (medians), and what it means for the result.
struct CellInterference {
  std::optional<double> taken_fraction;
  double needed_cpus = 0;
  double taken_cpus = 0;
  bool waits = false;
  double throttled_seconds = 0;  ///< per repetition
  double wall_seconds = 0;       ///< per repetition, for the throttling text
  std::uint64_t quota_periods = 0;
  /// Non-empty when the interference could have changed the result: "others took 0.4 of
  /// the 2 CPUs this cell needed".
  std::string mark;
  /// Non-empty when a quota held the workers back: "throttled 38 ms of 200 ms".
  std::string throttling;
  /// Limits of the measurement ("each repetition spans 2 quota periods; ...").
  std::vector<std::string> notes;
};

/// One cell: workload × mode × workers (× switch interval).
struct CellResult {
  CellKey key;
  WorkloadKind kind = WorkloadKind::Cpu;
  std::uint64_t total_ops = 0;
  std::vector<Sample> samples;  ///< measured repetitions (warm-up excluded)
  bool failed = false;
  std::string error;
  Summary wall;
  Summary throughput;  ///< ops per second
  Summary cores_used;  ///< cpu_seconds / wall_seconds
  Summary startup;
  std::optional<Ratio> speedup;      ///< single's wall / this wall
  std::optional<double> efficiency;  ///< speedup / workers
  double voluntary_switches = 0;     ///< median per repetition
  double involuntary_switches = 0;
  std::optional<LatencySummary> latency;
  /// Medians over the repetitions of the samples' peak_rss_bytes and pss_bytes.
  std::optional<double> peak_rss_bytes;
  std::optional<double> pss_bytes;
  /// Medians over the repetitions of the samples' data movement and server start-up.
  std::optional<double> bytes_copied;
  std::optional<double> move_seconds;
  std::optional<double> minor_faults;
  std::optional<double> server_startup_seconds;
  /// Async cells: how late ready tasks ran, over every repetition's sampled lags.
  std::optional<LatencySummary> loop_lag;
  std::optional<GilSummary> gil;
  bool checksum_ok = true;  ///< every repetition's checksum equals the expected total
  std::uint64_t expected_checksum = 0;
  CellInterference interference;
  bool busy = false;  ///< interference.mark is set: others could have changed the result
  /// Convoy cells: ops run for a fixed time, so op counts and checksums are not compared;
  /// speedup is the IO throughput against the IO thread alone (the single cell).
  bool time_bounded = false;
  std::optional<double> background_ops_per_second;  ///< the CPU workers' `count` ops/s
  /// The same CPU workers alone (same mode and count, no IO thread), median ops/s of the
  /// measurements beside each repetition.
  std::optional<double> background_alone_ops_per_second;
  /// background / alone, with the interval from the two medians' intervals.
  std::optional<Ratio> background_kept;
};

struct Finding {
  std::string topic;  ///< "cpu", "io", "noise", ...
  std::string text;   ///< one plain-language sentence
};

/// The whole run.
struct BenchReport {
  BenchConfig config;
  PlatformReport platform;
  std::string start_time;  ///< ISO 8601 UTC
  std::vector<CellResult> cells;
  std::vector<Finding> findings;
  bool interrupted = false;
  bool busy = false;  ///< any cell was busy
};

}  // namespace conc_probe
