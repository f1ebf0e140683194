#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conc_probe {

/// A set of logical CPU numbers, kept sorted and unique.
class CpuSet {
 public:
  CpuSet() = default;
  /// Builds a set from any CPU numbers (sorted and de-duplicated here).
  explicit CpuSet(std::vector<unsigned> cpus);

  /// Parses the kernel's cpu-list syntax ("0-3,8,10-11", white space and a trailing newline
  /// allowed; an empty string is the empty set). std::nullopt on malformed text, reversed
  /// ranges or CPU numbers above kMaxCpu.
  static std::optional<CpuSet> parse(std::string_view text);

  /// The cpu-list syntax of this set, ranges collapsed ("0-3,8"); "" when empty.
  [[nodiscard]] std::string to_string() const;

  [[nodiscard]] std::size_t size() const noexcept { return cpus_.size(); }
  [[nodiscard]] bool empty() const noexcept { return cpus_.empty(); }
  [[nodiscard]] bool contains(unsigned cpu) const noexcept;
  [[nodiscard]] const std::vector<unsigned>& cpus() const noexcept { return cpus_; }

  /// The CPUs in both sets.
  [[nodiscard]] CpuSet intersect(const CpuSet& other) const;
  /// The CPUs in this set and not in `other`.
  [[nodiscard]] CpuSet minus(const CpuSet& other) const;

  friend bool operator==(const CpuSet&, const CpuSet&) = default;

  /// Largest CPU number accepted by parse (guards against absurd ranges in bad input).
  static constexpr unsigned kMaxCpu = 1U << 16;

 private:
  std::vector<unsigned> cpus_;
};

}  // namespace conc_probe
