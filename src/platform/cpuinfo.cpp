#include "platform/cpuinfo.hpp"

#include <algorithm>
#include <array>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::platform {
namespace {

std::string clip(std::string_view s) { return std::string(s.substr(0, Cpuinfo::kMaxField)); }

std::optional<unsigned> cpu_number(std::string_view s) {
  const auto n = text::parse_u64(s);
  if (!n || *n > CpuSet::kMaxCpu) return std::nullopt;
  return static_cast<unsigned>(*n);
}

// s390: "processor 3" as a key names CPU 3.
std::optional<unsigned> s390_processor_key(std::string_view key) {
  constexpr std::string_view kPrefix = "processor ";
  if (key.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return cpu_number(key.substr(kPrefix.size()));
}

// Scans the words in place: the flags line has ~150 words and is asked about ~30 flags.
bool has_flag(std::string_view flags, std::string_view flag) {
  while (!flags.empty()) {
    const std::size_t end = flags.find_first_of(" \t");
    if (flags.substr(0, end) == flag) return true;
    if (end == std::string_view::npos) break;
    flags.remove_prefix(end + 1);
  }
  return false;
}

bool has_all(std::string_view flags, std::initializer_list<std::string_view> wanted) {
  return std::all_of(wanted.begin(), wanted.end(),
                     [&](std::string_view f) { return has_flag(flags, f); });
}

}  // namespace

Cpuinfo Cpuinfo::parse(std::string_view text) {
  Cpuinfo info;
  std::optional<unsigned> current;
  for (const auto line : text::split(text, '\n')) info.add_line(line, current);
  // Blocks in CPU order: a key keeps the value of the lowest CPU that has it.
  for (const auto& [cpu, fields] : info.blocks_) {
    for (const auto& [key, value] : fields) info.first_.try_emplace(key, value);
  }
  info.arch_ = info.detect_arch();
  return info;
}

void Cpuinfo::add_line(std::string_view line, std::optional<unsigned>& current) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    if (text::trim(line).empty()) current.reset();  // a blank line ends a block
    return;
  }
  const auto key = text::trim(line.substr(0, colon));
  const auto value = text::trim(line.substr(colon + 1));
  if (key.empty()) return;
  if (key == "processor") {
    current = cpu_number(value);
    if (current)
      blocks_[*current]["processor"] = clip(value);
    else
      global_["Processor"] = clip(value);  // old ARM kernels: "Processor : ARMv7 ..."
    return;
  }
  if (const auto s390 = s390_processor_key(key)) {
    add_s390_processor(*s390, value);
    return;
  }
  Fields& target = current ? blocks_[*current] : global_;
  target.insert_or_assign(clip(key), clip(value));
}

void Cpuinfo::add_s390_processor(unsigned cpu, std::string_view rest) {
  Fields& block = blocks_[cpu];
  for (const auto item : text::split(rest, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = text::trim(item.substr(0, eq));
    if (!key.empty()) block.insert_or_assign(clip(key), clip(text::trim(item.substr(eq + 1))));
  }
}

std::optional<std::string> Cpuinfo::get(unsigned cpu, std::string_view key) const {
  if (const auto block = blocks_.find(cpu); block != blocks_.end()) {
    if (const auto it = block->second.find(key); it != block->second.end()) return it->second;
  }
  if (const auto it = global_.find(key); it != global_.end()) return it->second;
  return std::nullopt;
}

std::optional<std::string> Cpuinfo::first(std::string_view key) const {
  if (const auto it = first_.find(key); it != first_.end()) return it->second;
  if (const auto it = global_.find(key); it != global_.end()) return it->second;
  return std::nullopt;
}

std::vector<unsigned> Cpuinfo::cpus() const {
  std::vector<unsigned> out;
  for (const auto& entry : blocks_) out.push_back(entry.first);
  return out;
}

bool Cpuinfo::has(std::string_view key) const { return first(key).has_value(); }

CpuinfoArch Cpuinfo::detect_arch() const {
  if (has("CPU implementer")) return CpuinfoArch::Arm;
  const auto vendor = first("vendor_id");
  if ((vendor && vendor->starts_with("IBM/S390")) || has("# processors")) return CpuinfoArch::S390;
  if (has("uarch") || has("hart") || (has("mmu") && has("isa"))) return CpuinfoArch::RiscV;
  if (has("Model Name") && has("CPU Family")) return CpuinfoArch::LoongArch;
  if (has("ncpus probed") || has("cpucaps")) return CpuinfoArch::Sparc;
  if (first("arch") == std::optional<std::string>("IA-64") || has("archrev"))
    return CpuinfoArch::Ia64;
  if (has("vendor_id") || has("model name") || has("flags")) return CpuinfoArch::X86;
  if (has("cpu") && (has("revision") || has("timebase"))) return CpuinfoArch::PowerPc;
  return CpuinfoArch::Unknown;
}

std::optional<std::string> x86_isa_level(std::string_view flags) {
  // Levels as defined by the x86-64 psABI; Linux spells SSE3 "pni" and LZCNT "abm".
  if (!has_all(flags, {"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"})) {
    return std::nullopt;
  }
  if (!has_all(flags, {"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"})) {
    return "x86-64-v1";
  }
  if (!has_all(flags, {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"})) {
    return "x86-64-v2";
  }
  if (!has_all(flags, {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})) {
    return "x86-64-v3";
  }
  return "x86-64-v4";
}

}  // namespace conc_probe::platform
