// The macOS probe: sysctlbyname for counts, performance levels, model, memory and kernel.
// No cgroups, no affinity API (thread affinity on macOS is only a hint): the usable count is
// hw.activecpu. Replaying a dump (--sysroot) is a Linux feature; here it reports nothing.
#include <sys/sysctl.h>
#include <sys/types.h>

#include <bit>
#include <cstdint>
#include <optional>
#include <string>

#include "conc_probe/platform.hpp"
#include "platform/probes.hpp"

namespace conc_probe {
namespace {

std::optional<std::uint64_t> sysctl_number(const std::string& name) {
  std::uint64_t value = 0;
  std::size_t size = sizeof value;
  if (::sysctlbyname(name.c_str(), &value, &size, nullptr, 0) != 0) return std::nullopt;
  if (size == sizeof(std::uint32_t)) {
    std::uint32_t narrow = 0;
    size = sizeof narrow;
    if (::sysctlbyname(name.c_str(), &narrow, &size, nullptr, 0) != 0) return std::nullopt;
    return narrow;
  }
  return size == sizeof value ? std::optional<std::uint64_t>(value) : std::nullopt;
}

std::optional<unsigned> sysctl_unsigned(const std::string& name) {
  const auto value = sysctl_number(name);
  if (!value || *value > 0xFFFFFFFFULL) return std::nullopt;
  return static_cast<unsigned>(*value);
}

std::optional<std::string> sysctl_text(const std::string& name) {
  std::size_t size = 0;
  if (::sysctlbyname(name.c_str(), nullptr, &size, nullptr, 0) != 0 || size == 0)
    return std::nullopt;
  std::string value(size, '\0');
  if (::sysctlbyname(name.c_str(), value.data(), &size, nullptr, 0) != 0) return std::nullopt;
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  if (value.empty()) return std::nullopt;
  return value;
}

/// The CPU numbers [first, first + count).
CpuSet range(unsigned first, unsigned count) {
  std::vector<unsigned> cpus;
  for (unsigned i = 0; i < count; ++i) cpus.push_back(first + i);
  return CpuSet{std::move(cpus)};
}

void probe_counts(PlatformReport& r) {
  const auto logical = sysctl_unsigned("hw.logicalcpu_max");
  const auto active = sysctl_unsigned("hw.activecpu");
  if (logical) r.cpu.possible = r.cpu.present = range(0, *logical);
  if (active) r.cpu.online = r.cpu.affinity = range(0, *active);
  r.sources["cpu.possible"] = r.sources["cpu.present"] = "sysctl hw.logicalcpu_max";
  r.sources["cpu.online"] = "sysctl hw.activecpu";
  r.sources["cpu.affinity"] = "sysctl hw.activecpu (macOS has no affinity mask)";
  if (!active) return;
  r.cpu.usable_cpus = *active;
  r.cpu.usable_fraction = static_cast<double>(*active);
  r.cpu.usable = *active > 0 ? *active : 1U;
  r.cpu.recommended_cpu_workers = r.cpu.usable;
  r.cpu.recommended_io_workers = *r.cpu.usable + 4 < 32 ? *r.cpu.usable + 4 : 32U;
  r.sources["cpu.usable"] = "hw.activecpu (no quota on macOS)";
}

/// Apple silicon's performance levels: perflevel0 is the fastest.
void probe_perf_levels(PlatformReport& r) {
  const auto levels = sysctl_unsigned("hw.nperflevels").value_or(0);
  unsigned first = 0;
  for (unsigned level = 0; level < levels; ++level) {
    const std::string prefix = "hw.perflevel" + std::to_string(level) + ".";
    CoreKind kind;
    kind.label = sysctl_text(prefix + "name");
    kind.cores = sysctl_unsigned(prefix + "physicalcpu");
    const auto logical = sysctl_unsigned(prefix + "logicalcpu").value_or(0);
    kind.cpus = range(first, logical);
    first += logical;
    if (kind.cores && *kind.cores > 0) kind.threads_per_core = logical / *kind.cores;
    kind.model_name = r.identity.model_name;
    r.topology.core_kinds.push_back(std::move(kind));
  }
  if (levels > 0) r.sources["topology.core_kinds"] = "sysctl hw.perflevelN.*";
}

void probe_identity_and_os(PlatformReport& r) {
  r.identity.model_name = sysctl_text("machdep.cpu.brand_string");
  r.identity.vendor = sysctl_text("machdep.cpu.vendor");
  r.identity.machine = sysctl_text("hw.machine");
  r.identity.os_bits = 64;  // every supported macOS is 64-bit only
  r.identity.byte_order = std::endian::native == std::endian::little ? "little" : "big";
  r.identity.page_size = sysctl_number("hw.pagesize");
  r.os.system = sysctl_text("kern.ostype");
  r.os.kernel_release = sysctl_text("kern.osrelease");
  r.os.kernel_version = sysctl_text("kern.version");
  r.os.distribution_version = sysctl_text("kern.osproductversion");
  if (r.os.distribution_version) r.os.distribution = "macOS " + *r.os.distribution_version;
  r.topology.packages = sysctl_unsigned("hw.packages");
  r.topology.cores = sysctl_unsigned("hw.physicalcpu_max");
  r.topology.logical_cpus = sysctl_unsigned("hw.activecpu");
  r.memory.total_bytes = sysctl_number("hw.memsize");
  r.sources["identity.model_name"] = "sysctl machdep.cpu.brand_string";
  r.sources["os.system"] = "sysctl kern.ostype";
  r.sources["memory.total_bytes"] = "sysctl hw.memsize";
}

}  // namespace

PlatformReport probe_platform(const ProbeOptions& options) {
  PlatformReport report;
  report.live = options.root.is_live();
  report.sysroot = options.root.root().string();
  if (report.live) {
    probe_identity_and_os(report);
    probe_counts(report);
    probe_perf_levels(report);
  }
  platform::derive_python_view(report);
  return report;
}

}  // namespace conc_probe
