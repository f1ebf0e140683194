// OS, memory and container facts of the Linux probe. uname, sysconf and the byte order
// describe the running machine, so they are used only when probing the live root; a
// replayed dump supplies what it has (/proc/sys/kernel/*, os-release, meminfo) or stays null.
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "conc_probe/text.hpp"
#include "platform/probes.hpp"

namespace conc_probe::platform {
namespace {

/// Machine names of 64-bit kernels (uname -m); anything else known is 32-bit.
constexpr std::array<std::string_view, 12> k64BitMachines{
    "x86_64",  "aarch64", "arm64",       "ppc64",  "ppc64le", "s390x",
    "riscv64", "sparc64", "loongarch64", "mips64", "alpha",   "ia64"};

struct Uname {
  std::string system, release, version, machine;
};

std::optional<Uname> live_uname() {
  struct utsname u {};
  if (::uname(&u) != 0) return std::nullopt;
  return Uname{u.sysname, u.release, u.version, u.machine};
}

void set(std::optional<std::string>& field, std::optional<std::string> value,
         PlatformReport& report, const std::string& key, const std::string& source) {
  if (!value) return;
  field = std::move(value);
  report.sources[key] = source;
}

void probe_kernel(const SysRoot& root, PlatformReport& report) {
  auto& os = report.os;
  if (root.is_live()) {
    if (const auto u = live_uname()) {
      set(os.system, u->system, report, "os.system", "uname()");
      set(os.kernel_release, u->release, report, "os.kernel_release", "uname()");
      set(os.kernel_version, u->version, report, "os.kernel_version", "uname()");
      set(report.identity.machine, u->machine, report, "identity.machine", "uname()");
    }
    return;
  }
  set(os.system, root.read_line("/proc/sys/kernel/ostype"), report, "os.system",
      "/proc/sys/kernel/ostype");
  set(os.kernel_release, root.read_line("/proc/sys/kernel/osrelease"), report, "os.kernel_release",
      "/proc/sys/kernel/osrelease");
  set(os.kernel_version, root.read_line("/proc/sys/kernel/version"), report, "os.kernel_version",
      "/proc/sys/kernel/version");
}

/// One os-release value, with its quotes removed.
std::optional<std::string> os_release_value(std::string_view content, std::string_view key) {
  for (const auto raw : text::split(content, '\n')) {
    const auto line = text::trim(raw);
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != '=') continue;
    auto value = text::trim(line.substr(key.size() + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (value.empty()) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

void probe_distribution(const SysRoot& root, PlatformReport& report) {
  std::string file = "/etc/os-release";
  auto content = root.read(file);
  if (!content) {
    file = "/usr/lib/os-release";
    content = root.read(file);
  }
  if (!content) return;
  auto& os = report.os;
  set(os.distribution, os_release_value(*content, "PRETTY_NAME"), report, "os.distribution", file);
  set(os.distribution_id, os_release_value(*content, "ID"), report, "os.distribution_id", file);
  set(os.distribution_version, os_release_value(*content, "VERSION_ID"), report,
      "os.distribution_version", file);
}

std::optional<unsigned> bits_of_machine(const std::string& machine) {
  for (const auto name : k64BitMachines) {
    if (machine == name) return 64U;
  }
  if (machine.empty()) return std::nullopt;
  return 32U;
}

void probe_binary_facts(const SysRoot& root, PlatformReport& report) {
  auto& id = report.identity;
  if (id.machine && !id.os_bits) {
    id.os_bits = bits_of_machine(*id.machine);
    report.sources["identity.os_bits"] = "machine name (" + *id.machine + ")";
  }
  report.sources["identity.binary_bits"] = "sizeof(void*) of this binary";
  if (!root.is_live()) return;
  if (!id.byte_order) {
    id.byte_order = std::endian::native == std::endian::little ? "little" : "big";
    report.sources["identity.byte_order"] = "this binary (std::endian)";
  }
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page > 0 && !id.page_size) {
    id.page_size = static_cast<std::uint64_t>(page);
    report.sources["identity.page_size"] = "sysconf(_SC_PAGESIZE)";
  }
}

/// A "Key:   123 kB" line of /proc/meminfo, in bytes.
std::optional<std::uint64_t> meminfo_bytes(std::string_view content, std::string_view key) {
  for (const auto line : text::split(content, '\n')) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    auto value = text::trim(line.substr(key.size() + 1));
    const bool kib = value.ends_with("kB");
    if (kib) value = text::trim(value.substr(0, value.size() - 2));
    const auto number = text::parse_u64(value);
    if (!number || (kib && *number > (UINT64_MAX >> 10))) return std::nullopt;
    return kib ? *number << 10 : *number;
  }
  return std::nullopt;
}

void probe_meminfo(const SysRoot& root, PlatformReport& report) {
  const auto content = root.read("/proc/meminfo");
  if (!content) return;
  report.memory.total_bytes = meminfo_bytes(*content, "MemTotal");
  report.memory.available_bytes = meminfo_bytes(*content, "MemAvailable");
  if (report.memory.total_bytes) report.sources["memory.total_bytes"] = "/proc/meminfo MemTotal";
  if (report.memory.available_bytes)
    report.sources["memory.available_bytes"] = "/proc/meminfo MemAvailable";
}

/// Container kinds recognised in /proc/self/cgroup paths, most specific first.
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kCgroupMarkers{{
    {"kubepods", "kubernetes"},
    {"libpod", "podman"},
    {"docker", "docker"},
    {"containerd", "containerd"},
    {"lxc", "lxc"},
    {"machine.slice", "systemd-nspawn"},
}};

void add_container(Virtualization& virt, std::string_view kind, std::string evidence) {
  if (!virt.container) virt.container = std::string(kind);
  virt.container_evidence.push_back(std::move(evidence));
}

void container_from_files(const SysRoot& root, Virtualization& virt) {
  if (root.exists("/run/.containerenv")) add_container(virt, "podman", "/run/.containerenv exists");
  if (root.exists("/.dockerenv")) add_container(virt, "docker", "/.dockerenv exists");
  if (const auto line = root.read_line("/run/systemd/container")) {
    add_container(virt, *line, "/run/systemd/container: " + *line);
  }
}

void container_from_cgroup(const SysRoot& root, Virtualization& virt) {
  const auto content = root.read("/proc/self/cgroup");
  if (!content) return;
  for (const auto& [marker, kind] : kCgroupMarkers) {
    for (const auto line : text::split(*content, '\n')) {
      if (line.find(marker) == std::string_view::npos) continue;
      add_container(virt, kind, "/proc/self/cgroup: " + std::string(text::trim(line)));
      break;
    }
  }
}

void container_from_environment(const Environment& env, const OsInfo& os, Virtualization& virt) {
  if (env.contains("KUBERNETES_SERVICE_HOST"))
    add_container(virt, "kubernetes", "KUBERNETES_SERVICE_HOST is set");
  if (auto it = env.find("container"); it != env.end() && !it->second.empty()) {
    add_container(virt, it->second, "container=" + it->second + " in the environment");
  }
  const auto release = os.kernel_release.value_or("");
  if (release.find("microsoft") != std::string::npos ||
      release.find("Microsoft") != std::string::npos || release.find("WSL") != std::string::npos) {
    add_container(virt, "wsl", "kernel release " + release);
  }
}

}  // namespace

void probe_os_and_memory(const SysRoot& root, PlatformReport& report) {
  probe_kernel(root, report);
  probe_distribution(root, report);
  probe_binary_facts(root, report);
  probe_meminfo(root, report);
}

void probe_container(const SysRoot& root, const Environment& env, PlatformReport& report) {
  auto& virt = report.virtualization;
  // Kubernetes runs its pods under a container runtime: name the orchestrator first.
  container_from_environment(env, report.os, virt);
  container_from_cgroup(root, virt);
  container_from_files(root, virt);
  if (virt.container) report.sources["virtualization.container"] = virt.container_evidence.front();
  if (virt.container && !virt.virtualization_type && !virt.hypervisor)
    virt.virtualization_type = "container";
}

}  // namespace conc_probe::platform
