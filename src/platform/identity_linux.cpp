// CPU identity from /proc/cpuinfo: model name, vendor, x86-64 ISA level.
#include "conc_probe/text.hpp"
#include "platform/cpuinfo.hpp"
#include "platform/probes.hpp"

namespace conc_probe::platform {
namespace {

constexpr std::string_view kCpuinfo = "/proc/cpuinfo";

// The CPU whose description stands for the machine: the first CPU of the first core kind.
unsigned reference_cpu(const PlatformReport& report, const Cpuinfo& info) {
  const auto& kinds = report.topology.core_kinds;
  if (!kinds.empty() && !kinds.front().cpus.empty()) return kinds.front().cpus.cpus().front();
  const auto cpus = info.cpus();
  return cpus.empty() ? 0 : cpus.front();
}

// s390 without "machine =" in cpuinfo: the machine type from /proc/sysinfo "Type:".
std::optional<std::string> s390_type(const SysRoot& root) {
  const auto sysinfo = root.read("/proc/sysinfo");
  if (!sysinfo) return std::nullopt;
  for (const auto line : text::split(*sysinfo, '\n')) {
    if (line.substr(0, 5) != "Type:") continue;
    const auto type = text::trim(line.substr(5));
    if (!type.empty()) return "IBM " + std::string(type);
  }
  return std::nullopt;
}

}  // namespace

void probe_identity(const SysRoot& root, const Cpuinfo& info, PlatformReport& report) {
  Identity& id = report.identity;
  const unsigned cpu = reference_cpu(report, info);
  const CpuDescription d = describe_cpu(info, cpu);
  const auto& kinds = report.topology.core_kinds;
  id.model_name = kinds.empty() ? d.model_name : kinds.front().model_name;
  if (!id.model_name && info.arch() == CpuinfoArch::S390) {
    id.model_name = s390_type(root);
    if (id.model_name) report.sources["identity.model_name"] = "/proc/sysinfo (Type)";
  }
  if (id.model_name && !report.sources.contains("identity.model_name")) {
    report.sources["identity.model_name"] =
        d.midr_part ? "/proc/cpuinfo (CPU implementer, CPU part) + part name table"
                    : std::string(kCpuinfo);
  }
  id.vendor = d.vendor;
  if (id.vendor) report.sources["identity.vendor"] = kCpuinfo;
  if (info.arch() == CpuinfoArch::X86) {
    if (const auto flags = info.get(cpu, "flags")) id.isa_level = x86_isa_level(*flags);
    if (id.isa_level) report.sources["identity.isa_level"] = "/proc/cpuinfo (flags)";
  }
}

}  // namespace conc_probe::platform
