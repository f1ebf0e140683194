#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

constexpr double kScales = 1.3;   // a speed-up below this is "no speed-up"
constexpr double kKeepsUp = 0.7;  // gil within 70% of threads "keeps up"

constexpr double kImpossible = 1.15;  // a CPU-bound speed-up this far above the CPUs is noise

/// The speed-up of `mode` at the largest worker count of `workload` up to `max_workers`
/// (first switch interval for gil), if that cell succeeded.
std::optional<double> speedup_of(const BenchReport& report, const std::string& workload, Mode mode,
                                 unsigned& workers, unsigned max_workers = ~0U) {
  const CellResult* best = nullptr;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != workload || cell.key.mode != mode || cell.failed || !cell.speedup)
      continue;
    if (cell.key.workers > max_workers) continue;
    if (best == nullptr || cell.key.workers > best->key.workers) best = &cell;
  }
  if (best == nullptr) return std::nullopt;
  workers = std::max(workers, best->key.workers);
  return best->speedup->estimate;
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

std::string conclusion(WorkloadKind kind, const std::map<Mode, double>& speedups) {
  double best = 0;
  for (const auto& [mode, value] : speedups) best = std::max(best, value);
  const auto get = [&](Mode mode) { return speedups.count(mode) ? speedups.at(mode) : 0.0; };
  const bool gil_lags = speedups.count(Mode::Gil) && get(Mode::Gil) < kKeepsUp * best;
  if (best < kScales) return "no mode ran faster than one thread on this machine.";
  if (kind == WorkloadKind::Io) {
    return gil_lags ? "the lock's hand-overs cost IO throughput here; prefer processes."
                    : "waits overlap: for IO, threads work even with a GIL.";
  }
  if (gil_lags)
    return kind == WorkloadKind::Cpu ? "with a GIL, use processes for CPU work."
                                     : "the compute part holds the GIL: processes help.";
  return "threads and processes both scale.";
}

/// The convoy: the IO thread's throughput beside CPU workers against alone, per mode (the
/// first gil switch interval, the largest worker count).
std::optional<Finding> convoy_finding(const BenchReport& report) {
  const auto first = std::find_if(report.cells.begin(), report.cells.end(),
                                  [](const CellResult& c) { return c.time_bounded; });
  if (first == report.cells.end()) return std::nullopt;
  unsigned workers = 1;
  std::string parts;
  std::optional<double> gil, others;
  for (const Mode mode : {Mode::Gil, Mode::Threads, Mode::Process}) {
    if (const auto value = speedup_of(report, first->key.workload, mode, workers)) {
      parts +=
          fmt::format("{}{} {:.0f}%", parts.empty() ? "" : ", ", to_string(mode), *value * 100);
      if (mode == Mode::Gil) {
        gil = *value;
      } else {
        others = std::min(*value, others.value_or(*value));
      }
    }
  }
  if (parts.empty()) return std::nullopt;
  const bool convoy = gil && *gil < 0.5 && (!others || *others > 2 * *gil);
  return Finding{"convoy",
                 fmt::format("Convoy ({}, {} CPU workers): the IO thread kept {} of its throughput "
                             "alone -> {}",
                             first->key.workload, workers, parts,
                             convoy ? "only the lock starves it: each blocking call waits for the "
                                      "lock, up to a switch interval."
                                    : "no convoy effect measured here.")};
}

/// The CPUs the run could use: its --cpus list, else the probe's usable capacity (quota
/// included), if known.
std::optional<double> cpu_capacity(const BenchReport& report) {
  if (report.config.cpus) return static_cast<double>(report.config.cpus->size());
  const auto& cpu = report.platform.cpu;
  if (cpu.usable_fraction) return *cpu.usable_fraction;
  if (cpu.usable_cpus) return static_cast<double>(*cpu.usable_cpus);
  return std::nullopt;
}

/// The worker count a finding about `kind` speaks of: for CPU-bound work the largest count
/// that fits the CPUs (more workers than CPUs only timeshare them), otherwise all counts.
unsigned finding_workers(const BenchReport& report, const std::string& workload,
                         WorkloadKind kind) {
  const auto capacity = cpu_capacity(report);
  if (kind != WorkloadKind::Cpu || !capacity) return ~0U;
  const auto fitting = static_cast<unsigned>(std::max(1.0, std::ceil(*capacity)));
  const bool any_fits =
      std::any_of(report.cells.begin(), report.cells.end(), [&](const CellResult& c) {
        return c.key.workload == workload && c.key.mode != Mode::Single &&
               c.key.workers <= fitting && c.speedup;
      });
  return any_fits ? fitting : ~0U;
}

std::optional<Finding> kind_finding(const BenchReport& report, WorkloadKind kind) {
  const auto first =
      std::find_if(report.cells.begin(), report.cells.end(),
                   [&](const CellResult& c) { return c.kind == kind && !c.time_bounded; });
  if (first == report.cells.end()) return std::nullopt;
  const std::string& workload = first->key.workload;
  const unsigned max_workers = finding_workers(report, workload, kind);
  std::map<Mode, double> speedups;
  unsigned workers = 1;
  std::string parts;
  double highest = 0;
  for (const Mode mode : {Mode::Process, Mode::Threads, Mode::Gil}) {
    if (const auto value = speedup_of(report, workload, mode, workers, max_workers)) {
      speedups[mode] = *value;
      highest = std::max(highest, *value);
      parts += fmt::format("{}{} {:.1f}x", parts.empty() ? "" : ", ", to_string(mode), *value);
    }
  }
  if (speedups.empty()) return std::nullopt;
  std::string text = fmt::format("{} ({}, {} workers): {} -> {}", kind_label(kind), workload,
                                 workers, parts, conclusion(kind, speedups));
  const auto capacity = cpu_capacity(report);
  if (kind == WorkloadKind::Cpu && capacity && highest > kImpossible * *capacity) {
    text += fmt::format(
        " Note: {:.1f}x is more than {:g} CPUs can give CPU-bound work; the single cell "
        "ran slow (see the busy marks), so these speed-ups overstate.",
        highest, *capacity);
  }
  return Finding{std::string(to_string(kind)), text};
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

/// Start-up cost of processes against threads at the same (largest) worker count.
std::optional<Finding> startup_finding(const BenchReport& report) {
  const CellResult* process = largest_cell(report, Mode::Process, nullptr);
  const CellResult* threads = process ? largest_cell(report, Mode::Threads, process) : nullptr;
  if (threads == nullptr) return std::nullopt;
  return Finding{"startup",
                 fmt::format("Start-up of {} workers: processes ({}) {:.2f} ms, threads {:.2f} ms.",
                             process->key.workers, to_string(report.config.start_method),
                             process->startup.median * 1e3, threads->startup.median * 1e3)};
}

}  // namespace

std::vector<Finding> make_findings(const BenchReport& report) {
  std::vector<Finding> findings;
  for (const auto kind : {WorkloadKind::Cpu, WorkloadKind::Io, WorkloadKind::Mixed}) {
    if (auto finding = kind_finding(report, kind)) findings.push_back(std::move(*finding));
  }
  if (auto finding = convoy_finding(report)) findings.push_back(std::move(*finding));
  if (auto finding = startup_finding(report)) findings.push_back(std::move(*finding));
  const auto failed = std::count_if(report.cells.begin(), report.cells.end(),
                                    [](const CellResult& c) { return c.failed; });
  if (failed > 0)
    findings.push_back({"failures", fmt::format("{} cell(s) failed; see their errors.", failed)});
  if (report.busy) {
    findings.push_back({"noise",
                        "The machine was busy (other processes' CPU or steal time) during some "
                        "repetitions: those cells are marked busy; treat them with care."});
  }
  if (report.interrupted)
    findings.push_back({"interrupted", "The run was interrupted; results are partial."});
  return findings;
}

}  // namespace conc_probe::engine
