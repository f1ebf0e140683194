#include "cli/visual_output.hpp"

#include <sstream>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/visual.hpp"

namespace conc_probe::cli {

void save_html(const std::string& path, const BenchReport& report) {
  std::ostringstream page;
  write_html_report(page, report);
  write_file_atomically(path, page.str());
}

void save_svg(const std::string& path, const BenchReport& report, const std::string& chart) {
  const auto charts = bench_charts(report);
  std::string ids;
  for (const auto& c : charts) {
    if (c.id == chart) {
      write_file_atomically(path, c.svg);
      return;
    }
    ids += (ids.empty() ? "" : ", ") + c.id;
  }
  if (ids.empty()) throw UsageError("this run has no chart to write to " + path);
  throw UsageError("no chart '" + chart + "' in this run (it has: " + ids + ")");
}

}  // namespace conc_probe::cli
