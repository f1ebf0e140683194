// What the seed's Python calls would print on this machine, derived from facts already
// probed (no Python is run). Sources: CPython Lib/platform.py (processor() runs `uname -p`
// on Linux; architecture() inspects the interpreter binary) and Modules/posixmodule.c
// (os.cpu_count() is sysconf(_SC_NPROCESSORS_ONLN), which glibc reads from
// /sys/devices/system/cpu/online; PYTHON_CPU_COUNT overrides it from 3.13).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "conc_probe/text.hpp"
#include "platform/probes.hpp"

namespace conc_probe::platform {
namespace {

/// Distributions whose coreutils patch `uname -p` to print the machine name; elsewhere
/// (Debian, Ubuntu, Alpine, Arch) it prints "unknown", which Python turns into "".
constexpr std::array<std::string_view, 6> kPatchedUname{"fedora", "rhel",      "centos",
                                                        "rocky",  "almalinux", "ol"};

void derive_processor(const PlatformReport& report, PythonView& py) {
  const auto& id = report.os.distribution_id;
  if (!id) return;
  const bool patched =
      std::find(kPatchedUname.begin(), kPatchedUname.end(), *id) != kPatchedUname.end();
  py.processor = patched ? report.identity.machine.value_or("") : "";
  if (py.processor->empty()) {
    py.notes.push_back(
        "platform.processor() is '' here: it runs `uname -p`, which prints 'unknown' on " + *id +
        "; it never names the CPU model (that is identity.model_name)");
  }
}

void derive_cpu_count(const PlatformReport& report, PythonView& py) {
  const auto& cpu = report.cpu;
  if (auto it = cpu.overrides.find("PYTHON_CPU_COUNT"); it != cpu.overrides.end()) {
    if (const auto forced = text::parse_u64(it->second);
        forced && *forced > 0 && *forced < (1U << 20)) {
      py.cpu_count = static_cast<unsigned>(*forced);
      py.notes.push_back("multiprocessing.cpu_count() follows PYTHON_CPU_COUNT (Python 3.13+)");
      return;
    }
  }
  if (cpu.online) py.cpu_count = static_cast<unsigned>(cpu.online->size());
  if (py.cpu_count && cpu.usable && *py.cpu_count != *cpu.usable) {
    py.notes.push_back("multiprocessing.cpu_count() says " + std::to_string(*py.cpu_count) +
                       " (online CPUs) but this process can use " + std::to_string(*cpu.usable) +
                       ": it ignores the affinity mask, cpuset and CPU quota");
  }
}

}  // namespace

void derive_python_view(PlatformReport& report) {
  auto& py = report.python;
  py.system = report.os.system;
  py.architecture = std::to_string(report.identity.binary_bits) + "bit";
  py.notes.push_back(
      "platform.architecture() describes the Python binary, not the machine; shown: this binary's "
      "bits");
  if (report.identity.os_bits && *report.identity.os_bits != report.identity.binary_bits) {
    py.notes.push_back("a " + std::to_string(report.identity.binary_bits) + "-bit program on a " +
                       std::to_string(*report.identity.os_bits) + "-bit OS");
  }
  derive_processor(report, py);
  derive_cpu_count(report, py);
  report.sources["python.cpu_count"] = "online CPUs (os.cpu_count), or PYTHON_CPU_COUNT";
  report.sources["python.processor"] = "uname -p as patched (or not) by the distribution";
}

}  // namespace conc_probe::platform
