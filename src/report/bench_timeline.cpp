#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "conc_probe/gil_timeline.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/units.hpp"

namespace conc_probe {
namespace {

/// The recorded events of a cell: those of its last repetition that recorded any.
const std::vector<GilEvent>* recorded_events(const CellResult& cell) {
  for (auto it = cell.samples.rbegin(); it != cell.samples.rend(); ++it) {
    if (!it->gil_events.empty()) return &it->gil_events;
  }
  return nullptr;
}

std::string cell_title(const CellResult& cell) {
  std::string title = fmt::format("{} gil x{}", cell.key.workload, cell.key.workers);
  if (cell.key.switch_interval) title += " @" + units::format_duration(*cell.key.switch_interval);
  return title;
}

/// The window shown: from the first hold, twenty switch intervals (or all there is).
std::pair<std::int64_t, std::int64_t> window_of(const std::vector<GilEvent>& events,
                                                const CellResult& cell) {
  std::int64_t first = events.front().start_ns, last = first;
  for (const auto& event : events) {
    if (event.kind == GilEvent::Kind::Hold) first = std::min(first, event.start_ns);
    last = std::max(last, event.end_ns);
  }
  const std::int64_t interval =
      cell.key.switch_interval ? cell.key.switch_interval->count() : 5'000'000;
  return {first, std::max<std::int64_t>(1, std::min(last - first, 20 * interval))};
}

}  // namespace

void write_bench_timelines(std::ostream& out, const BenchReport& report, unsigned width) {
  for (const auto& cell : report.cells) {
    const auto* events = recorded_events(cell);
    if (events == nullptr || cell.key.mode != Mode::Gil) continue;
    const auto [start, span] = window_of(*events, cell);
    out << fmt::format("\nTimeline of {} (last repetition, {:.1f} ms from the first hold):\n",
                       cell_title(cell), static_cast<double>(span) / 1e6);
    out << render_timeline(*events, cell.key.workers, start, span, width);
  }
}

void write_bench_trace(std::ostream& out, const BenchReport& report) {
  nlohmann::json merged = {{"traceEvents", nlohmann::json::array()}, {"displayTimeUnit", "ms"}};
  int pid = 0;
  for (const auto& cell : report.cells) {
    const auto* events = recorded_events(cell);
    if (events == nullptr || cell.key.mode != Mode::Gil) continue;
    ++pid;
    std::ostringstream one;
    write_chrome_trace(one, *events, cell.key.workers, "conc-probe " + cell_title(cell));
    nlohmann::json document = nlohmann::json::parse(one.str());
    for (auto& event : document["traceEvents"]) {
      event["pid"] = pid;  // one trace process per cell
      merged["traceEvents"].push_back(std::move(event));
    }
  }
  out << merged.dump() << '\n';
}

}  // namespace conc_probe
