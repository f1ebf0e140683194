#include "engine/noise.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "conc_probe/text.hpp"

namespace conc_probe::engine {
namespace {

std::optional<CpuTicks> read_proc_stat() {
  std::ifstream in("/proc/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  return parse_proc_stat(line);
}

CpuUsage own_usage() noexcept {
  const CpuUsage self = process_usage();
  const CpuUsage children = children_usage();
  return CpuUsage{self.cpu_seconds + children.cpu_seconds, 0, 0};
}

}  // namespace

std::optional<CpuTicks> parse_proc_stat(std::string_view text) {
  const auto line = text::trim(text.substr(0, text.find('\n')));
  if (!line.starts_with("cpu ")) return std::nullopt;
  std::vector<std::uint64_t> fields;
  for (const auto field : text::split(line.substr(4), ' ')) {
    if (field.empty()) continue;
    const auto value = text::parse_u64(field);
    if (!value) return std::nullopt;
    fields.push_back(*value);
  }
  if (fields.size() < 4) return std::nullopt;
  fields.resize(std::max<std::size_t>(fields.size(), 8), 0);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  CpuTicks ticks;
  ticks.busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
  ticks.steal = fields[7];
  ticks.total = ticks.busy + fields[3] + fields[4] + ticks.steal;
  return ticks;
}

void NoiseMeter::start() {
  throttling_ = read_throttling(files_);
  ticks_ = read_proc_stat();
  own_ = own_usage();
  start_ns_ = monotonic_ns();
}

NoiseMeasurement NoiseMeter::stop() const {
  NoiseMeasurement out;
  if (const auto between = throttling_between(throttling_, read_throttling(files_))) {
    out.throttling = *between;
  }
  const auto now = read_proc_stat();
  const double elapsed = static_cast<double>(monotonic_ns() - start_ns_) * 1e-9;
  if (!ticks_ || !now || now->total <= ticks_->total || elapsed <= 0) return out;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double capacity = static_cast<double>(now->total - ticks_->total) / hz;
  const double busy = static_cast<double>(now->busy - ticks_->busy) / hz;
  const double mine = (own_usage() - own_).cpu_seconds;
  // Tick counts are coarse (10 ms): a small negative difference is rounding, not credit.
  const double other = std::max(0.0, busy - mine);
  out.reading.other_cpu_fraction = std::clamp(other / capacity, 0.0, 1.0);
  out.reading.steal_fraction =
      std::clamp(static_cast<double>(now->steal - ticks_->steal) / hz / capacity, 0.0, 1.0);
  out.other_cores = other / elapsed;
  return out;
}

}  // namespace conc_probe::engine
