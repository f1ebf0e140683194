// Topology of the online CPUs: cores, packages, core kinds, NUMA nodes, caches, s390 books
// and drawers. Rules and their differences from lscpu are in docs/topology.md.
#include <algorithm>
#include <map>
#include <set>

#include "conc_probe/text.hpp"
#include "platform/cpuinfo.hpp"
#include "platform/probes.hpp"
#include "platform/topology_sysfs.hpp"

namespace conc_probe::platform {
namespace {

using topology::cpu_path;
using topology::read_cpu_set;

/// Where one online CPU sits. Cores and packages are identified by the set of CPUs they
/// hold (core_cpus_list / package_cpus_list, or their older names), which stays correct
/// where the numeric ids repeat (core_id is per package) or are -1 (POWER, SPARC, s390).
struct CpuPlace {
  unsigned cpu = 0;
  std::string core_key;
  std::optional<std::string> package_key;
  std::optional<std::string> book_key;
  std::optional<std::string> drawer_key;
  std::optional<unsigned> capacity;
  std::string kind_key;
};

std::optional<std::string> set_key(const SysRoot& root, unsigned cpu, std::string_view list,
                                   std::string_view old_list) {
  const auto dir = cpu_path(cpu, "/topology/");
  const auto mask_of = [](std::string_view name) {
    return std::string(name.substr(0, name.size() - 5));  // "x_list" → "x"
  };
  auto set = read_cpu_set(root, dir + std::string(list), dir + mask_of(list));
  if (!set && !old_list.empty()) {
    set = read_cpu_set(root, dir + std::string(old_list), dir + mask_of(old_list));
  }
  if (!set || set->empty()) return std::nullopt;
  return set->to_string();
}

std::optional<std::string> id_key(const SysRoot& root, const std::string& path) {
  const auto id = text::parse_i64(root.read_line(path).value_or(""));
  if (!id || *id < 0) return std::nullopt;
  return "#" + std::to_string(*id);
}

CpuPlace place_from_sysfs(const SysRoot& root, unsigned cpu) {
  CpuPlace place;
  place.cpu = cpu;
  place.core_key = set_key(root, cpu, "core_cpus_list", "thread_siblings_list")
                       .value_or("cpu" + std::to_string(cpu));
  place.package_key = set_key(root, cpu, "package_cpus_list", "core_siblings_list");
  if (!place.package_key) {
    place.package_key = id_key(root, cpu_path(cpu, "/topology/physical_package_id"));
  }
  place.book_key = set_key(root, cpu, "book_siblings_list", "");
  place.drawer_key = set_key(root, cpu, "drawer_siblings_list", "");
  return place;
}

// Without sysfs topology (old kernels, some dumps): x86 "physical id" / "core id".
CpuPlace place_from_cpuinfo(const Cpuinfo& info, unsigned cpu) {
  CpuPlace place;
  place.cpu = cpu;
  const auto package = info.get(cpu, "physical id");
  const auto core = info.get(cpu, "core id");
  place.core_key = (package && core) ? (*package + ":" + *core) : "cpu" + std::to_string(cpu);
  if (package) place.package_key = *package;
  return place;
}

bool has_sysfs_topology(const SysRoot& root, const CpuSet& online) {
  return std::any_of(online.cpus().begin(), online.cpus().end(), [&](unsigned cpu) {
    return root.exists(cpu_path(cpu, "/topology/thread_siblings_list")) ||
           root.exists(cpu_path(cpu, "/topology/core_cpus_list")) ||
           root.exists(cpu_path(cpu, "/topology/thread_siblings"));
  });
}

// Intel hybrid parts list their P-cores and E-cores as two PMU devices.
struct HybridSets {
  std::optional<CpuSet> performance;
  std::optional<CpuSet> efficiency;
};

HybridSets read_hybrid(const SysRoot& root, const CpuSet& online, const Cpuinfo& info,
                       std::string& source) {
  HybridSets sets;
  if (const auto text = root.read("/sys/devices/cpu_core/cpus"))
    sets.performance = CpuSet::parse(*text);
  if (const auto text = root.read("/sys/devices/cpu_atom/cpus"))
    sets.efficiency = CpuSet::parse(*text);
  if (sets.performance || sets.efficiency) {
    source = "/proc/cpuinfo, /sys/devices/cpu_{core,atom}/cpus";
  } else if (info.arch() == CpuinfoArch::X86) {
    if (auto split = topology::hybrid_split(root, online)) {
      sets.performance = std::move(split->performance);
      sets.efficiency = std::move(split->efficiency);
      source = "/proc/cpuinfo, " + split->source;
    }
  }
  return sets;
}

std::string kind_key(const Cpuinfo& info, const HybridSets& hybrid, unsigned cpu) {
  if (hybrid.performance && hybrid.performance->contains(cpu)) return "hybrid:performance";
  if (hybrid.efficiency && hybrid.efficiency->contains(cpu)) return "hybrid:efficiency";
  return describe_cpu(info, cpu).kind_key;
}

std::vector<CpuPlace> place_cpus(const SysRoot& root, const CpuSet& online, const Cpuinfo& info,
                                 PlatformReport& report) {
  std::string kinds_source = "/proc/cpuinfo";
  const bool sysfs = has_sysfs_topology(root, online);
  report.sources["topology.cores"] =
      sysfs ? "/sys/devices/system/cpu/cpu*/topology/{core_cpus,thread_siblings}_list"
            : "/proc/cpuinfo (physical id, core id)";
  const HybridSets hybrid = read_hybrid(root, online, info, kinds_source);
  report.sources["topology.core_kinds"] = kinds_source;
  std::vector<CpuPlace> places;
  for (const unsigned cpu : online.cpus()) {
    CpuPlace place = sysfs ? place_from_sysfs(root, cpu) : place_from_cpuinfo(info, cpu);
    const auto capacity =
        text::parse_u64(root.read_line(cpu_path(cpu, "/cpu_capacity")).value_or(""));
    if (capacity && *capacity <= 1U << 20) place.capacity = static_cast<unsigned>(*capacity);
    place.kind_key = kind_key(info, hybrid, cpu);
    places.push_back(std::move(place));
  }
  return places;
}

/// Counts distinct values of a key; nullopt when any CPU's key is unknown.
template <typename Key>
std::optional<unsigned> count_distinct(const std::vector<const CpuPlace*>& places, Key key) {
  std::set<std::string> seen;
  for (const CpuPlace* place : places) {
    const std::optional<std::string> value = key(*place);
    if (!value) return std::nullopt;
    seen.insert(*value);
  }
  if (seen.empty()) return std::nullopt;
  return static_cast<unsigned>(seen.size());
}

unsigned max_threads_per_core(const std::vector<const CpuPlace*>& places) {
  std::map<std::string, unsigned> per_core;
  for (const CpuPlace* place : places) ++per_core[place->core_key];
  unsigned most = 0;
  for (const auto& entry : per_core) most = std::max(most, entry.second);
  return most;
}

void describe_kind(const Cpuinfo& info, CoreKind& kind) {
  const CpuDescription d = describe_cpu(info, kind.cpus.cpus().front());
  kind.model_name = d.model_name;
  kind.midr_implementer = d.midr_implementer;
  kind.midr_part = d.midr_part;
  kind.family = d.family;
  kind.model = d.model;
  kind.stepping = d.stepping;
}

CoreKind make_kind(const Cpuinfo& info, const std::vector<const CpuPlace*>& places) {
  CoreKind kind;
  std::vector<unsigned> cpus;
  for (const CpuPlace* place : places) cpus.push_back(place->cpu);
  kind.cpus = CpuSet(std::move(cpus));
  kind.cores = count_distinct(places, [](const CpuPlace& p) { return std::optional(p.core_key); });
  kind.threads_per_core = max_threads_per_core(places);
  kind.sockets = count_distinct(places, [](const CpuPlace& p) { return p.package_key; });
  const bool same_capacity = std::all_of(places.begin(), places.end(), [&](const CpuPlace* p) {
    return p->capacity == places.front()->capacity;
  });
  if (same_capacity) kind.capacity = places.front()->capacity;
  describe_kind(info, kind);
  const std::string& key = places.front()->kind_key;
  if (key == "hybrid:performance") kind.label = "performance";
  if (key == "hybrid:efficiency") kind.label = "efficiency";
  return kind;
}

// ARM big.LITTLE: the kinds with the lowest cpu_capacity are the efficiency cores. A kind's
// capacity may vary from core to core (firmware scales it by each core's measured top
// frequency): kinds are then ranked by their largest capacity.
std::optional<unsigned> top_capacity(const std::vector<const CpuPlace*>& places) {
  std::optional<unsigned> top;
  for (const CpuPlace* place : places) {
    if (!place->capacity) return std::nullopt;
    top = std::max(top.value_or(0), *place->capacity);
  }
  return top;
}

void label_by_capacity(std::vector<CoreKind>& kinds,
                       const std::vector<std::optional<unsigned>>& capacities) {
  std::set<unsigned> distinct;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (!capacities[i] || kinds[i].label) return;
    distinct.insert(*capacities[i]);
  }
  if (distinct.size() < 2) return;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    kinds[i].label = *capacities[i] == *distinct.begin() ? "efficiency" : "performance";
  }
}

std::vector<CoreKind> make_kinds(const Cpuinfo& info, const std::vector<CpuPlace>& places) {
  std::vector<std::string> order;  // kinds in order of their first CPU
  std::map<std::string, std::vector<const CpuPlace*>> by_kind;
  for (const CpuPlace& place : places) {
    auto& members = by_kind[place.kind_key];
    if (members.empty()) order.push_back(place.kind_key);
    members.push_back(&place);
  }
  std::vector<CoreKind> kinds;
  std::vector<std::optional<unsigned>> capacities;
  for (const auto& key : order) {
    kinds.push_back(make_kind(info, by_kind[key]));
    capacities.push_back(top_capacity(by_kind[key]));
  }
  label_by_capacity(kinds, capacities);
  return kinds;
}

std::vector<const CpuPlace*> pointers(const std::vector<CpuPlace>& places) {
  std::vector<const CpuPlace*> out;
  for (const CpuPlace& place : places) out.push_back(&place);
  return out;
}

void fill_counts(const std::vector<CpuPlace>& places, Topology& topo, PlatformReport& report) {
  const auto all = pointers(places);
  topo.cores = count_distinct(all, [](const CpuPlace& p) { return std::optional(p.core_key); });
  topo.packages = count_distinct(all, [](const CpuPlace& p) { return p.package_key; });
  if (topo.packages) report.sources["topology.packages"] = report.sources["topology.cores"];
  topo.books = count_distinct(all, [](const CpuPlace& p) { return p.book_key; });
  if (topo.books)
    report.sources["topology.books"] = "/sys/devices/system/cpu/cpu*/topology/book_siblings_list";
  topo.drawers = count_distinct(all, [](const CpuPlace& p) { return p.drawer_key; });
  if (topo.drawers)
    report.sources["topology.drawers"] =
        "/sys/devices/system/cpu/cpu*/topology/drawer_siblings_list";
}

}  // namespace

void probe_topology(const SysRoot& root, const Cpuinfo& info, PlatformReport& report) {
  std::string online_source;
  const CpuSet online = topology::online_cpus(root, report, info, online_source);
  Topology& topo = report.topology;
  if (!online.empty()) {
    topo.logical_cpus = static_cast<unsigned>(online.size());
    report.sources["topology.logical_cpus"] = online_source;
    const auto places = place_cpus(root, online, info, report);
    fill_counts(places, topo, report);
    topo.core_kinds = make_kinds(info, places);
  }
  topo.numa_nodes = topology::probe_numa(root);
  if (!topo.numa_nodes.empty()) {
    report.sources["topology.numa_nodes"] = "/sys/devices/system/node/node*/cpulist";
    std::size_t listed = 0;
    std::vector<unsigned> all;
    for (const auto& node : topo.numa_nodes) {
      listed += node.cpus.size();
      all.insert(all.end(), node.cpus.cpus().begin(), node.cpus.cpus().end());
    }
    topo.numa_consistent = CpuSet(std::move(all)).size() == listed;
    report.sources["topology.numa_consistent"] =
        "/sys/devices/system/node/node*/cpulist (a CPU in two nodes: inconsistent)";
  }
  topo.caches = topology::probe_caches(root, online, info);
  if (!topo.caches.empty())
    report.sources["topology.caches"] = "/sys/devices/system/cpu/cpu*/cache/index*";
}

}  // namespace conc_probe::platform
