#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "conc_probe/compare.hpp"

namespace conc_probe {
namespace {

std::string percent_change(double ratio) { return fmt::format("{:+.1f}%", (ratio - 1.0) * 100.0); }

std::string interval(const Ratio& ratio) {
  return fmt::format("[{}, {}]", percent_change(ratio.ci_low), percent_change(ratio.ci_high));
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
  out << fmt::format("{:<{}}  {:>11}  {:>11}  {:>8}  {:>18}  {}\n", "cell", width, "base", "new",
                     "change", "95% interval", "verdict");
  for (const auto& cell : comparison.cells) {
    out << fmt::format("{:<{}}  {:>10.4f}s  {:>10.4f}s  {:>8}  {:>18}  {}\n", cell.id, width,
                       cell.base_median, cell.new_median, percent_change(cell.ratio.estimate),
                       interval(cell.ratio), verdict_text(cell, style));
  }
  if (comparison.geomean_ratio) {
    out << fmt::format("geometric mean of wall-time ratios: {} (threshold ±{:.0f}%)\n",
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
  out << "| cell | base | new | change | 95% interval | verdict |\n|---|---:|---:|---:|---|---|\n";
  for (const auto& cell : comparison.cells) {
    const std::string verdict =
        cell.verdict == Verdict::Slower ? "**slower**" : verdict_text(cell, Style{});
    out << fmt::format("| `{}` | {:.4f} s | {:.4f} s | {} | {} | {} |\n", cell.id, cell.base_median,
                       cell.new_median, percent_change(cell.ratio.estimate), interval(cell.ratio),
                       verdict);
  }
  if (comparison.geomean_ratio) {
    out << fmt::format("\nGeometric mean of wall-time ratios: {}\n",
                       percent_change(*comparison.geomean_ratio));
  }
  for (const auto& warning : comparison.warnings) out << "\n> warning: " << warning << '\n';
}

void write_json(std::ostream& out, const Comparison& comparison) {
  nlohmann::ordered_json document;
  document["schema_version"] = "1.0";
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
                     {"base_median_seconds", cell.base_median},
                     {"new_median_seconds", cell.new_median},
                     {"ratio", cell.ratio.estimate},
                     {"ratio_ci_low", cell.ratio.ci_low},
                     {"ratio_ci_high", cell.ratio.ci_high}});
  }
  out << document.dump(2) << '\n';
}

}  // namespace

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
