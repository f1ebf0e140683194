#pragma once

#include <iosfwd>

#include "conc_probe/reporter.hpp"
#include "conc_probe/result.hpp"

/// One writer per bench output format; write_bench (bench_report.cpp) dispatches to them.
namespace conc_probe::report {

/// Aligned terminal table, one row per cell, then the findings.
void write_bench_table(std::ostream& out, const BenchReport& report, Style style);
/// A GitHub-flavoured markdown table (for a pull-request comment) and the findings.
void write_bench_markdown(std::ostream& out, const BenchReport& report);
/// RFC 4180 CSV: a header row, then one row per cell; unknown values are empty fields.
void write_bench_csv(std::ostream& out, const BenchReport& report);

}  // namespace conc_probe::report
