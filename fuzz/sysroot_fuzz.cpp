// Fuzzes the Linux probe through its real path: the input is cut into the files the probe
// reads (/proc/cpuinfo, cgroup files, cpu lists, meminfo, ...), written into a private root,
// and probed. Whatever the files hold, the probe must not crash.
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "conc_probe/platform.hpp"

namespace {

constexpr std::array<std::string_view, 14> kFiles{
    "proc/cpuinfo",
    "proc/self/cgroup",
    "proc/self/mountinfo",
    "proc/self/status",
    "proc/meminfo",
    "proc/stat",
    "sys/devices/system/cpu/online",
    "sys/devices/system/cpu/possible",
    "sys/fs/cgroup/cpu.max",
    "sys/fs/cgroup/memory.max",
    "sys/fs/cgroup/cpuset.cpus.effective",
    "sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
    "sys/devices/system/cpu/cpu0/cache/index0/size",
    "sys/devices/system/node/node0/cpulist",
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
  // Files are separated by a NUL byte; missing pieces leave the file empty.
  for (const auto name : kFiles) {
    const auto cut = input.find('\0');
    const auto piece = input.substr(0, cut);
    input = cut == std::string_view::npos ? std::string_view{} : input.substr(cut + 1);
    const auto path = root() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << piece;
  }
  conc_probe::ProbeOptions options{conc_probe::SysRoot(root()),
                                   std::map<std::string, std::string>{}};
  (void)conc_probe::probe_platform(options);
  return 0;
}
