#include "report/bench_format.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "conc_probe/units.hpp"

namespace conc_probe::report {
namespace {

/// `value` with 3 significant digits (no exponent) for values from 1 to 999.
std::string three_digits(double value) {
  if (value >= 99.95) return fmt::format("{:.0f}", value);
  if (value >= 9.995) return fmt::format("{:.1f}", value);
  return fmt::format("{:.2f}", value);
}

}  // namespace

std::string cell_mode_label(const CellKey& key) {
  std::string label(to_string(key.mode));
  if (key.mode != Mode::Single) label += "\xC3\x97" + std::to_string(key.workers);  // ×
  if (key.switch_interval) label += " @" + units::format_duration(*key.switch_interval);
  return label;
}

std::string human_seconds(double seconds) {
  if (!std::isfinite(seconds)) return "-";
  if (seconds == 0) return "0 s";
  constexpr std::array<std::pair<double, const char*>, 4> kScales{
      {{1, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}}};
  for (const auto& [scale, unit] : kScales) {
    if (std::fabs(seconds) >= scale * 0.9995 || scale == 1e-9) {
      return three_digits(seconds / scale) + " " + unit;
    }
  }
  return "-";
}

std::string human_rate(double per_second) {
  if (!std::isfinite(per_second)) return "-";
  constexpr std::array<std::pair<double, const char*>, 3> kScales{
      {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}}};
  for (const auto& [scale, suffix] : kScales) {
    if (per_second >= scale * 0.9995) return three_digits(per_second / scale) + suffix;
  }
  return three_digits(per_second);
}

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  return fmt::format("{:.{}f}", value, decimals);
}

std::string speedup_text(const std::optional<Ratio>& speedup) {
  if (!speedup) return "-";
  return fixed(speedup->estimate, 2) + "\xC3\x97 [" + fixed(speedup->ci_low, 2) + ", " +
         fixed(speedup->ci_high, 2) + "]";
}

std::vector<std::string> cell_marks(const CellResult& cell) {
  std::vector<std::string> marks;
  if (cell.failed)
    marks.push_back("FAILED" + (cell.error.empty() ? std::string() : ": " + cell.error));
  if (!cell.checksum_ok) marks.push_back("CHECKSUM MISMATCH");
  if (cell.busy) marks.push_back("BUSY");
  if (cell.background_ops_per_second && cell.background_alone_ops_per_second &&
      cell.key.workers > 0 && *cell.background_alone_ops_per_second > 0) {
    const double each =
        *cell.background_ops_per_second / cell.key.workers / *cell.background_alone_ops_per_second;
    marks.push_back("CPU workers " + fixed(each, 2) + "x alone");
  }
  return marks;
}

}  // namespace conc_probe::report
