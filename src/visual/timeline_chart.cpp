// The lock timeline of each gil cell: who held the lock, who waited for it, who was in IO.
#include <fmt/format.h>

#include <algorithm>

#include "conc_probe/gil_timeline.hpp"
#include "report/bench_format.hpp"
#include "visual/chart_parts.hpp"
#include "visual/svg.hpp"

namespace conc_probe::visual {
namespace {

constexpr double kWidth = 760, kLeft = 96, kRight = 16, kTop = 40, kRow = 22, kBottom = 46;
/// Spans narrower than this (in user units) are not drawn: they would not show.
constexpr double kMinWidth = 0.05;

const std::vector<GilEvent>* recorded(const CellResult& cell) {
  for (auto it = cell.samples.rbegin(); it != cell.samples.rend(); ++it)
    if (!it->gil_events.empty()) return &it->gil_events;
  return nullptr;
}

/// Every thread the events name, and at least the cell's workers (a convoy cell has one
/// more: the IO thread beside its CPU workers).
unsigned thread_count(const std::vector<GilEvent>& events, const CellKey& key) {
  unsigned threads = key.workers;
  for (const auto& e : events) threads = std::max(threads, e.thread + 1);
  return threads;
}

/// From the first hold, twenty switch intervals (or all there is) — as the terminal shows.
std::pair<std::int64_t, std::int64_t> window_of(const std::vector<GilEvent>& events,
                                                const CellKey& key) {
  std::int64_t first = events.front().start_ns, last = first;
  bool held = false;
  for (const auto& e : events) {
    if (e.kind == GilEvent::Kind::Hold && (!held || e.start_ns < first)) {
      first = e.start_ns;
      held = true;
    }
    last = std::max(last, e.end_ns);
  }
  const std::int64_t interval = key.switch_interval ? key.switch_interval->count() : 5'000'000;
  return {first, std::max<std::int64_t>(1, std::min(last - first, 20 * interval))};
}

void draw_legend(Svg& svg, double x, double y) {
  for (const auto& [cls, text] : {std::pair{"hold", "holds the lock"},
                                  std::pair{"wait", "waits for it"}, std::pair{"io", "in IO"}}) {
    svg.rect(x, y - 10, 14, 10, fmt::format("class=\"{}\"", cls));
    svg.text(x + 18, y, text, "start", "class=\"legend\"");
    x += 130;
  }
}

void draw_time_axis(Svg& svg, double y, std::int64_t span_ns) {
  const double width = kWidth - kLeft - kRight;
  svg.line(kLeft, y, kLeft + width, y, "class=\"axis\"");
  for (int i = 0; i <= 5; ++i) {
    const double x = kLeft + width * i / 5;
    svg.line(x, y, x, y + 4, "class=\"axis\"");
    const double at = static_cast<double>(span_ns) * 1e-9 * i / 5;
    svg.text(x, y + 16, i == 0 ? "0" : report::human_seconds(at), i == 5 ? "end" : "middle",
             "class=\"tick\"");
  }
  svg.text(kLeft + width / 2, y + 34, "time from the first hold (last repetition)", "middle",
           "class=\"label\"");
}

Chart chart_of(const CellResult& cell, const std::vector<GilEvent>& events) {
  const unsigned threads = thread_count(events, cell.key);
  const auto [start, span] = window_of(events, cell.key);
  const double width = kWidth - kLeft - kRight;
  const double scale = width / static_cast<double>(span);
  const std::string label = cell.key.workload + " " + report::cell_mode_label(cell.key);
  const std::string title = "Lock timeline of " + label;
  Svg svg(kWidth, kTop + kRow * threads + kBottom, title);
  svg.text(kLeft, 16, title, "start", "class=\"panel-title\"");
  draw_legend(svg, kLeft, 32);
  std::vector<bool> in_io(threads, false);
  for (const auto& e : events) in_io[e.thread] = in_io[e.thread] || e.kind == GilEvent::Kind::Io;
  for (unsigned t = 0; t < threads; ++t) {
    const double y = kTop + kRow * t;
    svg.text(kLeft - 8, y + kRow / 2 + 4, fmt::format("thread {}{}", t, in_io[t] ? " (IO)" : ""),
             "end", "class=\"label\"");
    svg.line(kLeft, y + kRow - 1, kLeft + width, y + kRow - 1, "class=\"grid\"");
  }
  for (const auto& e : events) {
    const double x0 = static_cast<double>(std::max(e.start_ns, start) - start) * scale;
    const double x1 = static_cast<double>(std::min(e.end_ns, start + span) - start) * scale;
    if (x1 - x0 < kMinWidth) continue;
    svg.rect(kLeft + x0, kTop + kRow * e.thread + 3, x1 - x0, kRow - 6,
             fmt::format("class=\"{}\"", to_string(e.kind)));
  }
  draw_time_axis(svg, kTop + kRow * threads + 2, span);
  return Chart{"timeline-" + slug(cell.key.workload + "-" + report::cell_mode_label(cell.key)),
               "timeline", title, svg.finish()};
}

}  // namespace

std::vector<Chart> timeline_charts(const BenchReport& report) {
  std::vector<Chart> charts;
  for (const auto& cell : report.cells) {
    if (cell.key.mode != Mode::Gil) continue;
    if (const auto* events = recorded(cell)) charts.push_back(chart_of(cell, *events));
  }
  return charts;
}

}  // namespace conc_probe::visual
