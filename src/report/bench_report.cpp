// write_bench: the one entry point of the bench reporters.
#include <array>
#include <ostream>

#include "conc_probe/reporter.hpp"
#include "report/bench_format.hpp"
#include "report/bench_writers.hpp"

namespace conc_probe {
namespace {

constexpr std::array<FormatRow, 4> kBenchFormats{{
    {Format::Table, "table", ".txt"},
    {Format::Json, "json", ".json"},
    {Format::Markdown, "markdown", ".md"},
    {Format::Csv, "csv", ".csv"},
}};

}  // namespace

FormatTable bench_formats() { return kBenchFormats; }

void write_bench(std::ostream& out, const BenchReport& report, Format format, Style style) {
  switch (format) {
    case Format::Json:
      // Error text from the system may hold invalid UTF-8: replace it rather than throw.
      out << report::bench_to_json(report).dump(2, ' ', false,
                                                nlohmann::ordered_json::error_handler_t::replace)
          << '\n';
      return;
    case Format::Markdown:
      report::write_bench_markdown(out, report);
      return;
    case Format::Csv:
      report::write_bench_csv(out, report);
      return;
    case Format::Table:
      report::write_bench_table(out, report, style);
      return;
  }
}

}  // namespace conc_probe
