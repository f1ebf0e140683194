#include "cli/commands.hpp"
#include "conc_probe/error.hpp"

namespace conc_probe::cli {

Action add_info_command(CLI::App& app) {
  auto* command = app.add_subcommand("info", "(not available yet)");
  command->group("Subcommands");
  return [] () -> int { throw UsageError("'info' is not available yet"); };
}

}  // namespace conc_probe::cli
