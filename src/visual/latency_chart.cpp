// Latency distributions of the IO cells: a box plot per cell on a log time axis.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/bench_format.hpp"
#include "visual/chart_parts.hpp"
#include "visual/svg.hpp"

namespace conc_probe::visual {
namespace {

constexpr double kWidth = 760, kLeft = 150, kRight = 24, kTop = 36, kRow = 26, kBottom = 44;

/// The q-quantile of sorted values, by linear interpolation between closest ranks.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(rank));
  const auto upper = std::min(lower + 1, sorted.size() - 1);
  return sorted[lower] + (rank - static_cast<double>(lower)) * (sorted[upper] - sorted[lower]);
}

struct Row {
  const CellResult* cell;
  std::vector<double> sorted;  ///< every kept latency of every repetition, positive only
};

std::vector<Row> rows_of(const BenchReport& report, const std::string& workload) {
  std::vector<Row> rows;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != workload || cell.kind == WorkloadKind::Cpu || cell.failed) continue;
    Row row{&cell, {}};
    for (const auto& sample : cell.samples)
      for (const double v : sample.latency_seconds)
        if (v > 0 && std::isfinite(v)) row.sorted.push_back(v);
    if (row.sorted.empty()) continue;
    std::sort(row.sorted.begin(), row.sorted.end());
    rows.push_back(std::move(row));
  }
  return rows;
}

struct LogScale {
  double x0, width, low, high;  ///< decades: log10 of the axis ends
  [[nodiscard]] double x(double seconds) const {
    return x0 + (std::log10(seconds) - low) / (high - low) * width;
  }
};

void draw_axis(Svg& svg, const LogScale& s, double y, double height) {
  svg.line(s.x0, y + height, s.x0 + s.width, y + height, "class=\"axis\"");
  for (double decade = std::ceil(s.low); decade <= s.high; decade += 1) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double v = m * std::pow(10, decade);
      if (std::log10(v) > s.high) break;
      const double x = s.x(v);
      svg.line(x, y, x, y + height, "class=\"grid\"");
      svg.text(x, y + height + 16, report::human_seconds(v), "middle", "class=\"tick\"");
    }
  }
  svg.text(s.x0 + s.width / 2, y + height + 34, "latency of one op (log scale)", "middle",
           "class=\"label\"");
}

void draw_row(Svg& svg, const LogScale& s, const Row& row, double y) {
  const auto& v = row.sorted;
  const double q1 = quantile(v, 0.25), p50 = quantile(v, 0.5), q3 = quantile(v, 0.75);
  const double p99 = quantile(v, 0.99);
  const std::string color(mode_color(row.cell->key.mode));
  const std::string label = report::cell_mode_label(row.cell->key);
  svg.begin_group(fmt::format("{}: p50 {}, p99 {}, max {} ({} ops)", label,
                              report::human_seconds(p50), report::human_seconds(p99),
                              report::human_seconds(v.back()), v.size()));
  svg.text(s.x0 - 8, y + kRow / 2 + 4, label, "end", "class=\"label\"");
  const double mid = y + kRow / 2;
  svg.line(s.x(v.front()), mid, s.x(p99), mid, fmt::format("stroke=\"{}\"", color));
  svg.rect(s.x(q1), y + 5, std::max(1.0, s.x(q3) - s.x(q1)), kRow - 10,
           fmt::format("class=\"box\" fill=\"{}\" stroke=\"{}\"", color, color));
  svg.line(s.x(p50), y + 3, s.x(p50), y + kRow - 3,
           fmt::format("stroke=\"{}\" stroke-width=\"2.5\"", color));
  svg.circle(s.x(v.back()), mid, 3, fmt::format("fill=\"none\" stroke=\"{}\"", color));
  svg.end_group();
}

Chart chart_of(const std::string& workload, const std::vector<Row>& rows) {
  double low = rows.front().sorted.front(), high = low;
  for (const auto& row : rows) {
    low = std::min(low, row.sorted.front());
    high = std::max(high, row.sorted.back());
  }
  const LogScale scale{kLeft, kWidth - kLeft - kRight, std::floor(std::log10(low) * 4) / 4,
                       std::max(std::ceil(std::log10(high) * 4) / 4, std::log10(low) + 0.5)};
  const double height = kRow * static_cast<double>(rows.size());
  const std::string title = "Latency of " + workload + " ops";
  Svg svg(kWidth, kTop + height + kBottom, title);
  svg.text(kWidth / 2, 18,
           title +
               " (box: quartiles, line: median, whisker: min to p99, "
               "circle: max)",
           "middle", "class=\"panel-title\"");
  draw_axis(svg, scale, kTop, height);
  for (std::size_t i = 0; i < rows.size(); ++i)
    draw_row(svg, scale, rows[i], kTop + kRow * static_cast<double>(i));
  return Chart{"latency-" + slug(workload), "latency", title, svg.finish()};
}

}  // namespace

std::vector<Chart> latency_charts(const BenchReport& report) {
  std::vector<std::string> workloads;
  for (const auto& cell : report.cells)
    if (std::find(workloads.begin(), workloads.end(), cell.key.workload) == workloads.end())
      workloads.push_back(cell.key.workload);
  std::vector<Chart> charts;
  for (const auto& workload : workloads) {
    const auto rows = rows_of(report, workload);
    if (!rows.empty()) charts.push_back(chart_of(workload, rows));
  }
  return charts;
}

}  // namespace conc_probe::visual
