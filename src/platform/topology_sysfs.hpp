#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/sysroot.hpp"
#include "platform/cpuinfo.hpp"

/// Readers of /sys/devices/system/{cpu,node} shared by the topology probe's files.
namespace conc_probe::platform::topology {

/// "/sys/devices/system/cpu/cpuN" followed by `leaf` ("/topology/core_id", ...).
std::string cpu_path(unsigned cpu, std::string_view leaf = {});

/// The cpuN directories of /sys/devices/system/cpu (the CPUs the kernel knows), and those
/// whose cpuN/online file is not 0 (a CPU without the file cannot go offline): the online
/// list of kernels too old to have /sys/devices/system/cpu/online.
struct CpuDirectories {
  CpuSet all;
  CpuSet online;
};
CpuDirectories cpu_directories(const SysRoot& root);

/// Parses the kernel's hexadecimal CPU mask ("00000000,0000000f": 32-bit words, most
/// significant first). nullopt on anything but hex digits, commas and white space, or when
/// a bit above CpuSet::kMaxCpu is set.
std::optional<CpuSet> parse_cpu_mask(std::string_view text);

/// A CPU set from `list_path` (cpu-list syntax) or else `mask_path` (hex mask); nullopt when
/// neither file is there or both are malformed.
std::optional<CpuSet> read_cpu_set(const SysRoot& root, const std::string& list_path,
                                   const std::string& mask_path);

/// The online CPUs: the report's (probe_cpu_lists) when known, else
/// /sys/devices/system/cpu/online, else the cpuN directories whose `online` file is not 0,
/// else the processors of /proc/cpuinfo. Records where it came from in `source`.
CpuSet online_cpus(const SysRoot& root, const PlatformReport& report, const Cpuinfo& info,
                   std::string& source);

/// NUMA nodes from /sys/devices/system/node/node*/{cpulist,cpumap,meminfo}, by id; empty
/// when the machine exposes none.
std::vector<NumaNode> probe_numa(const SysRoot& root);

/// Caches of the online CPUs by level and type (see docs/topology.md for the rules), from
/// cpuN/cache/index*, else SPARC's cpuN/l*_size files; levels only /proc/cpuinfo knows
/// (s390 "cacheN :" lines) are added with unknown instances.
std::vector<CacheInfo> probe_caches(const SysRoot& root, const CpuSet& online, const Cpuinfo& info);

/// The performance and efficiency CPUs of a hybrid x86 part.
struct HybridSplit {
  CpuSet performance;
  CpuSet efficiency;
  std::string source;
};

/// P-cores and E-cores of a hybrid x86 part whose kernel lists no /sys/devices/cpu_core and
/// cpu_atom: live, CPUID leaf 0x1A per CPU; else the CPUs grouped by base frequency and
/// private cache sizes, when the groups' frequencies differ by at least 10% (the fastest
/// group is the performance kind). nullopt when nothing shows two kinds.
std::optional<HybridSplit> hybrid_split(const SysRoot& root, const CpuSet& cpus);

/// Parses a sysfs cache size ("32K", "6144K", "2M", "1048576") into bytes.
std::optional<std::uint64_t> parse_cache_size(std::string_view text);

}  // namespace conc_probe::platform::topology
