// What each architecture's /proc/cpuinfo fields mean: the model name, vendor and ids of one
// logical CPU. The rules per architecture are listed in docs/topology.md.
#include <array>
#include <string_view>

#include "conc_probe/text.hpp"
#include "platform/arm_parts.hpp"
#include "platform/cpuinfo.hpp"

namespace conc_probe::platform {
namespace {

struct S390Machine {
  std::string_view type;
  std::string_view name;
};

// IBM Z machine types (the "machine = NNNN" of /proc/cpuinfo, "Type:" of /proc/sysinfo).
constexpr std::array kS390Machines{
    S390Machine{"2064", "z900"},    S390Machine{"2066", "z800"},    S390Machine{"2084", "z990"},
    S390Machine{"2086", "z890"},    S390Machine{"2094", "z9 EC"},   S390Machine{"2096", "z9 BC"},
    S390Machine{"2097", "z10 EC"},  S390Machine{"2098", "z10 BC"},  S390Machine{"2817", "z196"},
    S390Machine{"2818", "z114"},    S390Machine{"2827", "zEC12"},   S390Machine{"2828", "zBC12"},
    S390Machine{"2964", "z13"},     S390Machine{"2965", "z13s"},    S390Machine{"3906", "z14"},
    S390Machine{"3907", "z14 ZR1"}, S390Machine{"8561", "z15"},     S390Machine{"8562", "z15 T02"},
    S390Machine{"3931", "z16"},     S390Machine{"3932", "z16 A02"},
};

std::optional<std::string> non_empty(std::optional<std::string> value) {
  if (value && value->empty()) return std::nullopt;
  return value;
}

void describe_x86(const Cpuinfo& info, unsigned cpu, CpuDescription& d) {
  d.model_name = non_empty(info.get(cpu, "model name"));
  d.vendor = non_empty(info.get(cpu, "vendor_id"));
  d.family = non_empty(info.get(cpu, "cpu family"));
  d.model = non_empty(info.get(cpu, "model"));
  d.stepping = non_empty(info.get(cpu, "stepping"));
  if (d.model_name || d.family) {
    d.kind_key =
        d.model_name.value_or("") + "|" + d.family.value_or("") + "|" + d.model.value_or("");
  }
}

// ARM's revision as lscpu and Arm's manuals print it: r<variant>p<revision>.
std::optional<std::string> arm_stepping(const Cpuinfo& info, unsigned cpu) {
  const auto variant = info.get(cpu, "CPU variant");
  const auto revision = info.get(cpu, "CPU revision");
  if (!variant || !revision) return std::nullopt;
  const auto v = text::parse_u64(*variant);
  const auto r = text::parse_u64(*revision);
  if (!v || !r) return std::nullopt;
  return "r" + std::to_string(*v) + "p" + std::to_string(*r);
}

void describe_arm(const Cpuinfo& info, unsigned cpu, CpuDescription& d) {
  d.midr_implementer = non_empty(info.get(cpu, "CPU implementer"));
  d.midr_part = non_empty(info.get(cpu, "CPU part"));
  const auto impl = d.midr_implementer ? text::parse_u64(*d.midr_implementer) : std::nullopt;
  const auto part = d.midr_part ? text::parse_u64(*d.midr_part) : std::nullopt;
  if (impl) d.vendor = arm_implementer_name(*impl);
  if (!d.vendor) d.vendor = d.midr_implementer;
  if (impl && part) d.model_name = arm_part_name(*impl, *part);
  // Unknown part: the kernel's own description beats nothing (32-bit kernels print one).
  if (!d.model_name) d.model_name = non_empty(info.get(cpu, "model name"));
  if (!d.model_name) d.model_name = non_empty(info.get(cpu, "Processor"));
  d.stepping = arm_stepping(info, cpu);
  if (d.midr_implementer || d.midr_part) {
    d.kind_key = d.midr_implementer.value_or("") + ":" + d.midr_part.value_or("");
  }
}

// IA-64: "vendor", "family" (a number, or a name such as "Itanium 2" on old kernels),
// "model", "revision", and "model name" on kernels from 2.6.2x.
void describe_ia64(const Cpuinfo& info, unsigned cpu, CpuDescription& d) {
  d.vendor = non_empty(info.get(cpu, "vendor"));
  d.family = non_empty(info.get(cpu, "family"));
  d.model = non_empty(info.get(cpu, "model"));
  d.stepping = non_empty(info.get(cpu, "revision"));
  d.model_name = non_empty(info.get(cpu, "model name"));
  if (!d.model_name && d.family && !text::parse_u64(*d.family)) d.model_name = d.family;
  if (d.model_name || d.family) {
    d.kind_key =
        d.model_name.value_or("") + "|" + d.family.value_or("") + "|" + d.model.value_or("");
  }
}

std::optional<std::string> s390_machine_name(const std::optional<std::string>& type) {
  if (!type) return std::nullopt;
  for (const auto& m : kS390Machines) {
    if (m.type == *type) return "IBM " + std::string(m.name) + " (" + *type + ")";
  }
  return "IBM " + *type;
}

void describe_s390(const Cpuinfo& info, unsigned cpu, CpuDescription& d) {
  d.vendor = non_empty(info.get(cpu, "vendor_id"));
  d.model = non_empty(info.get(cpu, "machine"));
  d.model_name = s390_machine_name(d.model);
  d.kind_key = d.model.value_or("");
}

void describe_named(const Cpuinfo& info, unsigned cpu, std::string_view name_key,
                    CpuDescription& d) {
  d.model_name = non_empty(info.get(cpu, name_key));
  d.kind_key = d.model_name.value_or("");
}

}  // namespace

CpuDescription describe_cpu(const Cpuinfo& info, unsigned cpu) {
  CpuDescription d;
  switch (info.arch()) {
    case CpuinfoArch::X86:
      describe_x86(info, cpu, d);
      break;
    case CpuinfoArch::Arm:
      describe_arm(info, cpu, d);
      break;
    case CpuinfoArch::S390:
      describe_s390(info, cpu, d);
      break;
    case CpuinfoArch::PowerPc:
      describe_named(info, cpu, "cpu", d);
      d.model = non_empty(info.get(cpu, "revision"));
      break;
    case CpuinfoArch::RiscV:
      describe_named(info, cpu, "uarch", d);
      d.vendor = non_empty(info.get(cpu, "mvendorid"));
      d.family = non_empty(info.get(cpu, "marchid"));
      d.model = non_empty(info.get(cpu, "mimpid"));
      break;
    case CpuinfoArch::LoongArch:
      describe_named(info, cpu, "Model Name", d);
      d.vendor = "Loongson";
      d.family = non_empty(info.get(cpu, "CPU Family"));
      d.model = non_empty(info.get(cpu, "CPU Revision"));
      break;
    case CpuinfoArch::Sparc:
      describe_named(info, cpu, "cpu", d);
      break;
    case CpuinfoArch::Ia64:
      describe_ia64(info, cpu, d);
      break;
    case CpuinfoArch::Unknown:
      describe_named(info, cpu, "model name", d);
      d.vendor = non_empty(info.get(cpu, "vendor_id"));
      break;
  }
  return d;
}

}  // namespace conc_probe::platform
