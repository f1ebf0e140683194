#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>

#include "conc_probe/compare.hpp"

namespace conc_probe {
namespace {

std::string percent_change(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1.0) * 100.0); }

std::string interval(const Ratio& ratio) {
  return fmt::format("[{}, {}]", percent_change(ratio.ci_low), percent_change(ratio.ci_high));
}

/// A time per op with 3 significant digits and a unit.
std::string per_op(double seconds) {
  const double abs = std::fabs(seconds);
  if (!std::isfinite(seconds)) return "-";
  if (abs >= 1) return fmt::format("{:.3g} s", seconds);
  if (abs >= 1e-3) return fmt::format("{:.3g} ms", seconds * 1e3);
  if (abs >= 1e-6) return fmt::format("{:.3g} us", seconds * 1e6);
  return fmt::format("{:.3g} ns", seconds * 1e9);
}

std::string verdict_text(const CellComparison& cell, const Style& style) {
  std::string text(to_string(cell.verdict));
  if (!cell.reason.empty()) text += " (" + cell.reason + ")";
  if (!style.color) return text;
  const char* colour = cell.verdict == Verdict::Slower   ? "\x1b[31m"
                       : cell.verdict == Verdict::Faster ? "\x1b[32m"
                                                         : "\x1b[33m";
  return cell.verdict == Verdict::Unchanged ? text : colour + text + "\x1b[0m";
}

void write_table(std::ostream& out, const Comparison& comparison, const Style& style) {
  std::size_t width = 4;
  for (const auto& cell : comparison.cells) width = std::max(width, cell.id.size());
  out << fmt::format("{:<{}}  {:>10}  {:>10}  {:>8}  {:>18}  {}\n", "cell", width, "base/op",
                     "new/op", "change", "95% interval", "verdict");
  for (const auto& cell : comparison.cells) {
    out << fmt::format("{:<{}}  {:>10}  {:>10}  {:>8}  {:>18}  {}\n", cell.id, width,
                       per_op(cell.base_median), per_op(cell.new_median),
                       percent_change(cell.ratio.estimate), interval(cell.decided),
                       verdict_text(cell, style));
    for (const auto& note : cell.notes) out << "  note: " << note << '\n';
  }
  if (comparison.geomean_ratio) {
    out << fmt::format("geometric mean of per-op time ratios: {} (threshold ±{:.0f}%)\n",
                       percent_change(*comparison.geomean_ratio), comparison.threshold * 100.0);
  }
  for (const auto& warning : comparison.warnings) out << "warning: " << warning << '\n';
}

void write_markdown(std::ostream& out, const Comparison& comparison) {
  const auto count = [&](Verdict v) {
    return std::count_if(comparison.cells.begin(), comparison.cells.end(),
                         [v](const CellComparison& c) { return c.verdict == v; });
  };
  out << "### conc-probe compare\n\n";
  out << fmt::format(
      "**{} slower**, {} faster, {} unchanged, {} inconclusive (threshold ±{:.0f}%)\n\n",
      count(Verdict::Slower), count(Verdict::Faster), count(Verdict::Unchanged),
      count(Verdict::Inconclusive), comparison.threshold * 100.0);
  out << "| cell | base/op | new/op | change | 95% interval | verdict |\n"
         "|---|---:|---:|---:|---|---|\n";
  for (const auto& cell : comparison.cells) {
    const std::string verdict =
        cell.verdict == Verdict::Slower ? "**slower**" : verdict_text(cell, Style{});
    out << fmt::format("| `{}` | {} | {} | {} | {} | {} |\n", cell.id, per_op(cell.base_median),
                       per_op(cell.new_median), percent_change(cell.ratio.estimate),
                       interval(cell.decided), verdict);
  }
  if (comparison.geomean_ratio) {
    out << fmt::format("\nGeometric mean of per-op time ratios: {}\n",
                       percent_change(*comparison.geomean_ratio));
  }
  for (const auto& warning : comparison.warnings) out << "\n> warning: " << warning << '\n';
}

void write_json(std::ostream& out, const Comparison& comparison) {
  nlohmann::ordered_json document;
  document["schema_version"] = "2.0";
  document["threshold"] = comparison.threshold;
  document["geomean_ratio"] =
      comparison.geomean_ratio ? nlohmann::ordered_json(*comparison.geomean_ratio) : nullptr;
  document["warnings"] = comparison.warnings;
  auto& cells = document["cells"] = nlohmann::ordered_json::array();
  for (const auto& cell : comparison.cells) {
    cells.push_back({{"cell", cell.id},
                     {"verdict", to_string(cell.verdict)},
                     {"reason", cell.reason.empty() ? nlohmann::ordered_json(nullptr)
                                                    : nlohmann::ordered_json(cell.reason)},
                     {"base_seconds_per_op", cell.base_median},
                     {"new_seconds_per_op", cell.new_median},
                     {"ratio", cell.ratio.estimate},
                     {"ratio_ci_low", cell.decided.ci_low},
                     {"ratio_ci_high", cell.decided.ci_high},
                     {"raw_ci", {cell.ratio.ci_low, cell.ratio.ci_high}},
                     {"credited_ci", {cell.credited.ci_low, cell.credited.ci_high}},
                     {"notes", cell.notes}});
  }
  out << document.dump(2) << '\n';
}

}  // namespace

FormatTable compare_formats() {
  static constexpr std::array<FormatRow, 3> kFormats{{
      {Format::Table, "table", ".txt"},
      {Format::Markdown, "markdown", ".md"},
      {Format::Json, "json", ".json"},
  }};
  return kFormats;
}

void write_comparison(std::ostream& out, const Comparison& comparison, Format format, Style style) {
  switch (format) {
    case Format::Markdown:
      write_markdown(out, comparison);
      break;
    case Format::Json:
      write_json(out, comparison);
      break;
    default:
      write_table(out, comparison, style);
      break;
  }
}

}  // namespace conc_probe
