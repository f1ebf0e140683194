#pragma once

#include <string>
#include <vector>

#include "conc_probe/result.hpp"
#include "conc_probe/visual.hpp"

/// One file per kind of chart; bench_charts (html_report.cpp) puts them in order.
namespace conc_probe::visual {

/// Colour of a mode's series (the same in every chart).
std::string_view mode_color(Mode mode) noexcept;

/// The speed-up chart: one panel per workload, a line per mode (and switch interval) with
/// the median's interval as a bar, the ideal line (speed-up = workers) and the usable-CPU
/// line. nullopt when no cell has a speed-up.
std::optional<Chart> speedup_chart(const BenchReport& report);

/// Latency distributions (box: quartiles, whiskers: min to p99, dot: max) of each IO or
/// mixed workload's cells, on a log scale; one chart per workload with latencies.
std::vector<Chart> latency_charts(const BenchReport& report);

/// The lock timeline of each gil cell that recorded one: a row per thread (every thread the
/// events name, and at least the cell's workers), holds, waits and IO as bars.
std::vector<Chart> timeline_charts(const BenchReport& report);

/// "count" → "count"; anything outside [A-Za-z0-9] becomes '-' (for chart ids).
std::string slug(std::string_view text);

}  // namespace conc_probe::visual
