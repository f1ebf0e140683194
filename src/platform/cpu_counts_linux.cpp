// The CPU count ladder: possible ⊇ present ⊇ online ⊇ affinity ∩ cpuset, then the cgroup
// quota, and the one number a program should size its pools by. See docs/cpu-count.md.
#include <sched.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "conc_probe/text.hpp"
#include "platform/probes.hpp"
#include "platform/topology_sysfs.hpp"

namespace conc_probe::platform {
namespace {

constexpr const char* kCpuDir = "/sys/devices/system/cpu/";
constexpr std::array kOverrideVariables{"OMP_NUM_THREADS", "PYTHON_CPU_COUNT", "GOMAXPROCS",
                                        "DOTNET_PROCESSOR_COUNT"};
/// IO-bound pools: Python's ThreadPoolExecutor default (3.8+), min(32, cpus + 4).
constexpr unsigned kIoExtraWorkers = 4;
constexpr unsigned kIoMaxWorkers = 32;
/// A fraction within this of an integer counts as that integer (2.0000001 stays 2).
constexpr double kRoundingSlack = 1e-6;
constexpr std::string_view kUsableRule =
    "ceil(usable_fraction), at least 1 (the rule of the JVM, .NET and Go 1.25)";

std::optional<CpuSet> read_list(const SysRoot& root, const std::string& file,
                                PlatformReport& report, const std::string& key) {
  const auto content = root.read(file);
  if (!content) return std::nullopt;
  auto set = CpuSet::parse(*content);
  if (set) report.sources[key] = file;
  return set;
}

/// The live affinity mask, asking with a growing mask until the kernel's cpumask fits
/// (machines with more than 1024 possible CPUs need more than the default cpu_set_t).
std::optional<CpuSet> live_affinity() {
  for (std::size_t count = 1024; count <= (std::size_t{1} << 20); count *= 2) {
    const auto size = CPU_ALLOC_SIZE(count);
    std::unique_ptr<cpu_set_t, decltype(&::free)> mask(CPU_ALLOC(count), &::free);
    if (!mask) return std::nullopt;
    if (::sched_getaffinity(0, size, mask.get()) != 0) {
      if (errno == EINVAL) continue;
      return std::nullopt;
    }
    std::vector<unsigned> cpus;
    for (std::size_t cpu = 0; cpu < count; ++cpu) {
      if (CPU_ISSET_S(cpu, size, mask.get())) cpus.push_back(static_cast<unsigned>(cpu));
    }
    return CpuSet{std::move(cpus)};
  }
  return std::nullopt;
}

/// Cpus_allowed_list from a dumped /proc/self/status.
std::optional<CpuSet> status_affinity(const SysRoot& root) {
  const auto status = root.read("/proc/self/status");
  if (!status) return std::nullopt;
  constexpr std::string_view kKey = "Cpus_allowed_list:";
  for (const auto line : text::split(*status, '\n')) {
    if (line.starts_with(kKey)) return CpuSet::parse(line.substr(kKey.size()));
  }
  return std::nullopt;
}

void probe_affinity(const SysRoot& root, PlatformReport& report) {
  if (root.is_live()) {
    report.cpu.affinity = live_affinity();
    if (report.cpu.affinity) report.sources["cpu.affinity"] = "sched_getaffinity(0)";
    return;
  }
  report.cpu.affinity = status_affinity(root);
  if (report.cpu.affinity) report.sources["cpu.affinity"] = "/proc/self/status Cpus_allowed_list";
}

void derive_offline(const SysRoot& root, PlatformReport& report) {
  auto& cpu = report.cpu;
  if (cpu.present && cpu.online) {
    cpu.offline = cpu.present->minus(*cpu.online);
    report.sources["cpu.offline"] = "present minus online";
    return;
  }
  cpu.offline = read_list(root, std::string(kCpuDir) + "offline", report, "cpu.offline");
}

/// |online ∩ affinity ∩ cpuset|, ignoring the sets that are unknown.
std::optional<unsigned> count_usable(const CpuCounts& cpu) {
  std::optional<CpuSet> usable;
  for (const auto* set : {&cpu.online, &cpu.affinity, &cpu.cgroup_cpuset}) {
    if (!*set) continue;
    usable = usable ? usable->intersect(**set) : **set;
  }
  if (!usable) return std::nullopt;
  return static_cast<unsigned>(usable->size());
}

void collect_overrides(const Environment& env, CpuCounts& cpu) {
  for (const char* name : kOverrideVariables) {
    if (auto it = env.find(name); it != env.end()) cpu.overrides[name] = it->second;
  }
}

/// Rounds a CPU capacity up: a quota of 1.5 CPUs lets 2 workers spend the whole budget.
unsigned round_usable(double fraction) {
  const double nearest = std::round(fraction);
  const double rounded =
      std::fabs(fraction - nearest) < kRoundingSlack ? nearest : std::ceil(fraction);
  return static_cast<unsigned>(std::max(1.0, rounded));
}

}  // namespace

void probe_cpu_lists(const SysRoot& root, PlatformReport& report) {
  const std::string dir = kCpuDir;
  report.cpu.possible = read_list(root, dir + "possible", report, "cpu.possible");
  report.cpu.present = read_list(root, dir + "present", report, "cpu.present");
  report.cpu.online = read_list(root, dir + "online", report, "cpu.online");
  if (!report.cpu.online || !report.cpu.present) {
    // Kernels before 2.6.2x have neither list: the cpuN directories are the CPUs the
    // kernel knows, and a cpuN/online file holding 0 marks one offline.
    auto dirs = topology::cpu_directories(root);
    if (!dirs.all.empty() && !report.cpu.present) {
      report.cpu.present = std::move(dirs.all);
      report.sources["cpu.present"] = dir + "cpu* (directories)";
    }
    if (!dirs.online.empty() && !report.cpu.online) {
      report.cpu.online = std::move(dirs.online);
      report.sources["cpu.online"] = dir + "cpu*/online (0 = offline, missing = online)";
    }
  }
  derive_offline(root, report);
  probe_affinity(root, report);
}

void derive_usable(const Environment& env, PlatformReport& report) {
  auto& cpu = report.cpu;
  collect_overrides(env, cpu);
  if (!cpu.overrides.empty()) report.sources["cpu.overrides"] = "environment";
  cpu.usable_cpus = count_usable(cpu);
  if (!cpu.usable_cpus) return;
  report.sources["cpu.usable_cpus"] = "|online ∩ affinity ∩ cgroup cpuset| (unknown sets ignored)";
  double fraction = static_cast<double>(*cpu.usable_cpus);
  if (cpu.cgroup_quota) fraction = std::min(fraction, *cpu.cgroup_quota);
  cpu.usable_fraction = fraction;
  report.sources["cpu.usable_fraction"] = "min(usable_cpus, cgroup_quota)";
  cpu.usable = round_usable(fraction);
  report.sources["cpu.usable"] = std::string(kUsableRule);
  cpu.recommended_cpu_workers = *cpu.usable;
  report.sources["cpu.recommended_cpu_workers"] = "usable";
  cpu.recommended_io_workers = std::min(kIoMaxWorkers, *cpu.usable + kIoExtraWorkers);
  report.sources["cpu.recommended_io_workers"] = "min(32, usable + 4)";
}

}  // namespace conc_probe::platform
