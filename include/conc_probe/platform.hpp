#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/sysroot.hpp"

/// The platform probe: what machine this process is really on. Every fact is optional
/// (unknown stays unknown, printed as null) and the place it came from is recorded in
/// PlatformReport::sources under the fact's dotted JSON key (e.g. "cpu.usable").
namespace conc_probe {

/// The CPU count ladder, from what the kernel could ever use down to what this process may.
struct CpuCounts {
  std::optional<CpuSet> possible;       ///< /sys/devices/system/cpu/possible
  std::optional<CpuSet> present;        ///< .../present
  std::optional<CpuSet> online;         ///< .../online
  std::optional<CpuSet> offline;        ///< present minus online (or .../offline)
  std::optional<CpuSet> affinity;       ///< sched_getaffinity (live) or Cpus_allowed_list
  std::optional<CpuSet> cgroup_cpuset;  ///< effective cpuset of this process's cgroup
  /// CPU quota as a fraction of one CPU (1.5 = one and a half CPUs); nullopt = no quota.
  std::optional<double> cgroup_quota;
  std::optional<std::string> cgroup_quota_path;  ///< the cgroup whose quota is the minimum
  /// online ∩ affinity ∩ cpuset, counted.
  std::optional<unsigned> usable_cpus;
  /// min(usable_cpus, cgroup_quota): the CPU capacity this process can really use.
  std::optional<double> usable_fraction;
  /// usable_fraction rounded by the documented rule (see docs/cpu-count.md), at least 1.
  std::optional<unsigned> usable;
  std::optional<unsigned> recommended_cpu_workers;  ///< for CPU-bound pools
  std::optional<unsigned> recommended_io_workers;   ///< for IO-bound pools
  /// Override variables found in the environment (OMP_NUM_THREADS, PYTHON_CPU_COUNT, ...).
  std::map<std::string, std::string> overrides;
};

/// The cgroup this process belongs to.
struct CgroupInfo {
  std::optional<int> version;       ///< 1, 2, or unknown
  std::optional<std::string> path;  ///< the process's cgroup path (v2, or v1 cpu controller)
  std::optional<std::uint64_t> memory_limit_bytes;  ///< min over ancestors; nullopt = none
  std::optional<std::string> memory_limit_path;     ///< cgroup the memory minimum comes from
};

/// Instances of one cache level that have the same size.
struct CacheSize {
  std::uint64_t size_bytes = 0;
  unsigned instances = 0;
};

/// One cache level/type, with the number of separate instances of it.
struct CacheInfo {
  unsigned level = 0;
  std::string type;                         ///< "Data", "Instruction", "Unified"
  std::optional<std::uint64_t> size_bytes;  ///< size of one instance (the first CPU's)
  std::optional<unsigned> instances;        ///< distinct shared_cpu_list values
  /// The sum of every instance's size (instances may differ in size on hybrid parts).
  std::optional<std::uint64_t> total_bytes;
  /// Instances by size, smallest size first (one entry when all are alike); empty when
  /// the instances or their sizes are unknown.
  std::vector<CacheSize> sizes;
  /// lscpu-style name: L1d, L1i, L2, L3 (L2d etc. for data-only upper levels).
  std::string name;
};

/// One kind of core (all cores of a homogeneous machine are one kind).
struct CoreKind {
  std::optional<std::string> model_name;  ///< x86 brand string, ARM part name, ...
  std::optional<std::string> label;       ///< "performance", "efficiency", or unknown
  CpuSet cpus;                            ///< logical CPUs of this kind (online ones)
  std::optional<unsigned> cores;          ///< physical cores of this kind
  std::optional<unsigned> threads_per_core;
  std::optional<unsigned> sockets;              ///< packages holding cores of this kind
  std::optional<unsigned> capacity;             ///< ARM cpu_capacity when known
  std::optional<std::string> midr_implementer;  ///< raw "0x41" (ARM)
  std::optional<std::string> midr_part;         ///< raw "0xd46" (ARM)
  std::optional<std::string> family;            ///< x86 "cpu family"
  std::optional<std::string> model;             ///< x86 "model"
  std::optional<std::string> stepping;
};

struct NumaNode {
  unsigned id = 0;
  CpuSet cpus;
  std::optional<std::uint64_t> memory_bytes;
};

struct Topology {
  std::optional<unsigned> packages;
  std::optional<unsigned> cores;         ///< physical cores, all kinds
  std::optional<unsigned> logical_cpus;  ///< online logical CPUs
  std::vector<CoreKind> core_kinds;
  std::vector<NumaNode> numa_nodes;  ///< empty = unknown (no NUMA info)
  /// false when a CPU is listed in more than one node (a kernel or firmware bug: the nodes
  /// are still reported as the kernel lists them); nullopt without nodes.
  std::optional<bool> numa_consistent;
  std::vector<CacheInfo> caches;
  std::optional<unsigned> books;    ///< s390
  std::optional<unsigned> drawers;  ///< s390
};

struct Identity {
  std::optional<std::string> model_name;     ///< the first core kind's name (or the only)
  std::optional<std::string> vendor;         ///< "GenuineIntel", "ARM", ...
  std::optional<std::string> machine;        ///< uname machine: x86_64, aarch64, ...
  std::optional<unsigned> os_bits;           ///< bits of the running kernel/OS
  unsigned binary_bits = sizeof(void*) * 8;  ///< bits of this binary
  std::optional<std::string> byte_order;     ///< "little" / "big"
  std::optional<std::string> isa_level;      ///< x86-64-v1..v4 from cpuinfo flags
  std::optional<std::uint64_t> page_size;
};

struct OsInfo {
  std::optional<std::string> system;  ///< "Linux", "Darwin"
  std::optional<std::string> kernel_release;
  std::optional<std::string> kernel_version;
  std::optional<std::string> distribution;          ///< os-release PRETTY_NAME
  std::optional<std::string> distribution_id;       ///< os-release ID
  std::optional<std::string> distribution_version;  ///< os-release VERSION_ID
};

struct Virtualization {
  std::optional<std::string> hypervisor;           ///< "KVM", "VMware", "Oracle", ...
  std::optional<std::string> virtualization_type;  ///< "full", "para", "container"
  std::vector<std::string> hypervisor_evidence;
  std::optional<std::string> container;  ///< "docker", "podman", "kubernetes", "wsl", ...
  std::vector<std::string> container_evidence;
};

struct Memory {
  std::optional<std::uint64_t> total_bytes;
  std::optional<std::uint64_t> available_bytes;
  std::optional<std::uint64_t> cgroup_limit_bytes;
};

/// What the seed's Python calls would print here, and why they may mislead.
struct PythonView {
  std::optional<std::string> processor;     ///< platform.processor()
  std::optional<std::string> system;        ///< platform.system()
  std::optional<std::string> architecture;  ///< platform.architecture()[0], e.g. "64bit"
  std::optional<unsigned> cpu_count;        ///< multiprocessing.cpu_count()
  std::vector<std::string> notes;           ///< how each differs from the truth
};

/// The whole `conc-probe info` report.
struct PlatformReport {
  CpuCounts cpu;
  CgroupInfo cgroup;
  Topology topology;
  Identity identity;
  OsInfo os;
  Virtualization virtualization;
  Memory memory;
  PythonView python;
  bool live = true;  ///< false when read from a --sysroot dump
  std::string sysroot = "/";
  /// dotted key → where the value came from ("/sys/devices/system/cpu/online", ...)
  std::map<std::string, std::string> sources;
};

/// Options of one probe.
struct ProbeOptions {
  SysRoot root{"/"};
  /// Environment to read override variables and container hints from; nullopt = the real
  /// environment when live, none when replaying.
  std::optional<std::map<std::string, std::string>> environment;
};

/// Probes the platform. Never throws for unreadable or malformed files: what cannot be read
/// is left unknown. With a non-live root, facts that cannot come from files (affinity via
/// the kernel, uname, CPUID) are taken from the dump or left unknown, never from this
/// machine.
PlatformReport probe_platform(const ProbeOptions& options);

/// Only the CPU count ladder (the `cpu` section, as probe_platform fills it): what
/// `info --get cpu.*` needs, read from a few files instead of the whole machine. Every other
/// section of the report stays unknown.
PlatformReport probe_cpu_counts(const ProbeOptions& options);

}  // namespace conc_probe
