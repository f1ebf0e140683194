#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "conc_probe/result.hpp"

/// Pictures of a bench report, drawn here as SVG (no library, no script, no network):
/// speed-up against workers, latency distributions, the gil cells' lock timelines, and a
/// self-contained HTML page holding them with the findings and the machine's summary.
namespace conc_probe {

/// One picture of a report.
struct Chart {
  std::string id;     ///< stable, unique: "speedup", "latency-sleep", "timeline-count-gil-2-5ms"
  std::string kind;   ///< "speedup", "latency" or "timeline"
  std::string title;  ///< a heading for it
  std::string svg;    ///< a complete standalone <svg> document
};

/// Every chart the report has data for, in page order: the speed-up chart (one panel per
/// workload; absent when no cell has a speed-up), one latency chart per workload with IO
/// cells that kept latencies, one timeline per gil cell that recorded its lock's timeline.
std::vector<Chart> bench_charts(const BenchReport& report);

/// Writes one self-contained HTML5 page: machine summary, the charts, the findings and the
/// cells as a table. Inline CSS only; nothing is fetched.
void write_html_report(std::ostream& out, const BenchReport& report);

/// The machine's summary as label → value rows (what `info` puts first), unknowns left out.
std::vector<std::pair<std::string, std::string>> machine_summary(const PlatformReport& platform);

}  // namespace conc_probe
