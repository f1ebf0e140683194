#include "cli/commands.hpp"
#include "conc_probe/error.hpp"

namespace conc_probe::cli {

Action add_compare_command(CLI::App& app) {
  auto* command = app.add_subcommand("compare", "(not available yet)");
  command->group("");  // hidden until implemented
  return [] () -> int { throw UsageError("'compare' is not available yet"); };
}

}  // namespace conc_probe::cli
