#pragma once

#include <map>
#include <string>

#include "conc_probe/platform.hpp"
#include "conc_probe/sysroot.hpp"
#include "platform/cpuinfo.hpp"

/// The parts of the Linux probe, one per file; probe_platform (platform_linux.cpp) calls
/// them in order. Each fills its part of the report and records sources; none throws.
/// /proc/cpuinfo is read and parsed once (on x86 its generation costs the kernel work per
/// CPU) and handed to the probes that need it.
namespace conc_probe::platform {

/// Environment variables the probe may read (override variables, container hints).
using Environment = std::map<std::string, std::string>;

/// possible/present/online/offline from /sys/devices/system/cpu; affinity (live:
/// sched_getaffinity; replay: /proc/self/status Cpus_allowed_list if the dump has it).
void probe_cpu_lists(const SysRoot& root, PlatformReport& report);  // cpu_counts_linux.cpp
/// cgroup version, path, cpuset, CPU quota and memory limit (min over ancestors).
void probe_cgroup(const SysRoot& root, PlatformReport& report);  // cgroup_linux.cpp
/// usable CPUs, the rounding rule, recommended workers, override variables.
void derive_usable(const Environment& env, PlatformReport& report);  // cpu_counts_linux.cpp
/// packages, cores, threads per core per kind, NUMA nodes, caches, s390 books/drawers.
void probe_topology(const SysRoot& root, const Cpuinfo& info,
                    PlatformReport& report);  // topology_linux.cpp
/// model name (x86 brand, ARM MIDR names, others), vendor, family/model/stepping, ISA level.
void probe_identity(const SysRoot& root, const Cpuinfo& info,
                    PlatformReport& report);  // identity_linux.cpp
/// hypervisor with evidence (cpuinfo flags, /sys/hypervisor, DMI, s390 sysinfo, CPUID live).
void probe_hypervisor(const SysRoot& root, const Cpuinfo& info,
                      PlatformReport& report);  // virt_linux.cpp
/// container with evidence (/.dockerenv, /run/.containerenv, cgroup paths, env, WSL).
void probe_container(const SysRoot& root, const Environment& env,
                     PlatformReport& report);  // os_linux.cpp
/// uname (live only), os-release, page size, byte order, OS bits, memory from meminfo.
void probe_os_and_memory(const SysRoot& root, PlatformReport& report);  // os_linux.cpp
/// What Python's platform/multiprocessing calls would say here, with notes.
void derive_python_view(PlatformReport& report);  // python_view.cpp

}  // namespace conc_probe::platform
