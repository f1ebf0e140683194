#include "report/bench_format.hpp"

#include <fmt/format.h>

#include <algorithm>
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
  if (key.shared_fraction) label += fmt::format(" shared {:g}", *key.shared_fraction);
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

std::string human_bytes(double bytes) {
  if (!std::isfinite(bytes)) return "-";
  constexpr std::array<std::pair<double, const char*>, 3> kScales{
      {{1024.0 * 1024 * 1024, "GiB"}, {1024.0 * 1024, "MiB"}, {1024.0, "KiB"}}};
  for (const auto& [scale, unit] : kScales) {
    if (bytes >= scale * 0.9995) return three_digits(bytes / scale) + " " + unit;
  }
  return three_digits(bytes) + " B";
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
  if (cell.busy) marks.push_back("BUSY: " + cell.interference.mark);
  if (!cell.interference.throttling.empty())
    marks.push_back("QUOTA: " + cell.interference.throttling);
  for (const auto& note : cell.interference.notes) marks.push_back("note: " + note);
  if (cell.background_kept) {
    const Ratio& kept = *cell.background_kept;
    marks.push_back("CPU workers " + fixed(kept.estimate * 100, 0) + "% [" +
                    fixed(kept.ci_low * 100, 0) + ", " + fixed(kept.ci_high * 100, 0) +
                    "] of their rate alone");
  }
  return marks;
}

std::string interval_label(const BenchReport& report) {
  double lowest = 1;
  for (const auto& cell : report.cells) {
    if (cell.wall.n >= 2) lowest = std::min(lowest, cell.wall.ci_level);
  }
  if (lowest + 1e-9 >= 0.95) return "95% CI";
  return fmt::format("{:.1f}% CI", std::floor(lowest * 1000) / 10);
}

std::string repetitions_text(const BenchReport& report) {
  const auto& c = report.config;
  std::size_t fewest = 0, most = 0;
  for (const auto& cell : report.cells) {
    if (cell.samples.empty()) continue;
    fewest = fewest == 0 ? cell.samples.size() : std::min(fewest, cell.samples.size());
    most = std::max(most, cell.samples.size());
  }
  if (c.max_repetitions <= c.repetitions) {
    return fmt::format("{} repetition{} each", c.repetitions, c.repetitions == 1 ? "" : "s");
  }
  const std::string range =
      fewest == most ? fmt::format("{}", most) : fmt::format("{}-{}", fewest, most);
  return fmt::format("{} repetitions (adaptive, to \xC2\xB1{:g}%)", range, c.precision * 100);
}

std::string quota_text(const BenchReport& report) {
  const auto& cpu = report.platform.cpu;
  if (!cpu.cgroup_quota) return "";
  return fmt::format(
      "CPU quota: {:g} CPUs{}; throttling is shown per cell (QUOTA) and not counted as "
      "interference.",
      *cpu.cgroup_quota, cpu.cgroup_quota_path ? " (cgroup " + *cpu.cgroup_quota_path + ")" : "");
}

std::string python_lock_text(const BenchReport& report) {
  const auto& c = report.config;
  if (c.python_version.empty() ||
      std::find(c.modes.begin(), c.modes.end(), Mode::Gil) == c.modes.end())
    return "";
  if (c.gil_policy == GilPolicy::Legacy) {
    return fmt::format(
        "gil cells: CPython {}'s lock (legacy: released and taken again every {} checkpoints, no "
        "drop "
        "requests).",
        c.python_version, c.check_interval);
  }
  return fmt::format(
      "gil cells: CPython {}'s lock (new: drop requests after each switch interval).",
      c.python_version);
}

std::string data_moved_text(const CellResult& cell) {
  if (!cell.bytes_copied) return "-";
  if (*cell.bytes_copied <= 0 || !cell.move_seconds) return human_bytes(*cell.bytes_copied);
  return human_bytes(*cell.bytes_copied) + " in " + human_seconds(*cell.move_seconds);
}

std::string startup_text(const CellResult& cell) {
  if (cell.wall.n == 0) return "-";
  if (!cell.server_startup_seconds) return human_seconds(cell.startup.median);
  return "srv " + human_seconds(*cell.server_startup_seconds) + " + " +
         human_seconds(cell.startup.median / std::max(1U, cell.key.workers)) + "/w";
}

}  // namespace conc_probe::report
