// Core types of hybrid x86 parts (P-cores and E-cores under one brand string) where the
// kernel does not list /sys/devices/cpu_core and cpu_atom (before 5.13, and in dumps).
// Live, CPUID leaf 0x1A names each CPU's core type; from files, the kinds show in the
// frequencies and caches sysfs gives per CPU. Rules: docs/topology.md, "Core kinds".
#include <sched.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "conc_probe/text.hpp"
#include "platform/topology_sysfs.hpp"

namespace conc_probe::platform::topology {
namespace {

/// A frequency counts as different from another when it is at least this much higher:
/// favoured cores (Turbo Boost Max 3.0) differ from the others by a few percent only.
constexpr double kFrequencyStep = 1.10;

std::optional<std::uint64_t> khz(const SysRoot& root, unsigned cpu, std::string_view leaf) {
  return text::parse_u64(root.read_line(cpu_path(cpu, leaf)).value_or(""));
}

/// "1:Data:48K 1:Instruction:32K 2:Unified:1280K": what the CPU's own caches look like
/// (the shared last level is left out: it is the same for every core of the package).
std::string cache_signature(const SysRoot& root, unsigned cpu) {
  std::set<std::string> parts;
  const std::string dir = cpu_path(cpu, "/cache");
  for (const auto& name : root.list(dir)) {
    if (!name.starts_with("index")) continue;
    const auto level = root.read_line(dir + "/" + name + "/level");
    if (!level || *level == "3" || *level == "4") continue;
    parts.insert(*level + ":" + root.read_line(dir + "/" + name + "/type").value_or("") + ":" +
                 root.read_line(dir + "/" + name + "/size").value_or(""));
  }
  std::string out;
  for (const auto& part : parts) out += part + " ";
  return out;
}

struct Group {
  std::vector<unsigned> cpus;
  std::optional<std::uint64_t> base;
  std::optional<std::uint64_t> max;
  std::string caches;
};

std::optional<HybridSplit> split_from_sysfs(const SysRoot& root, const CpuSet& cpus) {
  std::map<std::string, Group> groups;
  for (const unsigned cpu : cpus.cpus()) {
    const auto base = khz(root, cpu, "/cpufreq/base_frequency");
    const auto max = khz(root, cpu, "/cpufreq/cpuinfo_max_freq");
    if (!base && !max) return std::nullopt;  // no frequencies: nothing tells kinds apart
    std::string caches = cache_signature(root, cpu);
    Group& group = groups[std::to_string(base.value_or(0)) + "|" + caches];
    group.cpus.push_back(cpu);
    group.base = base;
    group.caches = std::move(caches);
    if (max && (!group.max || *max > *group.max)) group.max = max;
  }
  if (groups.size() < 2) return std::nullopt;
  // The performance kind is the one with the highest frequencies; every other group must be
  // clearly slower and have other caches, or this is one kind of core after all.
  const auto rank = [](const Group& g) { return std::pair(g.max.value_or(0), g.base.value_or(0)); };
  const Group* top = nullptr;
  for (const auto& entry : groups) {
    if (top == nullptr || rank(entry.second) > rank(*top)) top = &entry.second;
  }
  HybridSplit split;
  split.source =
      "/sys/devices/system/cpu/cpu*/{cpufreq/base_frequency,cpufreq/cpuinfo_max_freq,"
      "cache/index*/size}";
  std::vector<unsigned> efficiency;
  for (const auto& [key, group] : groups) {
    if (&group == top) continue;
    const auto slower = [&](const std::optional<std::uint64_t>& mine,
                            const std::optional<std::uint64_t>& theirs) {
      return mine && theirs &&
             static_cast<double>(*theirs) >= kFrequencyStep * static_cast<double>(*mine);
    };
    if (group.caches == top->caches ||
        !(slower(group.max, top->max) || slower(group.base, top->base)))
      return std::nullopt;
    efficiency.insert(efficiency.end(), group.cpus.begin(), group.cpus.end());
  }
  split.performance = CpuSet(top->cpus);
  split.efficiency = CpuSet(std::move(efficiency));
  return split;
}

#if defined(__x86_64__) || defined(__i386__)
/// CPUID leaf 0x1A on each CPU in turn (the calling thread is moved there and back).
std::optional<HybridSplit> split_from_cpuid(const CpuSet& cpus) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0 || (d & (1U << 15)) == 0) return std::nullopt;
  if (__get_cpuid_max(0, nullptr) < 0x1A) return std::nullopt;
  cpu_set_t original;
  CPU_ZERO(&original);
  if (::sched_getaffinity(0, sizeof original, &original) != 0) return std::nullopt;
  constexpr unsigned kCore = 0x40;  // EAX[31:24] of leaf 0x1A: Intel Core (P)
  constexpr unsigned kAtom = 0x20;  // Intel Atom (E)
  std::vector<unsigned> performance;
  std::vector<unsigned> efficiency;
  for (const unsigned cpu : cpus.cpus()) {
    if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &original)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (::sched_setaffinity(0, sizeof one, &one) != 0) continue;
    __cpuid_count(0x1A, 0, a, b, c, d);
    const unsigned type = a >> 24;
    if (type == kCore) performance.push_back(cpu);
    if (type == kAtom) efficiency.push_back(cpu);
  }
  ::sched_setaffinity(0, sizeof original, &original);
  if (performance.empty() || efficiency.empty()) return std::nullopt;
  return HybridSplit{CpuSet(std::move(performance)), CpuSet(std::move(efficiency)),
                     "CPUID leaf 0x1A (core type), per CPU"};
}
#else
std::optional<HybridSplit> split_from_cpuid(const CpuSet&) { return std::nullopt; }
#endif

}  // namespace

std::optional<HybridSplit> hybrid_split(const SysRoot& root, const CpuSet& cpus) {
#if defined(__x86_64__) || defined(__i386__)
  // Live on x86, CPUID is the authority: a part without the hybrid flag is one kind, and
  // its sysfs frequencies are not read at all.
  if (root.is_live()) return split_from_cpuid(cpus);
#endif
  return split_from_sysfs(root, cpus);
}

}  // namespace conc_probe::platform::topology
