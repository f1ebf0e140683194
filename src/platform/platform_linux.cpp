#include <cstdlib>

#include "conc_probe/platform.hpp"
#include "platform/probes.hpp"

extern char** environ;

namespace conc_probe {
namespace {

platform::Environment live_environment() {
  platform::Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq != std::string_view::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
  }
  return env;
}

platform::Environment environment_of(const ProbeOptions& options, bool live) {
  if (options.environment) return *options.environment;
  return live ? live_environment() : platform::Environment{};
}

}  // namespace

PlatformReport probe_cpu_counts(const ProbeOptions& options) {
  PlatformReport report;
  report.live = options.root.is_live();
  report.sysroot = options.root.root().string();
  platform::probe_cpu_lists(options.root, report);
  platform::probe_cgroup(options.root, report);
  platform::derive_usable(environment_of(options, report.live), report);
  return report;
}

PlatformReport probe_platform(const ProbeOptions& options) {
  PlatformReport report;
  report.live = options.root.is_live();
  report.sysroot = options.root.root().string();
  const platform::Environment env = environment_of(options, report.live);
  platform::probe_cpu_lists(options.root, report);
  platform::probe_cgroup(options.root, report);
  platform::derive_usable(env, report);
  const platform::Cpuinfo cpuinfo =
      platform::Cpuinfo::parse(options.root.read("/proc/cpuinfo").value_or(""));
  platform::probe_topology(options.root, cpuinfo, report);
  platform::probe_identity(options.root, cpuinfo, report);
  platform::probe_os_and_memory(options.root, report);
  platform::probe_hypervisor(options.root, cpuinfo, report);
  platform::probe_container(options.root, env, report);
  platform::derive_python_view(report);
  return report;
}

}  // namespace conc_probe
