// `conc-probe report RUN.json`: the pictures of a saved run; `conc-probe show RUN.json`:
// a saved run rendered as if it had just run.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "cli/visual_output.hpp"
#include "conc_probe/compare.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/saved_run.hpp"
#include "conc_probe/visual.hpp"

namespace conc_probe::cli {
namespace {

struct ReportOptions {
  std::string run;
  std::string output;  ///< the HTML page; empty = stdout
  std::string svg;
  std::string chart = "speedup";
};

int run_report(const ReportOptions& o) {
  if (!o.output.empty()) check_writable(o.output);
  if (!o.svg.empty()) check_writable(o.svg);
  const BenchReport report = load_bench_report(o.run);
  if (!o.svg.empty()) save_svg(o.svg, report, o.chart);
  if (!o.output.empty()) {
    save_html(o.output, report);
  } else if (o.svg.empty()) {
    std::ostringstream page;
    write_html_report(page, report);
    write_stdout(page.str());
  }
  return 0;
}

struct ShowOptions {
  std::string run;
  std::string format = "table";
};

/// JSON is shown as saved (with every field, in its order), the other formats rebuilt.
int run_show(const ShowOptions& o) {
  const Format format = parse_format(o.format, bench_formats());
  const BenchReport report = load_bench_report(o.run);
  std::ostringstream out;
  if (format == Format::Json) {
    std::ifstream in(o.run, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out << nlohmann::ordered_json::parse(text.str())
               .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << '\n';
  } else {
    write_bench(out, report, format,
                Style{format == Format::Table && color_allowed(STDOUT_FILENO),
                      output_width(STDOUT_FILENO)});
  }
  write_stdout(out.str());
  return 0;
}

}  // namespace

Action add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportOptions>();
  auto* command = app.add_subcommand(
      "report", "Draw a saved bench run as a self-contained HTML page or an SVG chart");
  command->group("Subcommands");
  command->add_option("RUN", o->run, "a `bench --format json` run")->required()->type_name("FILE");
  command->add_option("-o,--output", o->output, "Write the HTML page to FILE (default: stdout)")
      ->type_name("FILE");
  command->add_option("--svg", o->svg, "Write one chart as a standalone SVG to FILE")
      ->type_name("FILE");
  command
      ->add_option("--chart", o->chart, "The chart --svg writes (speedup, latency-WORKLOAD, ...)")
      ->type_name("ID")
      ->capture_default_str();
  command->footer(
      "Example:\n  conc-probe bench -o run.json && conc-probe report run.json -o report.html\n"
      "The page holds speed-up against workers, IO latency distributions, each gil cell's\n"
      "lock timeline (runs made with --timeline, --trace or --html), the findings and the\n"
      "machine's summary; it loads nothing from the network.");
  return [o] { return run_report(*o); };
}

Action add_show_command(CLI::App& app) {
  auto o = std::make_shared<ShowOptions>();
  auto* command = app.add_subcommand("show", "Print a saved bench run as if it had just run");
  command->group("Subcommands");
  command->add_option("RUN", o->run, "a `bench --format json` run")->required()->type_name("FILE");
  command->add_option("-f,--format", o->format, format_names(bench_formats()))
      ->type_name("FORMAT")
      ->capture_default_str();
  add_color_option(*command);
  set_choices(command->get_option("--format"), bench_formats());
  command->footer("Example:\n  conc-probe show run.json -f markdown >> summary.md");
  return [o] { return run_show(*o); };
}

}  // namespace conc_probe::cli
