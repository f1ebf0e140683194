// Replays 16 real machines' /proc and /sys (tests/data/machines, from util-linux's lscpu
// test suite) and checks the probe against each machine's truth.json. Where conc-probe's
// documented rule (docs/topology.md) deliberately differs from lscpu, the check says so.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conc_probe/platform.hpp"
#include "conc_probe/text.hpp"
#include "platform/topology_sysfs.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

namespace fs = std::filesystem;
using conc_probe::CacheInfo;
using conc_probe::CoreKind;
using conc_probe::CpuSet;
using conc_probe::PlatformReport;
using conc_probe::ProbeOptions;
using conc_probe::SysRoot;
using conc_probe::testing::TempDir;
using conc_probe::testing::test_data_dir;
using nlohmann::json;

namespace {

const std::vector<std::string> kMachines = {"arm-A510-A710-A715-X3",
                                            "armv7",
                                            "loongarch-loongson_3a5000_hv",
                                            "ppc-qemu",
                                            "ppc64-POWER7",
                                            "rv64-linux",
                                            "rv64-visionfive2",
                                            "s390-kvm",
                                            "s390-lpar",
                                            "s390-nested-virt",
                                            "s390-zvm",
                                            "sparc64",
                                            "vbox-win",
                                            "x86_64-64cpu",
                                            "x86_64-dell_e4310",
                                            "x86_64-epyc_7451"};

fs::path machines_dir() { return test_data_dir() / "machines"; }

// Files of the dumps that no probe reads; skipping them keeps the extraction fast on a busy
// disk (the dumps hold some 22,000 files, mostly cpuidle, cpufreq and cache geometry).
constexpr const char* kUnread[] = {"cpuidle",
                                   "cpufreq",
                                   "power",
                                   "hotplug",
                                   "microcode",
                                   "crash_notes*",
                                   "thermal_throttle",
                                   "uevent",
                                   "core_ctl",
                                   "rq-stats",
                                   "hugepages",
                                   "vmstat",
                                   "numastat",
                                   "idle_*",
                                   "ways_of_associativity",
                                   "coherency_line_size",
                                   "number_of_sets",
                                   "physical_line_partition",
                                   "id",
                                   "pmc*",
                                   "mmcr*",
                                   "polarization",
                                   "configure",
                                   "address",
                                   "capability",
                                   "*_siblings"};

std::string extract_command(const std::string& name, const fs::path& into) {
  std::string command = "tar -xzf '" + (machines_dir() / name / "root.tar.gz").string() + "' -C '" +
                        into.string() + "'";
  for (const char* pattern : kUnread) command += std::string(" --exclude='") + pattern + "'";
  return command;
}

// The dumps are thousands of small files: on a busy disk writing and removing them takes
// tens of seconds, in memory about one. Temporary directories go to /dev/shm when it is
// there and the user has not chosen a TMPDIR.
bool prefer_memory_tmpdir() {
  std::error_code ec;
  if (std::getenv("TMPDIR") != nullptr || !fs::is_directory("/dev/shm", ec)) return false;
  return ::setenv("TMPDIR", "/dev/shm", 0) == 0;
}

// All dumps are extracted once, into one directory kept for the whole test run.
const fs::path& extracted_root() {
  [[maybe_unused]] static const bool in_memory = prefer_memory_tmpdir();
  static const TempDir dir;
  static const bool done = [] {
    for (const auto& name : kMachines) {
      const std::string command = extract_command(name, dir.path());
      if (std::system(command.c_str()) != 0) return false;
    }
    return true;
  }();
  REQUIRE(done);
  return dir.path();
}

json truth_of(const std::string& name) {
  std::ifstream in(machines_dir() / name / "truth.json");
  REQUIRE(in.good());
  return json::parse(in);
}

// Each dump is probed once; the test cases share the reports.
const PlatformReport& probe(const std::string& name) {
  static std::map<std::string, PlatformReport> reports;
  auto it = reports.find(name);
  if (it == reports.end()) {
    it = reports
             .emplace(name,
                      conc_probe::probe_platform(ProbeOptions{
                          SysRoot(extracted_root() / name), std::map<std::string, std::string>{}}))
             .first;
  }
  return it->second;
}

// lscpu prints NUMA lists with strides ("0-62:2"); CpuSet has no stride syntax.
CpuSet parse_strided(const std::string& text) {
  std::vector<unsigned> cpus;
  for (const auto part : conc_probe::text::split(text, ',')) {
    const auto colon = part.find(':');
    const auto range = part.substr(0, colon);
    const unsigned step =
        colon == std::string_view::npos
            ? 1U
            : static_cast<unsigned>(
                  conc_probe::text::parse_u64(part.substr(colon + 1)).value_or(1));
    const auto dash = range.find('-');
    const auto lo = conc_probe::text::parse_u64(range.substr(0, dash)).value_or(0);
    const auto hi = dash == std::string_view::npos
                        ? lo
                        : conc_probe::text::parse_u64(range.substr(dash + 1)).value_or(0);
    for (auto c = lo; c <= hi; c += step) cpus.push_back(static_cast<unsigned>(c));
  }
  return CpuSet(std::move(cpus));
}

std::optional<std::string> opt_string(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::string>();
}

const CoreKind* kind_named(const PlatformReport& r, const std::optional<std::string>& name) {
  for (const auto& kind : r.topology.core_kinds) {
    if (kind.model_name == name) return &kind;
  }
  return nullptr;
}

const CacheInfo* cache_named(const PlatformReport& r, const std::string& name) {
  for (const auto& cache : r.topology.caches) {
    if (cache.name == name) return &cache;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Replay: every dump extracts and probes without throwing", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    CHECK_NOTHROW(probe(name));
  }
}

TEST_CASE("Replay: online CPUs and offline list match lscpu", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    const CpuSet online = parse_strided(t["online"].get<std::string>());
    REQUIRE(r.topology.logical_cpus.has_value());
    CHECK(*r.topology.logical_cpus == t["online_count"].get<unsigned>());
    CHECK(online.size() == t["online_count"].get<std::size_t>());
    REQUIRE(r.cpu.online.has_value());
    CHECK(*r.cpu.online == online);
    const auto offline = opt_string(t, "offline");
    if (offline) {
      REQUIRE(r.cpu.offline.has_value());
      CHECK(*r.cpu.offline == parse_strided(*offline));
    } else {
      CHECK((!r.cpu.offline || r.cpu.offline->empty()));
    }
  }
}

TEST_CASE("Replay: cores, packages and threads per core per kind", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    const auto& kinds = t["core_kinds"];
    REQUIRE(r.topology.core_kinds.size() == kinds.size());
    REQUIRE(r.topology.cores.has_value());
    if (kinds.size() == 1) {
      const CoreKind& kind = r.topology.core_kinds.front();
      CHECK(*r.topology.cores == t["distinct_cores"].get<unsigned>());
      CHECK(kind.threads_per_core == kinds[0]["threads_per_core"].get<unsigned>());
      CHECK(r.topology.packages == t["distinct_sockets"].get<unsigned>());
      CHECK(kind.cpus.size() == t["online_count"].get<std::size_t>());
      continue;
    }
    // Hybrid: lscpu numbers cores per kind, so compare each kind's own counts.
    unsigned cores = 0;
    for (const auto& k : kinds) {
      const CoreKind* kind = kind_named(r, opt_string(k, "model_name"));
      REQUIRE(kind != nullptr);
      CHECK(kind->threads_per_core == k["threads_per_core"].get<unsigned>());
      CHECK(kind->sockets == k["sockets"].get<unsigned>());
      CHECK(kind->cores == k["cores_per_socket"].get<unsigned>() * k["sockets"].get<unsigned>());
      cores += k["cores_per_socket"].get<unsigned>() * k["sockets"].get<unsigned>();
    }
    CHECK(*r.topology.cores == cores);
  }
}

TEST_CASE("Replay: NUMA nodes and their CPU lists", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    if (t["numa_nodes"].is_null()) {
      CHECK(r.topology.numa_nodes.empty());
      continue;
    }
    REQUIRE(r.topology.numa_nodes.size() == t["numa_nodes"].get<std::size_t>());
    for (const auto& node : r.topology.numa_nodes) {
      const std::string key = "node" + std::to_string(node.id);
      REQUIRE(t["numa"].contains(key));
      CHECK(node.cpus == parse_strided(t["numa"][key].get<std::string>()));
    }
  }
}

TEST_CASE("Replay: cache sizes and instances", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    for (const auto& c : t["caches"]) {
      const auto level_type = c["level_type"].get<std::string>();
      INFO(level_type);
      const CacheInfo* cache = cache_named(r, level_type);
      REQUIRE(cache != nullptr);
      const auto total = static_cast<std::uint64_t>(c["total_kib"].get<double>() * 1024);
      if (c["instances"].is_null()) {
        // Our rule: a level known only from /proc/cpuinfo (s390 L3/L4) has an unknown
        // number of instances, so no total; lscpu prints the one size as the total.
        CHECK_FALSE(cache->instances.has_value());
        CHECK(cache->size_bytes == total);
        CHECK_FALSE(cache->total_bytes.has_value());
      } else {
        CHECK(cache->instances == c["instances"].get<unsigned>());
        CHECK(cache->total_bytes == total);
      }
    }
    // No sized cache that lscpu did not show (unsized ones, e.g. on the ARM dump, are fine).
    for (const auto& cache : r.topology.caches) {
      if (!cache.size_bytes) continue;
      INFO(cache.name);
      CHECK(std::any_of(t["caches"].begin(), t["caches"].end(),
                        [&](const json& c) { return c["level_type"] == cache.name; }));
    }
  }
}

TEST_CASE("Replay: model names per kind and vendor", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    for (const auto& k : t["core_kinds"]) {
      const auto model = opt_string(k, "model_name");
      if (!model) {
        // lscpu names no s390 model; we name the machine type from "machine = 2817".
        REQUIRE(name.starts_with("s390"));
        REQUIRE(r.topology.core_kinds.front().model_name.has_value());
        CHECK(r.topology.core_kinds.front().model_name->starts_with("IBM z"));
        continue;
      }
      CHECK(kind_named(r, model) != nullptr);
    }
    CHECK(r.identity.model_name == r.topology.core_kinds.front().model_name);
    const auto vendor = opt_string(t, "vendor");
    if (name.starts_with("loongarch")) {
      CHECK(r.identity.vendor == "Loongson");  // lscpu prints none; the ISA has one vendor
    } else {
      CHECK(r.identity.vendor == vendor);
    }
  }
}

TEST_CASE("Replay: hypervisor vendor and virtualization type", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    CHECK(r.virtualization.hypervisor == opt_string(t, "hypervisor_vendor"));
    CHECK(r.virtualization.virtualization_type == opt_string(t, "virtualization_type"));
    CHECK(r.virtualization.hypervisor_evidence.empty() == !r.virtualization.hypervisor);
  }
}

TEST_CASE("Replay: s390 books and drawers", "[platform][replay]") {
  for (const auto& name : kMachines) {
    INFO(name);
    const json t = truth_of(name);
    const PlatformReport& r = probe(name);
    std::optional<unsigned> books;
    if (!t["books"].is_null()) books = t["books"].get<unsigned>();
    if (t.contains("books_per_drawer") && !t["drawers"].is_null()) {
      books = t["books_per_drawer"].get<unsigned>() * t["drawers"].get<unsigned>();
    }
    // lscpu takes the machine-wide book count from /proc/sysinfo "CPU Topology SW" (4);
    // we count the books that hold this system's online CPUs (book_siblings_list): 2.
    if (name == "s390-lpar") books = 2;
    CHECK(r.topology.books == books);
    std::optional<unsigned> drawers;
    if (!t["drawers"].is_null()) drawers = t["drawers"].get<unsigned>();
    CHECK(r.topology.drawers == drawers);
  }
}

TEST_CASE("Replay: ARM kinds keep MIDR ids, stepping and capacity labels", "[platform][replay]") {
  const PlatformReport& r = probe("arm-A510-A710-A715-X3");
  const CoreKind* little = kind_named(r, "Cortex-A510");
  const CoreKind* x3 = kind_named(r, "Cortex-X3");
  REQUIRE(little != nullptr);
  REQUIRE(x3 != nullptr);
  CHECK(little->midr_implementer == "0x41");
  CHECK(little->midr_part == "0xd46");
  CHECK(little->stepping == "r1p1");
  CHECK(little->capacity == 280U);
  CHECK(little->label == "efficiency");
  CHECK(x3->label == "performance");
  CHECK(x3->cpus.to_string() == "7");
  // Our rule: packages are distinct package_cpus sets; on this phone they are 3 clusters.
  CHECK(r.topology.packages == 3U);
  const PlatformReport& old = probe("armv7");  // MIDR printed once for all CPUs
  CHECK(old.topology.core_kinds.front().midr_part == "0xc0f");
}

TEST_CASE("Replay: x86-64 ISA level from the flags", "[platform][replay]") {
  CHECK(probe("vbox-win").identity.isa_level == "x86-64-v1");
  CHECK(probe("x86_64-epyc_7451").identity.isa_level == "x86-64-v3");
  CHECK_FALSE(probe("ppc64-POWER7").identity.isa_level.has_value());
}

TEST_CASE("Replay: records sources under dotted keys", "[platform][replay]") {
  const PlatformReport& r = probe("x86_64-epyc_7451");
  for (const char* key :
       {"topology.cores", "topology.packages", "topology.caches", "topology.numa_nodes",
        "topology.core_kinds", "identity.model_name", "identity.vendor"}) {
    INFO(key);
    CHECK(r.sources.contains(key));
  }
  CHECK(probe("vbox-win").sources.at("virtualization.hypervisor").find("80ee") !=
        std::string::npos);
}

TEST_CASE("Topology: an empty root is all unknown, not an error", "[platform]") {
  const TempDir dir;
  const PlatformReport r = conc_probe::probe_platform(
      ProbeOptions{SysRoot(dir.path()), std::map<std::string, std::string>{}});
  CHECK_FALSE(r.topology.cores.has_value());
  CHECK_FALSE(r.topology.packages.has_value());
  CHECK(r.topology.core_kinds.empty());
  CHECK(r.topology.caches.empty());
  CHECK_FALSE(r.identity.model_name.has_value());
  CHECK_FALSE(r.virtualization.hypervisor.has_value());
}

TEST_CASE("Topology: falls back to /proc/cpuinfo ids without sysfs topology", "[platform]") {
  const TempDir dir;
  std::string cpuinfo;
  for (int cpu = 0; cpu < 8; ++cpu) {
    cpuinfo += "processor\t: " + std::to_string(cpu) +
               "\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU\nflags\t\t: fpu hypervisor\n" +
               "physical id\t: " + std::to_string(cpu / 4) +
               "\ncore id\t\t: " + std::to_string(cpu % 2) + "\n\n";
  }
  dir.write("proc/cpuinfo", cpuinfo);
  dir.write("sys/devices/system/cpu/online", "0-7\n");
  const PlatformReport r = conc_probe::probe_platform(
      ProbeOptions{SysRoot(dir.path()), std::map<std::string, std::string>{}});
  CHECK(r.topology.packages == 2U);
  CHECK(r.topology.cores == 4U);
  REQUIRE(r.topology.core_kinds.size() == 1);
  CHECK(r.topology.core_kinds.front().threads_per_core == 2U);
  CHECK(r.sources.at("topology.cores").find("cpuinfo") != std::string::npos);
  // The hypervisor flag alone: virtualised, vendor unknown.
  CHECK_FALSE(r.virtualization.hypervisor.has_value());
  CHECK(r.virtualization.virtualization_type == "full");
}

TEST_CASE("Topology: Intel hybrid kinds from cpu_core and cpu_atom", "[platform]") {
  const TempDir dir;
  std::string cpuinfo;
  for (int cpu = 0; cpu < 6; ++cpu) {
    cpuinfo += "processor\t: " + std::to_string(cpu) + "\nmodel name\t: Hybrid Test\n\n";
  }
  dir.write("proc/cpuinfo", cpuinfo);
  dir.write("sys/devices/system/cpu/online", "0-5\n");
  // Two P-cores with two threads each (0-1, 2-3), two single-thread E-cores (4, 5).
  for (int cpu = 0; cpu < 6; ++cpu) {
    const std::string core = cpu < 4 ? (cpu < 2 ? "0-1" : "2-3") : std::to_string(cpu);
    dir.write("sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/thread_siblings_list",
              core + "\n");
    dir.write("sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/core_siblings_list",
              "0-5\n");
  }
  dir.write("sys/devices/cpu_core/cpus", "0-3\n");
  dir.write("sys/devices/cpu_atom/cpus", "4-5\n");
  const PlatformReport r = conc_probe::probe_platform(
      ProbeOptions{SysRoot(dir.path()), std::map<std::string, std::string>{}});
  REQUIRE(r.topology.core_kinds.size() == 2);
  const auto& p = r.topology.core_kinds[0];
  const auto& e = r.topology.core_kinds[1];
  CHECK(p.label == "performance");
  CHECK(p.threads_per_core == 2U);
  CHECK(p.cores == 2U);
  CHECK(e.label == "efficiency");
  CHECK(e.threads_per_core == 1U);  // per kind, not lscpu's machine-wide maximum
  CHECK(e.cores == 2U);
  CHECK(r.topology.cores == 4U);
  CHECK(r.topology.packages == 1U);
}

TEST_CASE("Topology: hex CPU masks and cache sizes", "[platform]") {
  using conc_probe::platform::topology::parse_cache_size;
  using conc_probe::platform::topology::parse_cpu_mask;
  CHECK(parse_cpu_mask("00000000,0000000f\n")->to_string() == "0-3");
  CHECK(parse_cpu_mask("00000f00")->to_string() == "8-11");
  CHECK(parse_cpu_mask("1,00000001")->to_string() == "0,32");
  CHECK(parse_cpu_mask("0")->empty());
  CHECK_FALSE(parse_cpu_mask("").has_value());
  CHECK_FALSE(parse_cpu_mask("0x3").has_value());
  CHECK_FALSE(parse_cpu_mask("zz").has_value());
  CHECK_FALSE(parse_cpu_mask("1" + std::string(20000, '0')).has_value());  // beyond kMaxCpu
  CHECK(parse_cache_size("32K") == 32U * 1024);
  CHECK(parse_cache_size("2M\n") == 2U << 20);
  CHECK(parse_cache_size("1048576") == 1048576U);
  CHECK_FALSE(parse_cache_size("K").has_value());
  CHECK_FALSE(parse_cache_size("99999999999999999999G").has_value());
}

TEST_CASE("Hypervisor: DMI names and Xen paravirtualisation", "[platform]") {
  const auto probe_dir = [](const TempDir& dir) {
    return conc_probe::probe_platform(
        ProbeOptions{SysRoot(dir.path()), std::map<std::string, std::string>{}});
  };
  const TempDir vmware;
  vmware.write("proc/cpuinfo",
               "processor : 0\nvendor_id : GenuineIntel\nflags : fpu lm hypervisor\n");
  vmware.write("sys/class/dmi/id/sys_vendor", "VMware, Inc.\n");
  vmware.write("sys/class/dmi/id/product_name", "VMware7,1\n");
  const PlatformReport v = probe_dir(vmware);
  CHECK(v.virtualization.hypervisor == "VMware");
  CHECK(v.virtualization.virtualization_type == "full");
  CHECK(v.virtualization.hypervisor_evidence.size() == 2);  // DMI and the cpuinfo flag

  const TempDir xen;
  xen.write("proc/cpuinfo", "processor : 0\nvendor_id : GenuineIntel\nflags : fpu lm\n");
  xen.write("sys/hypervisor/type", "xen\n");
  const PlatformReport x = probe_dir(xen);
  CHECK(x.virtualization.hypervisor == "Xen");
  CHECK(x.virtualization.virtualization_type == "para");

  const TempDir physical;  // a real board's DMI names no hypervisor
  physical.write("sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
  CHECK_FALSE(probe_dir(physical).virtualization.hypervisor.has_value());
  CHECK(probe_dir(physical).virtualization.hypervisor_evidence.empty());
}
