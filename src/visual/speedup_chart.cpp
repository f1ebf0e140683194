// Speed-up against workers: one panel per workload, one line per mode.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "conc_probe/units.hpp"
#include "visual/chart_parts.hpp"
#include "visual/svg.hpp"

namespace conc_probe::visual {
namespace {

constexpr double kPanelWidth = 420, kPanelHeight = 300;
constexpr double kLeft = 48, kRight = 16, kTop = 40, kBottom = 44;
constexpr unsigned kPanelsPerRow = 2;

struct Series {
  std::string label;  ///< "threads", "gil @5ms"
  Mode mode = Mode::Threads;
  std::vector<const CellResult*> cells;  ///< sorted by workers
};

std::string series_label(const CellKey& key) {
  std::string label(to_string(key.mode));
  if (key.switch_interval) label += " @" + units::format_duration(*key.switch_interval);
  return label;
}

std::vector<Series> series_of(const BenchReport& report, const std::string& workload) {
  std::vector<Series> out;
  for (const auto& cell : report.cells) {
    if (cell.key.workload != workload || !cell.speedup || cell.failed) continue;
    const std::string label = series_label(cell.key);
    auto it =
        std::find_if(out.begin(), out.end(), [&](const Series& s) { return s.label == label; });
    if (it == out.end()) it = out.insert(out.end(), Series{label, cell.key.mode, {}});
    it->cells.push_back(&cell);
  }
  for (auto& s : out) {
    std::sort(s.cells.begin(), s.cells.end(), [](const CellResult* a, const CellResult* b) {
      return a->key.workers < b->key.workers;
    });
  }
  return out;
}

/// Maps workers and speed-up to panel coordinates.
struct Scale {
  double x0, y0, width, height;
  double max_workers, max_speedup;
  bool log_x;

  [[nodiscard]] double x(double workers) const {
    const double f = log_x ? std::log2(workers) / std::log2(max_workers)
                           : (workers - 1) / std::max(1.0, max_workers - 1);
    return x0 + f * width;
  }
  [[nodiscard]] double y(double speedup) const {
    return y0 + height - std::min(speedup, max_speedup) / max_speedup * height;
  }
};

double nice_step(double range) {
  const double raw = range / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0})
    if (raw <= m * magnitude) return m * magnitude;
  return 10 * magnitude;
}

void draw_axes(Svg& svg, const Scale& s, const std::vector<unsigned>& workers) {
  svg.line(s.x0, s.y0 + s.height, s.x0 + s.width, s.y0 + s.height, "class=\"axis\"");
  svg.line(s.x0, s.y0, s.x0, s.y0 + s.height, "class=\"axis\"");
  const double step = nice_step(s.max_speedup);
  for (double v = 0; v <= s.max_speedup + 1e-9; v += step) {
    svg.line(s.x0, s.y(v), s.x0 + s.width, s.y(v), "class=\"grid\"");
    svg.text(s.x0 - 6, s.y(v) + 4, fmt::format("{:g}", v), "end", "class=\"tick\"");
  }
  for (const unsigned w : workers)
    svg.text(s.x(w), s.y0 + s.height + 16, std::to_string(w), "middle", "class=\"tick\"");
  svg.text(s.x0 + s.width / 2, s.y0 + s.height + 34, "workers", "middle", "class=\"label\"");
  const double mid = s.y0 + s.height / 2;
  svg.text(s.x0 - 34, mid, "speed-up \xC3\x97", "middle",
           fmt::format("class=\"label\" transform=\"rotate(-90 {:.1f} {:.1f})\"", s.x0 - 34, mid));
}

/// The ideal line (speed-up = workers) and the ceiling CPU-bound work meets: usable CPUs.
void draw_references(Svg& svg, const Scale& s, double usable) {
  std::string ideal;
  for (double w = 1; w <= s.max_workers + 1e-9; w = s.log_x ? w * 2 : w + 0.25) {
    if (w > s.max_speedup) {
      ideal += point(s.x(s.max_speedup), s.y(s.max_speedup));
      break;
    }
    ideal += point(s.x(w), s.y(w));
  }
  svg.begin_group("ideal: speed-up equal to the worker count");
  svg.polyline(ideal, "class=\"ideal\"");
  svg.end_group();
  if (usable > 0 && usable <= s.max_speedup) {
    svg.begin_group(fmt::format("usable CPUs: {:g}", usable));
    svg.line(s.x0, s.y(usable), s.x0 + s.width, s.y(usable), "class=\"usable\"");
    svg.text(s.x0 + s.width - 2, s.y(usable) - 4, fmt::format("usable CPUs {:g}", usable), "end",
             "class=\"note\"");
    svg.end_group();
  }
}

void draw_series(Svg& svg, const Scale& s, const Series& series, std::size_t index) {
  const std::string color(mode_color(series.mode));
  const std::string dash = index % 2 == 1 ? " stroke-dasharray=\"6 3\"" : "";
  std::string points;
  for (const auto* cell : series.cells)
    points += point(s.x(cell->key.workers), s.y(cell->speedup->estimate));
  svg.begin_group(series.label);
  svg.polyline(points, fmt::format("stroke=\"{}\" stroke-width=\"2\"{}", color, dash));
  for (const auto* cell : series.cells) {
    const double x = s.x(cell->key.workers);
    const auto& r = *cell->speedup;
    svg.begin_group(fmt::format("{} \xC3\x97{}: {:.2f}\xC3\x97 [{:.2f}, {:.2f}]", series.label,
                                cell->key.workers, r.estimate, r.ci_low, r.ci_high));
    svg.line(x, s.y(r.ci_low), x, s.y(r.ci_high),
             fmt::format("stroke=\"{}\" stroke-width=\"1.5\"", color));
    svg.line(x - 4, s.y(r.ci_low), x + 4, s.y(r.ci_low), fmt::format("stroke=\"{}\"", color));
    svg.line(x - 4, s.y(r.ci_high), x + 4, s.y(r.ci_high), fmt::format("stroke=\"{}\"", color));
    svg.circle(x, s.y(r.estimate), 3.5, fmt::format("fill=\"{}\" class=\"point\"", color));
    svg.end_group();
  }
  svg.end_group();
}

void draw_legend(Svg& svg, double x, double y, const std::vector<Series>& series) {
  for (std::size_t i = 0; i < series.size(); ++i) {
    const std::string color(mode_color(series[i].mode));
    svg.line(x, y - 4, x + 16, y - 4,
             fmt::format("stroke=\"{}\" stroke-width=\"2\"{}", color,
                         i % 2 == 1 ? " stroke-dasharray=\"6 3\"" : ""));
    svg.text(x + 20, y, series[i].label, "start", "class=\"legend\"");
    x += 28 + 7.0 * static_cast<double>(series[i].label.size());
  }
}

void draw_panel(Svg& svg, double ox, double oy, const std::string& workload,
                const std::vector<Series>& series, double usable) {
  std::vector<unsigned> workers;
  double top = std::max(usable, 1.0);
  for (const auto& s : series) {
    for (const auto* cell : s.cells) {
      workers.push_back(cell->key.workers);
      top = std::max({top, cell->speedup->ci_high, cell->speedup->estimate});
    }
  }
  std::sort(workers.begin(), workers.end());
  workers.erase(std::unique(workers.begin(), workers.end()), workers.end());
  const double max_workers = std::max(2.0, static_cast<double>(workers.back()));
  const Scale scale{ox + kLeft,
                    oy + kTop,
                    kPanelWidth - kLeft - kRight,
                    kPanelHeight - kTop - kBottom,
                    max_workers,
                    top * 1.1,
                    max_workers > 16};
  svg.text(ox + kPanelWidth / 2, oy + 16, workload, "middle", "class=\"panel-title\"");
  draw_legend(svg, ox + kLeft, oy + 32, series);
  draw_axes(svg, scale, workers);
  draw_references(svg, scale, usable);
  for (std::size_t i = 0; i < series.size(); ++i) draw_series(svg, scale, series[i], i);
}

}  // namespace

std::optional<Chart> speedup_chart(const BenchReport& report) {
  std::vector<std::pair<std::string, std::vector<Series>>> panels;
  for (const auto& workload : report.config.workloads) {
    auto series = series_of(report, workload);
    if (!series.empty()) panels.emplace_back(workload, std::move(series));
  }
  for (const auto& cell : report.cells) {  // a saved run may lack the config's workload list
    if (std::none_of(panels.begin(), panels.end(),
                     [&](const auto& p) { return p.first == cell.key.workload; })) {
      auto series = series_of(report, cell.key.workload);
      if (!series.empty()) panels.emplace_back(cell.key.workload, std::move(series));
    }
  }
  if (panels.empty()) return std::nullopt;
  const double usable = report.platform.cpu.usable_fraction.value_or(
      static_cast<double>(report.platform.cpu.usable.value_or(0)));
  const auto columns = static_cast<unsigned>(std::min<std::size_t>(kPanelsPerRow, panels.size()));
  const auto rows = static_cast<unsigned>((panels.size() + columns - 1) / columns);
  Svg svg(columns * kPanelWidth, rows * kPanelHeight, "Speed-up against workers");
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const std::size_t row = i / columns, column = i % columns;  // panels fill rows left to right
    draw_panel(svg, static_cast<double>(column) * kPanelWidth,
               static_cast<double>(row) * kPanelHeight, panels[i].first, panels[i].second, usable);
  }
  return Chart{"speedup", "speedup", "Speed-up against workers", svg.finish()};
}

}  // namespace conc_probe::visual
