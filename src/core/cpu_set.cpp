#include "conc_probe/cpu_set.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include "conc_probe/text.hpp"

namespace conc_probe {

CpuSet::CpuSet(std::vector<unsigned> cpus) : cpus_(std::move(cpus)) {
  std::sort(cpus_.begin(), cpus_.end());
  cpus_.erase(std::unique(cpus_.begin(), cpus_.end()), cpus_.end());
}

std::optional<CpuSet> CpuSet::parse(std::string_view text) {
  // Ranges are merged before they are expanded, so the memory used is bounded by the
  // number of distinct CPUs (at most kMaxCpu + 1), however often a list repeats a range.
  text = text::trim(text);
  if (text.empty()) return CpuSet{};
  std::vector<std::pair<unsigned, unsigned>> ranges;
  for (const auto field : text::split(text, ',')) {
    const auto dash = field.find('-');
    const auto first = text::parse_u64(field.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : text::parse_u64(field.substr(dash + 1));
    if (!first || !last || *first > *last || *last > kMaxCpu) return std::nullopt;
    ranges.emplace_back(static_cast<unsigned>(*first), static_cast<unsigned>(*last));
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<unsigned> cpus;
  unsigned next = 0;  // the lowest CPU not yet added
  bool any = false;
  for (const auto& [first, last] : ranges) {
    const unsigned from = any ? std::max(first, next) : first;
    if (any && last < next) continue;
    for (unsigned cpu = from; cpu <= last; ++cpu) cpus.push_back(cpu);
    next = last + 1;
    any = true;
  }
  CpuSet set;
  set.cpus_ = std::move(cpus);  // already sorted and unique
  return set;
}

std::string CpuSet::to_string() const {
  std::string out;
  for (std::size_t i = 0; i < cpus_.size();) {
    std::size_t j = i;
    while (j + 1 < cpus_.size() && cpus_[j + 1] == cpus_[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus_[i]);
    if (j > i) out += '-' + std::to_string(cpus_[j]);
    i = j + 1;
  }
  return out;
}

bool CpuSet::contains(unsigned cpu) const noexcept {
  return std::binary_search(cpus_.begin(), cpus_.end(), cpu);
}

CpuSet CpuSet::intersect(const CpuSet& other) const {
  std::vector<unsigned> out;
  std::set_intersection(cpus_.begin(), cpus_.end(), other.cpus_.begin(), other.cpus_.end(),
                        std::back_inserter(out));
  return CpuSet{std::move(out)};
}

CpuSet CpuSet::minus(const CpuSet& other) const {
  std::vector<unsigned> out;
  std::set_difference(cpus_.begin(), cpus_.end(), other.cpus_.begin(), other.cpus_.end(),
                      std::back_inserter(out));
  return CpuSet{std::move(out)};
}

}  // namespace conc_probe
