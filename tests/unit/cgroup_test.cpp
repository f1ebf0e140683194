// cgroup limits read from fixture trees: a root holding proc/self/cgroup,
// proc/self/mountinfo and sys/fs/cgroup/..., written by each test.
#include <filesystem>
#include <string>

#include "conc_probe/platform.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using conc_probe::PlatformReport;
using conc_probe::ProbeOptions;
using conc_probe::SysRoot;
using conc_probe::testing::TempDir;

namespace {

constexpr const char* kV2Mount =
    "40 25 0:35 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
constexpr const char* kV1Mounts =
    "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
    "31 25 0:27 / /sys/fs/cgroup/cpuset rw,nosuid - cgroup cgroup rw,cpuset\n"
    "32 25 0:28 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n";
constexpr const char* kV1Membership =
    "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n2:cpuset:/docker/abc\n";

/// A machine with CPUs 0-3 online and nothing else.
void write_cpus(const TempDir& dir, const char* online = "0-3\n") {
  dir.write("sys/devices/system/cpu/possible", "0-3\n");
  dir.write("sys/devices/system/cpu/present", "0-3\n");
  dir.write("sys/devices/system/cpu/online", online);
}

/// A cgroup v2 process in /app/job (so /app is its parent).
void write_v2(const TempDir& dir) {
  write_cpus(dir);
  dir.write("proc/self/cgroup", "0::/app/job\n");
  dir.write("proc/self/mountinfo", std::string("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n") + kV2Mount);
  dir.write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
}

void write_v1(const TempDir& dir) {
  write_cpus(dir);
  dir.write("proc/self/cgroup", kV1Membership);
  dir.write("proc/self/mountinfo", kV1Mounts);
}

void write_v1_quota(const TempDir& dir, const std::string& cgroup, const char* quota,
                    const char* period) {
  dir.write("sys/fs/cgroup/cpu,cpuacct" + cgroup + "/cpu.cfs_quota_us", quota);
  dir.write("sys/fs/cgroup/cpu,cpuacct" + cgroup + "/cpu.cfs_period_us", period);
}

PlatformReport probe(const TempDir& dir) {
  return conc_probe::probe_platform(
      ProbeOptions{SysRoot{dir.path()}, std::map<std::string, std::string>{}});
}

}  // namespace

TEST_CASE("cgroup v2: fractional quota at the leaf rounds up", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/cpu.max", "150000 100000\n");
  dir.write("sys/fs/cgroup/app/cpu.max", "max 100000\n");
  const auto report = probe(dir);
  CHECK(report.cgroup.version == 2);
  CHECK(report.cgroup.path == "/app/job");
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(1.5));
  CHECK(report.cpu.cgroup_quota_path == "/app/job");
  CHECK(report.cpu.usable_cpus == 4U);
  CHECK(*report.cpu.usable_fraction == Approx(1.5));
  CHECK(report.cpu.usable == 2U);
  CHECK(report.cpu.recommended_cpu_workers == 2U);
  CHECK(report.cpu.recommended_io_workers == 6U);
  CHECK(report.sources.at("cpu.cgroup_quota") == "/sys/fs/cgroup/app/job/cpu.max");
}

TEST_CASE("cgroup v2: a smaller quota at an ancestor wins", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/cpu.max", "max 100000\n");
  dir.write("sys/fs/cgroup/app/cpu.max", "50000 100000\n");
  const auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(0.5));
  CHECK(report.cpu.cgroup_quota_path == "/app");
  CHECK(*report.cpu.usable_fraction == Approx(0.5));
  CHECK(report.cpu.usable == 1U);
}

TEST_CASE("cgroup v2: 'max' everywhere is no quota", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/cpu.max", "max 100000\n");
  dir.write("sys/fs/cgroup/app/cpu.max", "max\n");
  const auto report = probe(dir);
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK(report.cpu.usable == 4U);
  CHECK(*report.cpu.usable_fraction == Approx(4.0));
}

TEST_CASE("cgroup v2: cpuset narrower than the online CPUs", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/cpuset.cpus.effective", "1-2\n");
  dir.write("sys/fs/cgroup/app/job/cpu.max", "225000 100000\n");
  const auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_cpuset.has_value());
  CHECK(report.cpu.cgroup_cpuset->to_string() == "1-2");
  CHECK(report.cpu.usable_cpus == 2U);
  // min(2 CPUs, 2.25 quota) = 2: the cpuset, not the quota, is the limit.
  CHECK(*report.cpu.usable_fraction == Approx(2.0));
  CHECK(report.cpu.usable == 2U);
}

TEST_CASE("cgroup v2: memory limit is the minimum over ancestors", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/memory.max", "1073741824\n");
  dir.write("sys/fs/cgroup/app/memory.max", "536870912\n");
  auto report = probe(dir);
  CHECK(report.cgroup.memory_limit_bytes == 536870912U);
  CHECK(report.cgroup.memory_limit_path == "/app");
  CHECK(report.memory.cgroup_limit_bytes == 536870912U);

  dir.write("sys/fs/cgroup/app/memory.max", "max\n");
  report = probe(dir);
  CHECK(report.cgroup.memory_limit_bytes == 1073741824U);
  CHECK(report.cgroup.memory_limit_path == "/app/job");
}

TEST_CASE("cgroup v1: 2.25 CPUs at the leaf under a larger ancestor quota", "[cgroup]") {
  TempDir dir;
  write_v1(dir);
  write_v1_quota(dir, "/docker/abc", "225000\n", "100000\n");
  write_v1_quota(dir, "/docker", "400000\n", "100000\n");
  write_v1_quota(dir, "", "-1\n", "100000\n");
  const auto report = probe(dir);
  CHECK(report.cgroup.version == 1);
  CHECK(report.cgroup.path == "/docker/abc");
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(2.25));
  CHECK(report.cpu.cgroup_quota_path == "/docker/abc");
  CHECK(report.cpu.usable == 3U);
}

TEST_CASE("cgroup v1: quota at an ancestor, -1 at the leaf", "[cgroup]") {
  TempDir dir;
  write_v1(dir);
  write_v1_quota(dir, "/docker/abc", "-1\n", "100000\n");
  write_v1_quota(dir, "/docker", "50000\n", "100000\n");
  const auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(0.5));
  CHECK(report.cpu.cgroup_quota_path == "/docker");
  CHECK(report.cpu.usable == 1U);
}

TEST_CASE("cgroup v1: -1 everywhere is no quota; cpuset and huge memory limit", "[cgroup]") {
  TempDir dir;
  write_v1(dir);
  write_v1_quota(dir, "/docker/abc", "-1\n", "100000\n");
  dir.write("sys/fs/cgroup/cpuset/docker/abc/cpuset.effective_cpus", "3\n");
  dir.write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
  dir.write("sys/fs/cgroup/memory/docker/memory.limit_in_bytes", "268435456\n");
  const auto report = probe(dir);
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK(report.cpu.cgroup_cpuset->to_string() == "3");
  CHECK(report.cpu.usable == 1U);
  CHECK(report.cgroup.memory_limit_bytes == 268435456U);
  CHECK(report.cgroup.memory_limit_path == "/docker");
}

TEST_CASE("cgroup v1: falls back from cpuset.effective_cpus to cpuset.cpus", "[cgroup]") {
  TempDir dir;
  write_v1(dir);
  dir.write("sys/fs/cgroup/cpuset/docker/abc/cpuset.cpus", "0,2\n");
  const auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_cpuset.has_value());
  CHECK(report.cpu.cgroup_cpuset->to_string() == "0,2");
  CHECK(report.cpu.usable == 2U);
}

TEST_CASE("cgroup v1: container whose mount root is its own cgroup", "[cgroup]") {
  TempDir dir;
  write_cpus(dir);
  dir.write("proc/self/cgroup", "3:cpu,cpuacct:/docker/abc\n");
  dir.write(
      "proc/self/mountinfo",
      "30 25 0:26 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n");
  write_v1_quota(dir, "", "150000\n", "100000\n");
  auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(1.5));
  CHECK(report.cpu.cgroup_quota_path == "/docker/abc");

  // The path in /proc/self/cgroup is not under the mount's root: the mount point is the
  // process's cgroup (as the JVM and automaxprocs assume).
  dir.write("proc/self/cgroup", "3:cpu,cpuacct:/kubepods/pod1/xyz\n");
  report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(1.5));
  CHECK(report.cpu.usable == 2U);
}

TEST_CASE("cgroup: hybrid system uses the v1 controllers, not the empty cgroup2", "[cgroup]") {
  TempDir dir;
  write_v1(dir);
  dir.write("proc/self/cgroup", std::string(kV1Membership) + "0::/\n");
  dir.write(
      "proc/self/mountinfo",
      std::string(kV1Mounts) + "41 25 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n");
  dir.write("sys/fs/cgroup/unified/cgroup.controllers", "\n");
  write_v1_quota(dir, "/docker/abc", "50000\n", "100000\n");
  const auto report = probe(dir);
  CHECK(report.cgroup.version == 1);
  CHECK(*report.cpu.cgroup_quota == Approx(0.5));
}

TEST_CASE("cgroup: escaped mount points are decoded", "[cgroup]") {
  TempDir dir;
  write_cpus(dir);
  dir.write("proc/self/cgroup", "0::/a\n");
  dir.write("proc/self/mountinfo", "40 25 0:35 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
  dir.write("sys/fs/my cgroup/a/cpu.max", "100000 100000\n");
  const auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(1.0));
  CHECK(report.cpu.usable == 1U);
}

TEST_CASE("cgroup: garbage files are ignored, never fatal", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  dir.write("sys/fs/cgroup/app/job/cpu.max", "banana 100000\n");
  dir.write("sys/fs/cgroup/app/cpu.max", "150000 0\n");
  dir.write("sys/fs/cgroup/app/job/memory.max", "-5\n");
  dir.write("sys/fs/cgroup/app/job/cpuset.cpus.effective", "9-1\n");
  auto report = probe(dir);
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK_FALSE(report.cgroup.memory_limit_bytes.has_value());
  CHECK_FALSE(report.cpu.cgroup_cpuset.has_value());
  CHECK(report.cpu.usable == 4U);

  constexpr char kGarbage[] = "nonsense\n::\n7\n\0\xff\n";
  dir.write("proc/self/cgroup", std::string_view(kGarbage, sizeof kGarbage - 1));
  dir.write("proc/self/mountinfo", "garbage - cgroup2\n - \n1 2 3\n");
  report = probe(dir);
  CHECK_FALSE(report.cgroup.version.has_value());
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK(report.cpu.usable == 4U);
}

TEST_CASE("cgroup: unreadable files (directories in their place) are ignored", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  std::filesystem::create_directories(dir.path() / "sys/fs/cgroup/app/job/cpu.max");
  dir.write("sys/fs/cgroup/app/cpu.max", "200000 100000\n");
  auto report = probe(dir);
  REQUIRE(report.cpu.cgroup_quota.has_value());
  CHECK(*report.cpu.cgroup_quota == Approx(2.0));
  CHECK(report.cpu.cgroup_quota_path == "/app");

  std::filesystem::remove(dir.path() / "proc/self/cgroup");
  std::filesystem::create_directories(dir.path() / "proc/self/cgroup");
  report = probe(dir);
  CHECK_FALSE(report.cgroup.version.has_value());
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK(report.cpu.usable == 4U);
}

TEST_CASE("cgroup: empty cpu lists", "[cgroup]") {
  TempDir dir;
  write_v2(dir);
  // An empty cpuset file says nothing about the limit: it is ignored.
  dir.write("sys/fs/cgroup/app/job/cpuset.cpus.effective", "\n");
  auto report = probe(dir);
  CHECK_FALSE(report.cpu.cgroup_cpuset.has_value());
  CHECK(report.cpu.usable == 4U);

  // An empty online list is an empty set; usable never drops below 1.
  write_cpus(dir, "\n");
  report = probe(dir);
  REQUIRE(report.cpu.online.has_value());
  CHECK(report.cpu.online->empty());
  CHECK(report.cpu.usable_cpus == 0U);
  CHECK(report.cpu.usable == 1U);
}

TEST_CASE("cgroup: no cgroup files at all leaves every limit unknown", "[cgroup]") {
  TempDir dir;
  write_cpus(dir);
  const auto report = probe(dir);
  CHECK_FALSE(report.cgroup.version.has_value());
  CHECK_FALSE(report.cgroup.path.has_value());
  CHECK_FALSE(report.cpu.cgroup_quota.has_value());
  CHECK(report.cpu.usable == 4U);
}
