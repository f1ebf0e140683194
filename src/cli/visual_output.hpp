#pragma once

#include <string>

#include "conc_probe/result.hpp"

/// Writing the pictures of a report to files, shared by `bench --html/--svg` and `report`.
namespace conc_probe::cli {

/// The HTML report of `report`, written atomically to `path`.
void save_html(const std::string& path, const BenchReport& report);

/// One chart as a standalone SVG file: the chart whose id is `chart` ("speedup" by
/// default; the ids are listed in the error otherwise). Throws UsageError when the report
/// has no such chart, writing nothing.
void save_svg(const std::string& path, const BenchReport& report, const std::string& chart);

}  // namespace conc_probe::cli
