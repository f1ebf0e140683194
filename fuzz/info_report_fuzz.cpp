// Fuzzes the whole `info` report: the input is cut into the files of a Linux machine (cpu
// lists, cpuN directories, caches, frequencies, NUMA nodes, cgroup and cpuset mounts,
// os-release), written into a private root, probed, and rendered as the table and as JSON.
// Whatever the files hold, nothing may crash and the JSON must parse back.
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "conc_probe/error.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/reporter.hpp"

namespace {

constexpr std::array<std::string_view, 30> kFiles{
    "proc/cpuinfo",
    "proc/self/cgroup",
    "proc/self/mountinfo",
    "proc/mounts",
    "proc/self/cpuset",
    "proc/self/status",
    "proc/meminfo",
    "etc/os-release",
    "sys/devices/system/cpu/online",
    "sys/devices/system/cpu/present",
    "sys/devices/system/cpu/cpu1/online",
    "sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
    "sys/devices/system/cpu/cpu1/topology/core_cpus_list",
    "sys/devices/system/cpu/cpu0/topology/package_cpus_list",
    "sys/devices/system/cpu/cpu0/cache/index0/level",
    "sys/devices/system/cpu/cpu0/cache/index0/type",
    "sys/devices/system/cpu/cpu0/cache/index0/size",
    "sys/devices/system/cpu/cpu0/cache/index0/shared_cpu_list",
    "sys/devices/system/cpu/cpu1/cache/index0/size",
    "sys/devices/system/cpu/cpu1/cache/index0/shared_cpu_map",
    "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq",
    "sys/devices/system/cpu/cpu1/cpufreq/base_frequency",
    "sys/devices/system/cpu/cpu1/cpu_capacity",
    "sys/devices/system/node/node0/cpulist",
    "sys/devices/system/node/node1/cpumap",
    "sys/devices/system/node/node0/meminfo",
    "sys/fs/cgroup/cpu.max",
    "sys/fs/cgroup/cpuset.cpus.effective",
    "dev/cpuset/cpus",
    "sys/devices/cpu_core/cpus",
};

const std::filesystem::path& root() {
  static const std::filesystem::path path = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "conc-probe-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    return std::filesystem::path(pattern);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Files are separated by a NUL byte followed by '|' (a lone NUL stays in the file, as
  // real sysfs files end in one); missing pieces leave the file absent.
  for (const auto name : kFiles) {
    const auto path = root() / name;
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (input.empty()) continue;
    const auto cut = input.find(std::string_view("\0|", 2));
    const auto piece = input.substr(0, cut);
    input = cut == std::string_view::npos ? std::string_view{} : input.substr(cut + 2);
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << piece;
  }
  conc_probe::ProbeOptions options{conc_probe::SysRoot(root()),
                                   std::map<std::string, std::string>{}};
  const auto report = conc_probe::probe_platform(options);
  std::ostringstream table;
  conc_probe::write_info(table, report, conc_probe::Format::Table);
  std::ostringstream json;
  conc_probe::write_info(json, report, conc_probe::Format::Json);
  if (!nlohmann::json::accept(json.str())) std::abort();
  for (const char* key : {"cpu.usable", "cpu.cgroup_quota", "os.distribution"}) {
    (void)conc_probe::info_get(report, key);
  }
  return 0;
}
