// Hypervisor detection from every place that can tell, each recorded as evidence. The
// vendor names are lscpu's ("KVM", "VMware", "Oracle", "Microsoft", "Xen", "IBM", ...).
#include <array>
#include <cstring>
#include <span>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "conc_probe/text.hpp"
#include "platform/cpuinfo.hpp"
#include "platform/probes.hpp"

namespace conc_probe::platform {
namespace {

/// One source's verdict: the vendor when the source names one, and what it saw.
struct Finding {
  std::optional<std::string> vendor;
  std::string evidence;
};

struct Rule {
  std::string_view needle;
  std::string_view vendor;
};

std::optional<std::string> match(std::string_view haystack, std::span<const Rule> rules) {
  for (const auto& rule : rules) {
    if (haystack.find(rule.needle) != std::string_view::npos) return std::string(rule.vendor);
  }
  return std::nullopt;
}

std::optional<Finding> from_cpuid([[maybe_unused]] const SysRoot& root) {
#if defined(__x86_64__) || defined(__i386__)
  if (!root.is_live()) return std::nullopt;  // CPUID describes this machine, not a dump
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || (c & (1U << 31)) == 0) return std::nullopt;
  __cpuid(0x40000000U, a, b, c, d);
  std::array<char, 13> id{};
  std::memcpy(id.data(), &b, 4);
  std::memcpy(id.data() + 4, &c, 4);
  std::memcpy(id.data() + 8, &d, 4);
  const std::string signature(id.data());
  static constexpr Rule kRules[] = {
      {"KVMKVMKVM", "KVM"},     {"Microsoft Hv", "Microsoft"}, {"VMwareVMware", "VMware"},
      {"XenVMMXenVMM", "Xen"},  {"VBoxVBoxVBox", "Oracle"},    {"TCGTCGTCGTCG", "QEMU"},
      {"bhyve bhyve", "bhyve"}, {"ACRNACRNACRN", "ACRN"},      {" lrpepyh  vr", "Parallels"},
  };
  return Finding{match(signature, kRules),
                 "CPUID hypervisor bit set, vendor leaf '" + signature + "'"};
#else
  return std::nullopt;
#endif
}

std::optional<Finding> from_cpuinfo_flag(const Cpuinfo& info) {
  const auto flags = info.first("flags");
  if (!flags || (" " + *flags + " ").find(" hypervisor ") == std::string::npos) return std::nullopt;
  return Finding{std::nullopt, "/proc/cpuinfo flags: hypervisor"};
}

std::optional<Finding> from_sys_hypervisor(const SysRoot& root) {
  const auto type = root.read_line("/sys/hypervisor/type");
  if (!type) return std::nullopt;
  static constexpr Rule kRules[] = {{"xen", "Xen"}, {"z/VM", "IBM"}};
  return Finding{match(*type, kRules).value_or(*type), "/sys/hypervisor/type: " + *type};
}

std::optional<Finding> from_dmi(const SysRoot& root) {
  const auto vendor = root.read_line("/sys/class/dmi/id/sys_vendor");
  const auto product = root.read_line("/sys/class/dmi/id/product_name");
  if (!vendor && !product) return std::nullopt;
  const std::string both = vendor.value_or("") + " / " + product.value_or("");
  static constexpr Rule kRules[] = {
      {"VMware", "VMware"},       {"VirtualBox", "Oracle"},
      {"innotek", "Oracle"},      {"KVM", "KVM"},
      {"QEMU", "QEMU"},           {"Virtual Machine", "Microsoft"},
      {"HVM domU", "Xen"},        {"Xen", "Xen"},
      {"Parallels", "Parallels"}, {"Google Compute Engine", "KVM"},
      {"BHYVE", "bhyve"},         {"Bochs", "Bochs"},
  };
  auto found = match(both, kRules);
  if (!found) return std::nullopt;  // a physical machine's DMI is no evidence of anything
  return Finding{std::move(found), "/sys/class/dmi/id sys_vendor / product_name: " + both};
}

// Emulated devices only a hypervisor provides, as /proc/bus/pci/devices lists them
// (second column: vendor and device id). One small file read, no bus scan.
std::optional<Finding> from_pci(const SysRoot& root) {
  const auto devices = root.read("/proc/bus/pci/devices");
  if (!devices) return std::nullopt;
  static constexpr Rule kRules[] = {
      {"80eebeef", "Oracle"},    {"80eecafe", "Oracle"}, {"15ad0405", "VMware"},
      {"15ad0710", "VMware"},    {"15ad0740", "VMware"}, {"58530001", "Xen"},
      {"14145353", "Microsoft"},
  };
  for (const auto line : text::split(*devices, '\n')) {
    const auto fields = text::split(line, '\t');
    if (fields.size() < 2) continue;
    const auto id = text::trim(fields[1]);
    if (auto vendor = match(id, kRules)) {
      return Finding{std::move(vendor), "/proc/bus/pci/devices: device " +
                                            std::string(id.substr(0, 4)) + ":" +
                                            std::string(id.substr(4))};
    }
  }
  return std::nullopt;
}

// s390: the innermost level (VM00) of /proc/sysinfo is the one this system runs on.
std::optional<Finding> from_s390_sysinfo(const SysRoot& root) {
  const auto sysinfo = root.read("/proc/sysinfo");
  if (!sysinfo) return std::nullopt;
  std::optional<std::string> lpar;
  for (const auto line : text::split(*sysinfo, '\n')) {
    if (line.starts_with("VM00 Control Program:")) {
      const std::string program(text::trim(line.substr(21)));
      const bool kvm = program.find("KVM") != std::string::npos;
      return Finding{kvm ? "KVM" : "IBM", "/proc/sysinfo VM00 Control Program: " + program};
    }
    if (line.starts_with("LPAR Name:")) lpar = std::string(text::trim(line.substr(10)));
  }
  if (!lpar) return std::nullopt;
  return Finding{"IBM", "/proc/sysinfo: LPAR " + *lpar + " (PR/SM)"};
}

bool is_xen_pv(const Virtualization& virt, const Cpuinfo& info) {
  return virt.hypervisor == "Xen" && info.arch() == CpuinfoArch::X86 &&
         !from_cpuinfo_flag(info).has_value();
}

}  // namespace

void probe_hypervisor(const SysRoot& root, const Cpuinfo& info, PlatformReport& report) {
  // Most specific first: the first finding that names a vendor decides.
  const std::optional<Finding> findings[] = {
      from_cpuid(root), from_sys_hypervisor(root), from_s390_sysinfo(root), from_dmi(root),
      from_pci(root),   from_cpuinfo_flag(info),
  };
  Virtualization& virt = report.virtualization;
  for (const auto& finding : findings) {
    if (!finding) continue;
    virt.hypervisor_evidence.push_back(finding->evidence);
    if (!virt.hypervisor && finding->vendor) {
      virt.hypervisor = finding->vendor;
      report.sources["virtualization.hypervisor"] = finding->evidence;
    }
  }
  if (virt.hypervisor_evidence.empty()) return;
  virt.virtualization_type = is_xen_pv(virt, info) ? "para" : "full";
  report.sources["virtualization.virtualization_type"] = virt.hypervisor_evidence.front();
}

}  // namespace conc_probe::platform
