// `conc-probe compare BASE NEW`: a verdict per cell for CI.
#include "conc_probe/compare.hpp"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/units.hpp"

namespace conc_probe::cli {
namespace {

struct CompareCliOptions {
  std::string base;
  std::string next;
  std::string threshold = "10%";
  std::string format = "table";
  std::string fail_on = "slower";
};

int run_compare(const CompareCliOptions& options) {
  CompareOptions compare;
  compare.threshold = units::parse_percentage(options.threshold, "--threshold");
  const Format format = parse_format(options.format, compare_formats());
  if (options.fail_on != "slower" && options.fail_on != "inconclusive") {
    throw UsageError("invalid value '" + options.fail_on +
                     "' for --fail-on (expected slower or inconclusive)");
  }
  const LoadedRun base = load_run(options.base);
  const LoadedRun next = load_run(options.next);
  const Comparison comparison = compare_runs(base, next, compare);
  for (const auto& warning : comparison.warnings)
    std::cerr << "conc-probe: warning: " << warning << '\n';
  std::ostringstream out;
  write_comparison(out, comparison, format,
                   Style{format == Format::Table && color_allowed(STDOUT_FILENO)});
  write_stdout(out.str());
  const bool fail = comparison.has(Verdict::Slower) ||
                    (options.fail_on == "inconclusive" && comparison.has(Verdict::Inconclusive));
  return static_cast<int>(fail ? ExitCode::Regression : ExitCode::Success);
}

}  // namespace

Action add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareCliOptions>();
  auto* command =
      app.add_subcommand("compare", "Compare two `bench --format json` runs cell by cell");
  command->group("Subcommands");
  command->add_option("BASE", options->base, "baseline run (JSON)")->required()->type_name("FILE");
  command->add_option("NEW", options->next, "new run (JSON)")->required()->type_name("FILE");
  command->add_option("--threshold", options->threshold, "change that counts, as a percentage")
      ->type_name("PERCENT")
      ->default_str("10%");
  command
      ->add_option("--format", options->format,
                   format_names(compare_formats()) + " (markdown for a pull request)")
      ->type_name("FORMAT")
      ->default_str("table")
      ->check(non_empty());
  command
      ->add_option("--fail-on", options->fail_on,
                   "exit 3 on 'slower' cells (default) or also on 'inconclusive' ones")
      ->type_name("VERDICT")
      ->default_str("slower");
  add_color_option(*command);
  set_choices(command->get_option("--format"), compare_formats());
  set_choices(command->get_option("--fail-on"), "slower,inconclusive");
  command->footer(
      "Verdicts: faster / slower / unchanged / inconclusive, from a 95% bootstrap interval of\n"
      "the ratio of median wall times (docs/ci.md).\n"
      "Exit codes: 0 no regression, 2 bad input, 3 a cell slower beyond the threshold.\n"
      "Example:\n  conc-probe compare base.json run.json --threshold 5% --format markdown");
  return [options] { return run_compare(*options); };
}

}  // namespace conc_probe::cli
