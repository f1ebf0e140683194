// Plain-language findings, each computed from figures in the same report and quoting them
// with their intervals; where the data cannot carry a conclusion, the finding says why
// instead of giving one. Rules and thresholds: docs/methodology.md ("Findings").
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

constexpr double kScales = 1.3;       // a speed-up whose whole interval is above this scales
constexpr double kKeepsUp = 0.7;      // gil within 70% of threads "keeps up"
constexpr double kImpossible = 1.15;  // a CPU-bound speed-up this far above the CPUs is noise
constexpr double kStarved = 0.8;      // a CPU-bound single cell below this many cores starved
constexpr double kConvoyKept = 0.9;   // the IO thread keeping 90% of its alone rate is fine

/// "1.9× [1.8, 2.0]".
std::string with_interval(const Ratio& r) {
  return fmt::format("{:.2g}\xC3\x97 [{:.2g}, {:.2g}]", r.estimate, r.ci_low, r.ci_high);
}

std::string percent_interval(const Ratio& r) {
  return fmt::format("{:.0f}% [{:.0f}, {:.0f}]", r.estimate * 100, r.ci_low * 100, r.ci_high * 100);
}

std::string kind_label(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::Cpu:
      return "CPU-bound";
    case WorkloadKind::Io:
      return "IO-bound";
    case WorkloadKind::Mixed:
      return "Mixed";
  }
  return "?";
}

/// The CPUs the run could use: its --cpus list (within the quota), else the probe's
/// usable capacity (quota included), if known.
std::optional<double> cpu_capacity(const BenchReport& report) {
  const auto& cpu = report.platform.cpu;
  if (report.config.cpus) {
    const auto cpus = static_cast<double>(report.config.cpus->size());
    return std::min(cpus, cpu.cgroup_quota.value_or(cpus));
  }
  if (cpu.usable_fraction) return *cpu.usable_fraction;
  if (cpu.usable_cpus) return static_cast<double>(*cpu.usable_cpus);
  return std::nullopt;
}

const CellResult* find_cell(const BenchReport& report, const std::string& workload, Mode mode,
                            unsigned workers) {
  for (const auto& cell : report.cells) {
    if (cell.key.workload == workload && cell.key.mode == mode && cell.key.workers == workers)
      return &cell;
  }
  return nullptr;
}

/// The cell of `mode` with the most workers up to `max_workers` (first switch interval for
/// gil) that has a speed-up.
const CellResult* best_cell(const BenchReport& report, const std::string& workload, Mode mode,
                            unsigned max_workers) {
  const CellResult* best = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != workload || cell.key.mode != mode || cell.failed || !cell.speedup)
      continue;
    if (cell.key.workers > max_workers) continue;
    if (best == nullptr || cell.key.workers > best->key.workers) best = &cell;
  }
  return best;
}

/// The worker count a finding about `kind` speaks of: for CPU-bound work the largest count
/// that fits the CPUs (more workers than CPUs only timeshare them), otherwise all counts.
unsigned finding_workers(const BenchReport& report, const std::string& workload,
                         WorkloadKind kind) {
  const auto capacity = cpu_capacity(report);
  if (kind != WorkloadKind::Cpu || !capacity) return ~0U;
  const auto fitting = static_cast<unsigned>(std::max(1.0, std::ceil(*capacity - 1e-9)));
  const bool any_fits =
      std::any_of(report.cells.begin(), report.cells.end(), [&](const CellResult& c) {
        return c.key.workload == workload && c.key.mode != Mode::Single &&
               c.key.workers <= fitting && c.speedup;
      });
  return any_fits ? fitting : ~0U;
}

std::string joined(const std::vector<std::string>& parts, const char* separator = ", ") {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

struct Measured {
  Mode mode;
  const CellResult* cell;
};

bool scales(const CellResult& c) { return c.speedup->ci_low >= kScales; }
bool flat(const CellResult& c) { return c.speedup->ci_high < kScales; }
bool lags(const CellResult& gil, const CellResult& other) {
  return gil.speedup->ci_high < kKeepsUp * other.speedup->ci_low;
}

/// Why these cells cannot carry a conclusion, or "".
std::string doubt(const std::vector<Measured>& measured, const CellResult* single,
                  WorkloadKind kind, std::optional<double> capacity) {
  std::vector<std::string> busy;
  if (single != nullptr && single->busy) busy.push_back("single");
  for (const auto& m : measured) {
    if (m.cell->busy) busy.push_back(std::string(to_string(m.mode)));
  }
  if (!busy.empty()) {
    return fmt::format(
        "cannot conclude: others took CPU that the {} cell(s) needed (marked BUSY); rerun on a "
        "quieter machine, or judge changes with compare, which credits that",
        joined(busy, ", "));
  }
  if (kind == WorkloadKind::Cpu && single != nullptr && single->cores_used.n > 0 &&
      single->cores_used.median < kStarved) {
    return fmt::format(
        "cannot conclude: the single cell got {:.2f} of a CPU, so the baseline itself starved",
        single->cores_used.median);
  }
  if (kind == WorkloadKind::Cpu && capacity) {
    for (const auto& m : measured) {
      const double could = std::min(static_cast<double>(m.cell->key.workers), *capacity);
      if (m.mode != Mode::Gil && m.cell->cores_used.n > 0 &&
          m.cell->cores_used.median < kStarved * could) {
        return fmt::format(
            "cannot conclude: {}\xC3\x97{} got {:.2f} CPUs of the {:g} it could use, so "
            "something held its workers back",
            to_string(m.mode), m.cell->key.workers, m.cell->cores_used.median, could);
      }
    }
  }
  const bool all_decided = std::all_of(measured.begin(), measured.end(), [](const Measured& m) {
    return scales(*m.cell) || flat(*m.cell);
  });
  if (!all_decided) {
    return fmt::format(
        "cannot conclude: an interval straddles {:g}\xC3\x97, the line between "
        "\"scales\" and \"does not\"; more repetitions would tell",
        kScales);
  }
  return "";
}

const CellResult* of(const std::vector<Measured>& measured, Mode mode) {
  for (const auto& m : measured)
    if (m.mode == mode) return m.cell;
  return nullptr;
}

std::string conclusion(WorkloadKind kind, const std::vector<Measured>& measured,
                       std::optional<double> capacity) {
  const CellResult* gil = of(measured, Mode::Gil);
  const CellResult* threads = of(measured, Mode::Threads);
  const CellResult* process = of(measured, Mode::Process);
  const CellResult* mpi = of(measured, Mode::Mpi);
  const bool any_scales = std::any_of(measured.begin(), measured.end(),
                                      [](const Measured& m) { return scales(*m.cell); });
  if (!any_scales) {
    return capacity && *capacity >= 2
               ? fmt::format(
                     "no mode ran faster than one thread, although {:g} CPUs were usable "
                     "and no cell was marked busy.",
                     *capacity)
               : "no mode ran faster than one thread: this run had one CPU to give.";
  }
  const CellResult* best_free = nullptr;  // the best measured mode without the lock
  for (const CellResult* c : {process, threads, mpi}) {
    if (c != nullptr && scales(*c) &&
        (best_free == nullptr || c->speedup->estimate > best_free->speedup->estimate))
      best_free = c;
  }
  const std::string best_name =
      best_free != nullptr ? std::string(to_string(best_free->key.mode)) : "";
  if (kind == WorkloadKind::Io) {
    if (gil != nullptr && best_free != nullptr && lags(*gil, *best_free))
      return "the lock's hand-overs cost IO throughput here; " + best_name + " did better.";
    return gil != nullptr && scales(*gil)
               ? "waits overlap: for IO, threads work even with a GIL."
               : "waits overlap: the workers' blocking calls run side by side.";
  }
  if (gil != nullptr && flat(*gil)) {
    if (process != nullptr && scales(*process))
      return kind == WorkloadKind::Cpu ? "with a GIL, use processes for CPU work."
                                       : "the compute part holds the GIL: processes help.";
    return "the GIL serialises the compute: threads under it do not scale" +
           std::string(process == nullptr ? " (add --mode process to measure processes)." : ".");
  }
  if (threads != nullptr && process != nullptr && scales(*threads) && scales(*process))
    return "threads and processes both scale.";
  return best_name.empty() ? "some modes scale." : best_name + " scales.";
}

std::optional<Finding> kind_finding(const BenchReport& report, WorkloadKind kind) {
  const auto first =
      std::find_if(report.cells.begin(), report.cells.end(),
                   [&](const CellResult& c) { return c.kind == kind && !c.time_bounded; });
  if (first == report.cells.end()) return std::nullopt;
  const std::string& workload = first->key.workload;
  const unsigned max_workers = finding_workers(report, workload, kind);
  std::vector<Measured> measured;
  std::vector<std::string> parts;
  unsigned workers = 1;
  for (const Mode mode : {Mode::Process, Mode::Threads, Mode::Gil, Mode::Mpi}) {
    if (const CellResult* cell = best_cell(report, workload, mode, max_workers)) {
      measured.push_back({mode, cell});
      workers = std::max(workers, cell->key.workers);
      parts.push_back(std::string(to_string(mode)) + " " + with_interval(*cell->speedup));
    }
  }
  if (measured.empty()) return std::nullopt;
  const CellResult* single = find_cell(report, workload, Mode::Single, 1);
  const auto capacity = cpu_capacity(report);
  const std::string why_not = doubt(measured, single, kind, capacity);
  std::string text =
      fmt::format("{} ({}, {} workers): {} -> {}", kind_label(kind), workload, workers,
                  joined(parts), why_not.empty() ? conclusion(kind, measured, capacity) : why_not);
  if (kind == WorkloadKind::Cpu && capacity) {
    // The single cell gets min(1, capacity) CPUs: the most a speed-up can be is the ratio.
    const double most = *capacity / std::min(1.0, *capacity);
    for (const auto& m : measured) {
      if (m.cell->speedup->ci_low > kImpossible * most) {
        text += fmt::format(
            " Note: {:.2g}\xC3\x97 is more than {:g} CPUs can give CPU-bound work; the single "
            "cell ran slow, so these speed-ups overstate.",
            m.cell->speedup->ci_low, most);
        break;
      }
    }
  }
  return Finding{std::string(to_string(kind)), text};
}

/// Under a fractional CPU quota, the worker counts the two rounding rules pick.
std::optional<Finding> quota_finding(const BenchReport& report) {
  const auto quota = report.platform.cpu.cgroup_quota;
  if (!quota || std::fabs(*quota - std::round(*quota)) < 0.05) return std::nullopt;
  const auto floor_workers = static_cast<unsigned>(std::max(1.0, std::floor(*quota)));
  const auto ceil_workers = static_cast<unsigned>(std::ceil(*quota));
  const auto first = std::find_if(report.cells.begin(), report.cells.end(), [](const auto& c) {
    return c.kind == WorkloadKind::Cpu && !c.time_bounded;
  });
  if (first == report.cells.end()) return std::nullopt;
  for (const Mode mode : {Mode::Process, Mode::Threads}) {
    const CellResult* low = find_cell(report, first->key.workload, mode, floor_workers);
    const CellResult* high = find_cell(report, first->key.workload, mode, ceil_workers);
    if (low == nullptr || high == nullptr || low == high || !low->speedup || !high->speedup ||
        low->failed || high->failed)
      continue;
    std::string verdict;
    if (high->speedup->ci_low > low->speedup->ci_high) {
      verdict = fmt::format("rounding up ({}) uses the quota's fraction", ceil_workers);
    } else if (high->speedup->ci_high < low->speedup->ci_low) {
      verdict = fmt::format("rounding down ({}) avoids the throttling", floor_workers);
    } else {
      verdict = "the intervals overlap: either count does as well";
    }
    return Finding{"quota",
                   fmt::format("CPU quota of {:g} CPUs ({}, {}): {}\xC3\x97{} {} vs {}\xC3\x97{} "
                               "{} -> {}.",
                               *quota, first->key.workload, to_string(mode), to_string(mode),
                               floor_workers, with_interval(*low->speedup), to_string(mode),
                               ceil_workers, with_interval(*high->speedup), verdict)};
  }
  return std::nullopt;
}

/// The convoy: per mode at its largest worker count, the IO thread's throughput against
/// its own alone (the single cell) and the CPU workers' rate against theirs alone
/// (measured beside each repetition), with what starved the IO thread.
std::optional<Finding> convoy_finding(const BenchReport& report) {
  const auto first = std::find_if(report.cells.begin(), report.cells.end(),
                                  [](const CellResult& c) { return c.time_bounded; });
  if (first == report.cells.end()) return std::nullopt;
  const auto capacity = cpu_capacity(report);
  std::vector<std::string> parts;
  for (const Mode mode : {Mode::Gil, Mode::Threads, Mode::Process}) {
    const CellResult* cell = best_cell(report, first->key.workload, mode, ~0U);
    if (cell == nullptr) continue;
    std::string part =
        fmt::format("{}\xC3\x97{}: the IO thread kept {} of its throughput alone", to_string(mode),
                    cell->key.workers, percent_interval(*cell->speedup));
    if (cell->background_kept)
      part +=
          fmt::format(", the CPU workers {} of theirs", percent_interval(*cell->background_kept));
    std::string cause;
    if (cell->busy) {
      cause = "others took CPU it needed (BUSY): cannot tell";
    } else if (cell->speedup->ci_high < kConvoyKept) {
      const bool crowded = capacity && static_cast<double>(cell->key.workers) + 1 > *capacity;
      if (mode == Mode::Gil) {
        cause =
            "starved by the lock: each blocking call gives it away and waits up to a switch "
            "interval to get it back";
      } else if (crowded) {
        cause = fmt::format(
            "starved by more runnable threads than CPUs ({} beside it on {:g}): it waits for a "
            "CPU after each wake-up",
            cell->key.workers, *capacity);
      } else {
        cause = "starved, though there were CPUs to spare";
      }
    } else if (cell->speedup->ci_low >= kConvoyKept) {
      cause = "not starved";
    } else {
      cause = "the interval is too wide to tell";
    }
    parts.push_back(fmt::format("{} -> {}", part, cause));
  }
  if (parts.empty()) return std::nullopt;
  return Finding{"convoy",
                 fmt::format("Convoy ({}): {}.", first->key.workload, joined(parts, "; "))};
}

/// The successful cell of `mode` with the most workers of the first workload, if any.
const CellResult* largest_cell(const BenchReport& report, Mode mode, const CellResult* like) {
  const CellResult* best = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.key.mode != mode || cell.failed || cell.startup.n == 0) continue;
    if (like != nullptr &&
        (cell.key.workload != like->key.workload || cell.key.workers != like->key.workers))
      continue;
    if (best == nullptr || cell.key.workers > best->key.workers) best = &cell;
  }
  return best;
}

std::string ms_interval(const Summary& s) {
  return fmt::format("{:.2f} ms [{:.2f}, {:.2f}]", s.median * 1e3, s.ci_low * 1e3, s.ci_high * 1e3);
}

/// Start-up cost of processes (and MPI ranks) against threads at the same (largest) count.
std::optional<Finding> startup_finding(const BenchReport& report) {
  const CellResult* process = largest_cell(report, Mode::Process, nullptr);
  const CellResult* anchor =
      process != nullptr ? process : largest_cell(report, Mode::Mpi, nullptr);
  const CellResult* threads = anchor ? largest_cell(report, Mode::Threads, anchor) : nullptr;
  if (threads == nullptr) return std::nullopt;
  const CellResult* mpi = largest_cell(report, Mode::Mpi, anchor);
  std::vector<std::string> parts;
  if (process != nullptr && process->server_startup_seconds) {
    parts.push_back(fmt::format("processes (forkserver) {:.2f} ms for the server, then {}",
                                *process->server_startup_seconds * 1e3,
                                ms_interval(process->startup)));
  } else if (process != nullptr) {
    parts.push_back(fmt::format("processes ({}) {}", to_string(report.config.start_method),
                                ms_interval(process->startup)));
  }
  if (mpi != nullptr) {
    parts.push_back(fmt::format("MPI ranks {}", ms_interval(mpi->startup)));
  }
  parts.push_back("threads " + ms_interval(threads->startup));
  std::string text =
      fmt::format("Start-up of {} workers: {}.", anchor->key.workers, joined(parts, ", "));
  if (mpi != nullptr)
    text +=
        " An MPI rank's start-up is MPI_Init's wire-up of the job to the first barrier, paid once "
        "per job rather than per worker.";
  return Finding{"startup", text};
}

/// The most ranks of one of the cell's hosts (its first sample's), else its rank count.
unsigned ranks_per_host(const CellResult& cell) {
  if (cell.samples.empty() || cell.samples.front().worker_hosts.empty()) return cell.key.workers;
  const auto& hosts = cell.samples.front().worker_hosts;
  unsigned most = 0;
  for (const auto& host : hosts)
    most = std::max(most, static_cast<unsigned>(std::count(hosts.begin(), hosts.end(), host)));
  return most;
}

std::string seconds_text(double seconds) {
  return seconds >= 1e-3 ? fmt::format("{:.3g} ms", seconds * 1e3)
                         : fmt::format("{:.3g} us", seconds * 1e6);
}

/// What one oversubscribed mpi cell showed, beside the largest mpi cell of its workload
/// that fitted the CPUs.
std::string cliff_part(const BenchReport& report, const CellResult& over, double capacity) {
  const CellResult* fitting = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != over.key.workload || cell.key.mode != Mode::Mpi || cell.failed ||
        static_cast<double>(ranks_per_host(cell)) > capacity + 1e-9)
      continue;
    if (fitting == nullptr || cell.key.workers > fitting->key.workers) fitting = &cell;
  }
  const auto figures = [&](const CellResult& c) {
    if (c.kind == WorkloadKind::Cpu && c.speedup) return with_interval(*c.speedup);
    if (c.latency)
      return fmt::format("p50 {} / p99 {}", seconds_text(c.latency->p50),
                         seconds_text(c.latency->p99));
    return c.speedup ? with_interval(*c.speedup) : std::string("-");
  };
  std::string part =
      fmt::format("{}: mpi\xC3\x97{} {}", over.key.workload, over.key.workers, figures(over));
  if (fitting != nullptr)
    part += fmt::format(" against mpi\xC3\x97{} {}", fitting->key.workers, figures(*fitting));
  return part;
}

/// MPI ranks beyond the usable CPUs of a host: what that does to CPU-bound speed-up and to
/// ranks that wait on each other.
std::optional<Finding> oversubscription_finding(const BenchReport& report) {
  const auto capacity = cpu_capacity(report);
  if (!capacity) return std::nullopt;
  std::vector<std::string> parts;
  unsigned most = 0;
  for (const auto& cell : report.cells) {
    if (cell.key.mode != Mode::Mpi || cell.failed) continue;
    const unsigned ranks = ranks_per_host(cell);
    if (static_cast<double>(ranks) <= *capacity + 1e-9) continue;
    most = std::max(most, ranks);
    parts.push_back(cliff_part(report, cell, *capacity));
  }
  if (parts.empty()) return std::nullopt;
  return Finding{
      "oversubscribed",
      fmt::format(
          "Oversubscribed: up to {} MPI ranks on a host with {:g} usable CPUs ({}). Ranks "
          "beyond the CPUs only timeshare them: CPU-bound work goes no faster than {:g} CPUs "
          "allow, and each rank's share of the time shrinks. A rank waiting in a blocking MPI "
          "call spins on its CPU, taking it from a rank that has work, and a partner that is "
          "descheduled answers only after a scheduler time slice (milliseconds, in the latency "
          "tails). Run at most {:g} ranks per host (conc-probe info under mpirun shows where "
          "they run).",
          most, *capacity, joined(parts, "; "), *capacity, std::max(1.0, std::floor(*capacity)))};
}

std::string human_size(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return fmt::format("{:.3g} GiB", bytes / 1024 / 1024 / 1024);
  if (bytes >= 1024.0 * 1024) return fmt::format("{:.3g} MiB", bytes / 1024 / 1024);
  if (bytes >= 1024.0) return fmt::format("{:.3g} KiB", bytes / 1024);
  return fmt::format("{:.0f} B", bytes);
}

/// Data that moves: what the processes copied, and the input size at which they stop
/// paying off against threads (the gil mode when it ran, as Python's threads, else plain
/// threads), estimated from the one --input-size measured: the processes' wall without
/// their copying, plus the measured copying cost per input byte, against the threads' wall.
std::optional<Finding> data_finding(const BenchReport& report) {
  const CellResult* process = largest_cell(report, Mode::Process, nullptr);
  if (process == nullptr || !process->bytes_copied || !process->move_seconds) return std::nullopt;
  const CellResult* threads = largest_cell(report, Mode::Gil, process);
  if (threads == nullptr) threads = largest_cell(report, Mode::Threads, process);
  const auto method = to_string(report.config.start_method);
  std::string text = fmt::format("Data: processes ({}) x{} copied {} in {:.2f} ms per repetition",
                                 method, process->key.workers, human_size(*process->bytes_copied),
                                 *process->move_seconds * 1e3);
  if (process->minor_faults)
    text += fmt::format(", {:.0f} minor page faults", *process->minor_faults);
  const auto input = static_cast<double>(report.config.input_size);
  if (threads != nullptr && input > 0 && process->wall.n > 0 && threads->wall.n > 0) {
    const double workers = process->key.workers;
    const double moving = *process->move_seconds / workers;  // the workers copy side by side
    const double ahead = threads->wall.median - (process->wall.median - moving);
    const std::string other =
        fmt::format("{}x{}", to_string(threads->key.mode), threads->key.workers);
    if (report.config.start_method == StartMethod::Fork) {
      text +=
          fmt::format("; a fork inherits the input, so its size does not decide against {}", other);
    } else if (ahead <= 0) {
      text +=
          fmt::format("; they do not pay off against {} at any input size, copying aside", other);
    } else if (moving > 0) {
      const double crossover = ahead / (moving / input);
      text += fmt::format(
          "; against {} they stop paying off at about {} of input (estimated from the copying "
          "cost measured at --input-size {}{})",
          other, human_size(crossover), human_size(input),
          crossover < input ? ", already passed" : "");
    }
    if (process->busy || threads->busy) {
      text += "; the machine was busy while these cells ran, so take the size as rough";
    }
  }
  return Finding{"data", text + "."};
}

std::optional<Finding> noise_finding(const BenchReport& report) {
  std::size_t busy = 0, cells = 0;
  for (const auto& cell : report.cells) {
    ++cells;
    if (cell.busy) ++busy;
  }
  if (busy == 0) return std::nullopt;
  return Finding{"noise",
                 fmt::format("Others took CPU that {} of {} cells needed (each mark says how "
                             "much): those cells' figures may be off by about that much, and "
                             "findings that rest on them say so.",
                             busy, cells)};
}

}  // namespace

std::vector<Finding> make_findings(const BenchReport& report) {
  std::vector<Finding> findings;
  for (const auto kind : {WorkloadKind::Cpu, WorkloadKind::Io, WorkloadKind::Mixed}) {
    if (auto finding = kind_finding(report, kind)) findings.push_back(std::move(*finding));
  }
  if (auto finding = quota_finding(report)) findings.push_back(std::move(*finding));
  if (auto finding = convoy_finding(report)) findings.push_back(std::move(*finding));
  if (auto finding = oversubscription_finding(report)) findings.push_back(std::move(*finding));
  if (auto finding = startup_finding(report)) findings.push_back(std::move(*finding));
  if (auto finding = data_finding(report)) findings.push_back(std::move(*finding));
  for (auto& finding : async_findings(report)) findings.push_back(std::move(finding));
  for (auto& finding : shared_findings(report)) findings.push_back(std::move(finding));
  const auto failed = std::count_if(report.cells.begin(), report.cells.end(),
                                    [](const CellResult& c) { return c.failed; });
  if (failed > 0)
    findings.push_back({"failures", fmt::format("{} cell(s) failed; see their errors.", failed)});
  if (auto finding = noise_finding(report)) findings.push_back(std::move(*finding));
  if (report.interrupted)
    findings.push_back({"interrupted", "The run was interrupted; results are partial."});
  return findings;
}

}  // namespace conc_probe::engine
