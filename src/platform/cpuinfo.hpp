#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// A tolerant reader of Linux /proc/cpuinfo for every architecture, and what the kernel's
/// fields mean (architecture, model name, vendor, MIDR ids, x86-64 ISA level). Nothing here
/// throws on malformed text: unknown values stay std::nullopt.
namespace conc_probe::platform {

/// The architectures whose /proc/cpuinfo layouts are told apart.
enum class CpuinfoArch { Unknown, X86, Arm, PowerPc, RiscV, LoongArch, S390, Sparc, Ia64 };

/// /proc/cpuinfo split into per-processor blocks and machine-wide ("global") fields.
class Cpuinfo {
 public:
  /// Parses the text. Keys and values are trimmed; lines without ':' are skipped. A
  /// "processor : N" line opens the block of CPU N (a blank line closes it); s390's
  /// "processor N: a = x, b = y" lines fill the block of CPU N; everything else outside a
  /// block is global. Never throws; any byte sequence gives some (maybe empty) result.
  static Cpuinfo parse(std::string_view text);

  /// The value of `key` for CPU `cpu`: its own block first, then the global fields.
  [[nodiscard]] std::optional<std::string> get(unsigned cpu, std::string_view key) const;
  /// The first value of `key` in any block (lowest CPU first), then the global fields.
  [[nodiscard]] std::optional<std::string> first(std::string_view key) const;
  /// The CPU numbers that have a block, ascending.
  [[nodiscard]] std::vector<unsigned> cpus() const;
  /// True when no field at all was read.
  [[nodiscard]] bool empty() const noexcept { return blocks_.empty() && global_.empty(); }
  /// The architecture the fields' names betray (worked out once, when parsed).
  [[nodiscard]] CpuinfoArch arch() const noexcept { return arch_; }

  /// Longest key or value kept; longer ones are cut (bad input cannot grow memory much).
  static constexpr std::size_t kMaxField = 4096;

 private:
  using Fields = std::map<std::string, std::string, std::less<>>;
  void add_line(std::string_view line, std::optional<unsigned>& current);
  void add_s390_processor(unsigned cpu, std::string_view rest);
  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] CpuinfoArch detect_arch() const;

  std::map<unsigned, Fields> blocks_;
  Fields global_;
  /// Each key's value in the lowest CPU's block that has it: first() is asked for keys that
  /// most blocks lack, and scanning 256 blocks for each was a quarter of a replay's time.
  Fields first_;
  CpuinfoArch arch_ = CpuinfoArch::Unknown;
};

/// What one logical CPU is, as /proc/cpuinfo says.
struct CpuDescription {
  std::optional<std::string> model_name;
  std::optional<std::string> vendor;
  std::optional<std::string> midr_implementer;  ///< "0x41"
  std::optional<std::string> midr_part;         ///< "0xd46"
  std::optional<std::string> family;
  std::optional<std::string> model;
  std::optional<std::string> stepping;  ///< x86 stepping, ARM "r1p1"
  /// Two CPUs with the same key are the same kind of core.
  std::string kind_key;
};

/// Describes CPU `cpu` from the parsed file (see docs/topology.md for the per-architecture
/// rules). Unknown fields stay nullopt; kind_key is "" when nothing identifies the model.
CpuDescription describe_cpu(const Cpuinfo& info, unsigned cpu);

/// The x86-64 micro-architecture level ("x86-64-v1".."x86-64-v4") that a space-separated
/// cpuinfo `flags` list satisfies, by the psABI's lists; nullopt without long mode ("lm").
std::optional<std::string> x86_isa_level(std::string_view flags);

}  // namespace conc_probe::platform
