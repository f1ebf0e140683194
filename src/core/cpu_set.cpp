#include "conc_probe/cpu_set.hpp"

#include <algorithm>
#include <iterator>

#include "conc_probe/text.hpp"

namespace conc_probe {

CpuSet::CpuSet(std::vector<unsigned> cpus) : cpus_(std::move(cpus)) {
  std::sort(cpus_.begin(), cpus_.end());
  cpus_.erase(std::unique(cpus_.begin(), cpus_.end()), cpus_.end());
}

std::optional<CpuSet> CpuSet::parse(std::string_view text) {
  text = text::trim(text);
  std::vector<unsigned> cpus;
  if (text.empty()) return CpuSet{};
  for (const auto field : text::split(text, ',')) {
    const auto dash = field.find('-');
    const auto first = text::parse_u64(field.substr(0, dash));
    const auto last =
        dash == std::string_view::npos ? first : text::parse_u64(field.substr(dash + 1));
    if (!first || !last || *first > *last || *last > kMaxCpu) return std::nullopt;
    for (auto cpu = *first; cpu <= *last; ++cpu) cpus.push_back(static_cast<unsigned>(cpu));
  }
  return CpuSet{std::move(cpus)};
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
