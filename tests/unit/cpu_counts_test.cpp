// The CPU count ladder, the rounding rule, override variables, OS facts and the Python view,
// on fixture trees and on this machine.
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "conc_probe/platform.hpp"
#include "platform/probes.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using conc_probe::CpuSet;
using conc_probe::PlatformReport;
using conc_probe::ProbeOptions;
using conc_probe::SysRoot;
using conc_probe::testing::TempDir;
using Environment = std::map<std::string, std::string>;

namespace {

PlatformReport probe(const TempDir& dir, Environment env = {}) {
  return conc_probe::probe_platform(ProbeOptions{SysRoot{dir.path()}, std::move(env)});
}

/// A report with `cpus` online CPUs and a quota, to exercise derive_usable alone.
PlatformReport with_quota(unsigned cpus, std::optional<double> quota) {
  PlatformReport report;
  std::vector<unsigned> list;
  for (unsigned i = 0; i < cpus; ++i) list.push_back(i);
  report.cpu.online = CpuSet{list};
  report.cpu.cgroup_quota = quota;
  conc_probe::platform::derive_usable({}, report);
  return report;
}

}  // namespace

TEST_CASE("CPU counts: the ladder from sysfs, offline as present minus online", "[cpu]") {
  TempDir dir;
  dir.write("sys/devices/system/cpu/possible", "0-7\n");
  dir.write("sys/devices/system/cpu/present", "0-5\n");
  dir.write("sys/devices/system/cpu/online", "0-2,4\n");
  const auto report = probe(dir);
  CHECK(report.cpu.possible->size() == 8);
  CHECK(report.cpu.present->size() == 6);
  CHECK(report.cpu.online->to_string() == "0-2,4");
  CHECK(report.cpu.offline->to_string() == "3,5");
  CHECK(report.cpu.usable == 4U);
  CHECK_FALSE(report.live);
}

TEST_CASE("CPU counts: a replay takes affinity from a dumped /proc/self/status only", "[cpu]") {
  TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0-3\n");
  auto report = probe(dir);
  CHECK_FALSE(report.cpu.affinity.has_value());

  dir.write("proc/self/status",
            "Name:\tx\nCpus_allowed:\t5\nCpus_allowed_list:\t0,2\nMems_allowed:\t1\n");
  report = probe(dir);
  REQUIRE(report.cpu.affinity.has_value());
  CHECK(report.cpu.affinity->to_string() == "0,2");
  CHECK(report.cpu.usable == 2U);
  CHECK(report.python.cpu_count == 4U);  // Python ignores the affinity mask
}

TEST_CASE("CPU counts: rounding rule is ceil, at least 1, exact integers kept", "[cpu]") {
  CHECK(with_quota(4, 0.5).cpu.usable == 1U);
  CHECK(with_quota(4, 1.5).cpu.usable == 2U);
  CHECK(with_quota(4, 2.25).cpu.usable == 3U);
  CHECK(with_quota(4, 2.0).cpu.usable == 2U);
  CHECK(with_quota(4, 2.0000000001).cpu.usable == 2U);
  CHECK(with_quota(4, 0.01).cpu.usable == 1U);
  CHECK(with_quota(2, 8.0).cpu.usable == 2U);  // quota above the CPU count: the CPUs limit
  CHECK(*with_quota(2, 8.0).cpu.usable_fraction == Approx(2.0));
  CHECK(with_quota(3, std::nullopt).cpu.usable == 3U);
}

TEST_CASE("CPU counts: recommended workers", "[cpu]") {
  const auto small = with_quota(4, 1.5);
  CHECK(small.cpu.recommended_cpu_workers == 2U);
  CHECK(small.cpu.recommended_io_workers == 6U);
  const auto big = with_quota(64, std::nullopt);
  CHECK(big.cpu.recommended_cpu_workers == 64U);
  CHECK(big.cpu.recommended_io_workers == 32U);
}

TEST_CASE("CPU counts: nothing known leaves usable unknown", "[cpu]") {
  TempDir dir;
  const auto report = probe(dir);
  CHECK_FALSE(report.cpu.online.has_value());
  CHECK_FALSE(report.cpu.usable.has_value());
  CHECK_FALSE(report.cpu.recommended_cpu_workers.has_value());
  CHECK_FALSE(report.python.cpu_count.has_value());
}

TEST_CASE("CPU counts: override variables are listed; PYTHON_CPU_COUNT steers Python", "[cpu]") {
  TempDir dir;
  dir.write("sys/devices/system/cpu/online", "0-3\n");
  const auto report = probe(dir, {{"OMP_NUM_THREADS", "3"},
                                  {"PYTHON_CPU_COUNT", "7"},
                                  {"HOME", "/root"},
                                  {"GOMAXPROCS", "2"}});
  CHECK(report.cpu.overrides.size() == 3);
  CHECK(report.cpu.overrides.at("OMP_NUM_THREADS") == "3");
  CHECK(report.cpu.overrides.at("GOMAXPROCS") == "2");
  CHECK(report.cpu.usable == 4U);  // listed, not obeyed
  CHECK(report.python.cpu_count == 7U);
}

TEST_CASE("OS: replay reads os-release, meminfo and kernel files, never this machine's uname",
          "[os]") {
  TempDir dir;
  dir.write("usr/lib/os-release",
            "NAME=Fedora\nID=fedora\nVERSION_ID=40\nPRETTY_NAME=\"Fedora Linux 40\"\n");
  dir.write("proc/meminfo", "MemTotal:       16384 kB\nMemFree: 1 kB\nMemAvailable:    8192 kB\n");
  auto report = probe(dir);
  CHECK(report.os.distribution == "Fedora Linux 40");
  CHECK(report.os.distribution_id == "fedora");
  CHECK(report.os.distribution_version == "40");
  CHECK(report.memory.total_bytes == 16384U * 1024U);
  CHECK(report.memory.available_bytes == 8192U * 1024U);
  CHECK_FALSE(report.os.system.has_value());
  CHECK_FALSE(report.os.kernel_release.has_value());
  CHECK_FALSE(report.identity.page_size.has_value());
  CHECK_FALSE(report.python.system.has_value());

  dir.write("proc/sys/kernel/ostype", "Linux\n");
  dir.write("proc/sys/kernel/osrelease", "5.15.0-1-microsoft-standard-WSL2\n");
  report = probe(dir);
  CHECK(report.os.system == "Linux");
  CHECK(report.python.system == "Linux");
  CHECK(report.virtualization.container == "wsl");
}

TEST_CASE("Containers: each hint is recorded with its evidence", "[os]") {
  TempDir dir;
  dir.write(".dockerenv", "");
  dir.write("proc/self/cgroup", "0::/kubepods/besteffort/pod1/abc\n");
  const auto report = probe(dir, {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}});
  CHECK(report.virtualization.container == "kubernetes");
  const auto& evidence = report.virtualization.container_evidence;
  CHECK(evidence.size() == 3);
  CHECK(std::count_if(evidence.begin(), evidence.end(), [](const std::string& e) {
          return e.find("/.dockerenv") != std::string::npos;
        }) == 1);

  TempDir plain;
  CHECK_FALSE(probe(plain).virtualization.container.has_value());
  CHECK(probe(plain, {{"container", "podman"}}).virtualization.container == "podman");
}

TEST_CASE("Python view: processor() depends on the distribution's uname -p", "[python]") {
  TempDir dir;
  dir.write("etc/os-release", "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
  const auto report = probe(dir);
  CHECK(report.python.processor == "");
  CHECK(report.python.architecture == std::to_string(sizeof(void*) * 8) + "bit");
  TempDir unknown;
  CHECK_FALSE(probe(unknown).python.processor.has_value());
}

TEST_CASE("Live: probing / matches sched_getaffinity and gives usable >= 1", "[cpu][live]") {
  const auto report = conc_probe::probe_platform(ProbeOptions{});
  CHECK(report.live);
  REQUIRE(report.cpu.usable.has_value());
  CHECK(*report.cpu.usable >= 1U);
  REQUIRE(report.cpu.affinity.has_value());
  cpu_set_t mask;
  CPU_ZERO(&mask);
  REQUIRE(::sched_getaffinity(0, sizeof mask, &mask) == 0);
  CHECK(report.cpu.affinity->size() == static_cast<std::size_t>(CPU_COUNT(&mask)));
  for (unsigned cpu : report.cpu.affinity->cpus()) CHECK(CPU_ISSET(cpu, &mask));
  CHECK(*report.cpu.usable <= report.cpu.affinity->size());
  CHECK(report.os.system == "Linux");
  CHECK(report.identity.page_size == static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)));
  CHECK(report.python.cpu_count == static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

TEST_CASE("Live: a thread pinned to one CPU sees usable 1, and the probe leaves its mask alone",
          "[cpu][live]") {
  cpu_set_t all;
  CPU_ZERO(&all);
  REQUIRE(::sched_getaffinity(0, sizeof all, &all) == 0);
  std::size_t first = 0;
  while (first < std::size_t{CPU_SETSIZE} && !CPU_ISSET(first, &all)) ++first;
  REQUIRE(first < std::size_t{CPU_SETSIZE});
  std::optional<unsigned> usable;
  std::optional<CpuSet> affinity;
  bool unchanged = false;
  std::thread worker([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    if (::pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0) return;
    const auto report = conc_probe::probe_platform(ProbeOptions{});
    usable = report.cpu.usable;
    affinity = report.cpu.affinity;
    cpu_set_t after;
    CPU_ZERO(&after);
    unchanged = ::sched_getaffinity(0, sizeof after, &after) == 0 && CPU_EQUAL(&one, &after);
  });
  worker.join();
  CHECK(usable == 1U);
  REQUIRE(affinity.has_value());
  CHECK(affinity->to_string() == std::to_string(first));
  CHECK(unchanged);
}
