// The probe on the files of old kernels and odd setups, written by each test into a private
// root: no cpu/online file, cgroups known only from /proc/mounts and /proc/self/cpuset,
// files ending in NUL, hybrid parts without cpu_core/cpu_atom, cache instances of different
// sizes, overlapping NUMA nodes, IA-64; and the readers' limits (named pipes, long lists).
#include <sys/stat.h>

#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/sysroot.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using conc_probe::CpuSet;
using conc_probe::PlatformReport;
using conc_probe::ProbeOptions;
using conc_probe::SysRoot;
using conc_probe::testing::TempDir;

namespace {

PlatformReport probe(const TempDir& dir) {
  return conc_probe::probe_platform(
      ProbeOptions{SysRoot(dir.path()), std::map<std::string, std::string>{}});
}

std::string list(const std::optional<CpuSet>& set) { return set ? set->to_string() : "null"; }

void write_cpu_dirs(const TempDir& dir, unsigned count) {
  for (unsigned cpu = 0; cpu < count; ++cpu) {
    const std::string base = "sys/devices/system/cpu/cpu" + std::to_string(cpu);
    dir.write(base + "/topology/thread_siblings_list", std::to_string(cpu) + "\n");
  }
}

}  // namespace

TEST_CASE("CpuSet: repeated and overlapping ranges are merged, memory bounded", "[core]") {
  CHECK(CpuSet::parse("5-9,0-6,8,3,3")->to_string() == "0-9");
  CHECK(CpuSet::parse("7,1-2,2,1")->to_string() == "1-2,7");
  // 64 KB of the widest range: expanded first, this asked for gigabytes.
  std::string text;
  while (text.size() < 64 * 1024) text += "0-65536,";
  text += "0";
  const auto set = CpuSet::parse(text);
  REQUIRE(set.has_value());
  CHECK(set->size() == CpuSet::kMaxCpu + 1);
}

TEST_CASE("CpuSet: a trailing NUL and stray white space parse like the clean list", "[core]") {
  using namespace std::string_literals;
  CHECK(CpuSet::parse("0-3\n\0"s)->to_string() == "0-3");
  CHECK(CpuSet::parse(" \t0-1,4 \n\n"s)->to_string() == "0-1,4");
}

TEST_CASE("SysRoot: a named pipe or a directory is not read", "[core]") {
  const TempDir dir;
  dir.write("proc/placeholder", "");
  REQUIRE(::mkfifo((dir.path() / "proc/cpuinfo").c_str(), 0600) == 0);
  const SysRoot root(dir.path());
  CHECK_FALSE(root.read("/proc/cpuinfo").has_value());  // used to wait for a writer forever
  CHECK_FALSE(root.read("/proc").has_value());
  CHECK(root.read("/proc/placeholder") == std::optional<std::string>(""));
  const auto report = probe(dir);  // the whole probe returns too
  CHECK_FALSE(report.topology.logical_cpus.has_value());
}

TEST_CASE("probe: without cpu/online the cpuN directories and online files count", "[probe]") {
  const TempDir dir;
  write_cpu_dirs(dir, 4);
  dir.write("sys/devices/system/cpu/cpu1/online", "1\n");
  dir.write("sys/devices/system/cpu/cpu2/online", "0\n");
  dir.write("sys/devices/system/cpu/cpu3/online", "1\n");
  const auto report = probe(dir);
  CHECK(list(report.cpu.online) == "0-1,3");
  CHECK(list(report.cpu.offline) == "2");
  CHECK(report.cpu.usable_cpus == std::optional<unsigned>(3));
  CHECK(report.cpu.usable == std::optional<unsigned>(3));
  CHECK(report.topology.logical_cpus == std::optional<unsigned>(3));
}

TEST_CASE("probe: cgroup cpusets from /proc/mounts and /proc/self/cpuset", "[probe]") {
  const TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0-7\n");
  std::string mounts;
  std::string file;
  SECTION("legacy cpuset filesystem") {
    mounts = "none /dev/cpuset cpuset rw 0 0\n";
    file = "dev/cpuset/job/cpus";
  }
  SECTION("v1 cgroup mounted noprefix") {
    mounts = "none /dev/cpuset cgroup rw,relatime,cpuset,noprefix 0 0\n";
    file = "dev/cpuset/job/cpus";
  }
  SECTION("v1 cgroup") {
    mounts = "cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n";
    file = "sys/fs/cgroup/cpuset/job/cpuset.cpus";
  }
  SECTION("cgroup2") {
    mounts = "none /cgroup/memory cgroup rw,memory 0 0\nnone /cgroup/unified cgroup2 rw 0 0\n";
    dir.write("cgroup/unified/cgroup.controllers", "memory cpuset\n");
    file = "cgroup/unified/job/cpuset.cpus.effective";
  }
  dir.write("proc/mounts", "rootfs / rootfs rw 0 0\n" + mounts);
  dir.write("proc/self/cpuset", "/job\n");
  dir.write(file, "2-4,6\n");
  const auto report = probe(dir);
  CHECK(list(report.cpu.cgroup_cpuset) == "2-4,6");
  CHECK(report.cpu.usable_cpus == std::optional<unsigned>(4));
}

TEST_CASE("probe: NUMA lists ending in NUL; overlapping nodes are flagged", "[probe]") {
  using namespace std::string_literals;
  const TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0-3\n");
  dir.write("sys/devices/system/node/node0/cpulist", "0-1\n\0"s);
  dir.write("sys/devices/system/node/node1/cpulist", "2-3\0"s);
  auto report = probe(dir);
  REQUIRE(report.topology.numa_nodes.size() == 2);
  CHECK(report.topology.numa_nodes[0].cpus.to_string() == "0-1");
  CHECK(report.topology.numa_nodes[1].cpus.to_string() == "2-3");
  CHECK(report.topology.numa_consistent == std::optional<bool>(true));
  dir.write("sys/devices/system/node/node1/cpulist", "0-3\n");
  report = probe(dir);
  CHECK(report.topology.numa_nodes[1].cpus.to_string() == "0-3");  // as the kernel says
  CHECK(report.topology.numa_consistent == std::optional<bool>(false));
}

namespace {

/// A hybrid laptop's files without cpu_core/cpu_atom: CPUs 0-3 are two P-cores with SMT
/// (48K L1d, 1280K L2, 5.0/1.9 GHz), CPUs 4-7 four E-cores (32K, 2048K shared, 3.9/1.4 GHz).
void write_hybrid(const TempDir& dir) {
  dir.write("sys/devices/system/cpu/online", "0-7\n");
  std::string cpuinfo;
  for (unsigned cpu = 0; cpu < 8; ++cpu) {
    cpuinfo += "processor\t: " + std::to_string(cpu) +
               "\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 186\n"
               "model name\t: Hybrid Test CPU\nflags\t\t: fpu lm\n\n";
    const bool p = cpu < 4;
    const std::string base = "sys/devices/system/cpu/cpu" + std::to_string(cpu);
    dir.write(base + "/topology/thread_siblings_list",
              p ? std::to_string(cpu & ~1U) + "-" + std::to_string(cpu | 1U) : std::to_string(cpu));
    dir.write(base + "/cpufreq/cpuinfo_max_freq", p ? "5000000\n" : "3900000\n");
    dir.write(base + "/cpufreq/base_frequency", p ? "1900000\n" : "1400000\n");
    const auto cache = [&](int index, const char* level, const char* type, const char* size,
                           const std::string& shared) {
      const std::string d = base + "/cache/index" + std::to_string(index);
      dir.write(d + "/level", std::string(level) + "\n");
      dir.write(d + "/type", std::string(type) + "\n");
      dir.write(d + "/size", std::string(size) + "\n");
      dir.write(d + "/shared_cpu_list", shared + "\n");
    };
    const std::string core =
        p ? std::to_string(cpu & ~1U) + "-" + std::to_string(cpu | 1U) : std::to_string(cpu);
    cache(0, "1", "Data", p ? "48K" : "32K", core);
    cache(2, "2", "Unified", p ? "1280K" : "2048K", p ? core : "4-7");
    cache(3, "3", "Unified", "12288K", "0-7");
  }
  dir.write("proc/cpuinfo", cpuinfo);
}

const conc_probe::CacheInfo& cache_named(const PlatformReport& report, const std::string& name) {
  for (const auto& cache : report.topology.caches) {
    if (cache.name == name) return cache;
  }
  FAIL("no cache " << name);
  throw;
}

}  // namespace

TEST_CASE("probe: hybrid kinds from frequencies and caches, caches summed per instance",
          "[probe]") {
  const TempDir dir;
  write_hybrid(dir);
  const auto report = probe(dir);
  const auto& kinds = report.topology.core_kinds;
  REQUIRE(kinds.size() == 2);
  CHECK(kinds[0].cpus.to_string() == "0-3");
  CHECK(kinds[0].label == std::optional<std::string>("performance"));
  CHECK(kinds[0].threads_per_core == std::optional<unsigned>(2));
  CHECK(kinds[1].cpus.to_string() == "4-7");
  CHECK(kinds[1].label == std::optional<std::string>("efficiency"));
  CHECK(kinds[1].threads_per_core == std::optional<unsigned>(1));
  const auto& l1d = cache_named(report, "L1d");
  CHECK(l1d.instances == std::optional<unsigned>(6));
  CHECK(l1d.total_bytes == std::optional<std::uint64_t>(2 * 48 * 1024 + 4 * 32 * 1024));
  REQUIRE(l1d.sizes.size() == 2);
  CHECK(l1d.sizes[0].size_bytes == 32 * 1024);
  CHECK(l1d.sizes[0].instances == 4);
  CHECK(l1d.sizes[1].instances == 2);
  const auto& l2 = cache_named(report, "L2");
  CHECK(l2.total_bytes == std::optional<std::uint64_t>((2 * 1280 + 2048) * 1024));
}

TEST_CASE("probe: one kind when only a favoured core's turbo differs", "[probe]") {
  const TempDir dir;
  write_hybrid(dir);
  // Make every CPU a P-core, with CPU 2-3 turbo 5% higher (Turbo Boost Max 3.0).
  for (unsigned cpu = 4; cpu < 8; ++cpu) {
    const std::string base = "sys/devices/system/cpu/cpu" + std::to_string(cpu);
    dir.write(base + "/cpufreq/cpuinfo_max_freq", "5000000\n");
    dir.write(base + "/cpufreq/base_frequency", "1900000\n");
    dir.write(base + "/cache/index0/size", "48K\n");
    dir.write(base + "/cache/index2/size", "1280K\n");
  }
  dir.write("sys/devices/system/cpu/cpu2/cpufreq/cpuinfo_max_freq", "5250000\n");
  const auto report = probe(dir);
  REQUIRE(report.topology.core_kinds.size() == 1);
  CHECK_FALSE(report.topology.core_kinds[0].label.has_value());
}

TEST_CASE("probe: ARM capacity varying inside a kind still ranks the kinds", "[probe]") {
  const TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0-3\n");
  std::string cpuinfo;
  const char* parts[] = {"0xd05", "0xd05", "0xd0b", "0xd0b"};
  const char* capacities[] = {"390", "410", "1000", "1024"};
  for (unsigned cpu = 0; cpu < 4; ++cpu) {
    cpuinfo += "processor\t: " + std::to_string(cpu) +
               "\nCPU implementer\t: 0x41\nCPU part\t: " + parts[cpu] + "\n\n";
    dir.write("sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/cpu_capacity",
              std::string(capacities[cpu]) + "\n");
  }
  write_cpu_dirs(dir, 4);
  dir.write("proc/cpuinfo", cpuinfo);
  const auto report = probe(dir);
  const auto& kinds = report.topology.core_kinds;
  REQUIRE(kinds.size() == 2);
  CHECK(kinds[0].label == std::optional<std::string>("efficiency"));
  CHECK(kinds[1].label == std::optional<std::string>("performance"));
}

TEST_CASE("probe: IA-64 vendor, family and model", "[probe]") {
  const TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0\n");
  dir.write("proc/cpuinfo",
            "processor  : 0\nvendor     : GenuineIntel\narch       : IA-64\nfamily     : 32\n"
            "model      : 1\nmodel name : Dual-Core Intel(R) Itanium(R) Processor 9140N\n"
            "revision   : 1\narchrev    : 0\nfeatures   : branchlong, 16-byte atomic ops\n");
  const auto report = probe(dir);
  CHECK(report.identity.vendor == std::optional<std::string>("GenuineIntel"));
  CHECK(report.identity.model_name ==
        std::optional<std::string>("Dual-Core Intel(R) Itanium(R) Processor 9140N"));
  REQUIRE(report.topology.core_kinds.size() == 1);
  CHECK(report.topology.core_kinds[0].family == std::optional<std::string>("32"));
  CHECK(report.topology.core_kinds[0].model == std::optional<std::string>("1"));
}
