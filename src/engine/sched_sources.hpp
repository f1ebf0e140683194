#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

/// The kernel's accounts of who waited for a CPU: a thread's run delay (schedstat) and a
/// cgroup's CPU throttling (cpu.stat), and where this process's cgroups keep them.
namespace conc_probe::engine {

/// /proc/<pid>/task/<tid>/schedstat: time on a CPU and time runnable but waiting (ns).
struct SchedStat {
  std::uint64_t run_ns = 0;
  std::uint64_t wait_ns = 0;
};

/// Parses "run_ns wait_ns timeslices"; nullopt when malformed.
std::optional<SchedStat> parse_schedstat(std::string_view text);
/// The calling thread's schedstat (/proc/thread-self/schedstat); nullopt where the kernel
/// keeps none.
std::optional<SchedStat> read_thread_schedstat();

/// CPU throttling of one cgroup: periods in which its quota ran out, and the time its
/// runnable threads were held back (summed over CPUs, as the kernel counts it).
struct Throttling {
  std::uint64_t periods = 0;
  std::uint64_t throttled_periods = 0;
  double throttled_seconds = 0;
};

/// Parses a cgroup's cpu.stat: v2 (`nr_throttled`, `throttled_usec`) or v1
/// (`nr_throttled`, `throttled_time` in ns); nullopt when it has neither.
std::optional<Throttling> parse_cpu_stat(std::string_view text);

/// The cpu.stat files of this process's cgroup and of each of its ancestors, for the
/// unified hierarchy and for a v1 `cpu` controller, from /proc/self/cgroup and
/// /proc/self/mountinfo text.
std::vector<std::filesystem::path> cpu_stat_files(std::string_view proc_self_cgroup,
                                                  std::string_view proc_self_mountinfo);
/// Same, for this process now; only the files that exist.
std::vector<std::filesystem::path> live_cpu_stat_files();

/// Each file's throttling so far, in the order of `files` (nullopt where one does not read).
std::vector<std::optional<Throttling>> read_throttling(
    const std::vector<std::filesystem::path>& files);

/// The throttling between two readings of the same files: each file's growth, and of those
/// the largest of each count (a quota anywhere above this process holds its threads back; the
/// tightest one is what it felt). Counters are compared file by file, never across files: an
/// ancestor's larger lifetime total must not hide what this run's own group went through.
/// nullopt when no file read both times.
std::optional<Throttling> throttling_between(const std::vector<std::optional<Throttling>>& before,
                                             const std::vector<std::optional<Throttling>>& after);

}  // namespace conc_probe::engine
