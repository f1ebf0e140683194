// The probe on systems that are neither Linux nor macOS: only what the C++ standard library
// can tell. Compiled everywhere, active only there.
#if !defined(__linux__) && !defined(__APPLE__)

#include <thread>
#endif

#include "conc_probe/platform.hpp"

#if !defined(__linux__) && !defined(__APPLE__)
#include "platform/probes.hpp"

namespace conc_probe {

PlatformReport probe_platform(const ProbeOptions& options) {
  PlatformReport report;
  report.live = options.root.is_live();
  report.sysroot = options.root.root().string();
  if (const unsigned n = std::thread::hardware_concurrency(); n > 0 && report.live) {
    report.cpu.usable_cpus = n;
    report.cpu.usable_fraction = static_cast<double>(n);
    report.cpu.usable = n;
    report.cpu.recommended_cpu_workers = n;
    report.cpu.recommended_io_workers = n + 4 < 32 ? n + 4 : 32;
    report.sources["cpu.usable"] = "std::thread::hardware_concurrency()";
  }
  platform::derive_python_view(report);
  return report;
}

}  // namespace conc_probe

#endif

#if !defined(__linux__)
namespace conc_probe {

// Elsewhere the whole probe is cheap: the CPU counts are its first part.
PlatformReport probe_cpu_counts(const ProbeOptions& options) { return probe_platform(options); }

}  // namespace conc_probe
#endif
