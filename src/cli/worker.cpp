#include "cli/commands.hpp"
#include "conc_probe/error.hpp"

namespace conc_probe::cli {

Action add_worker_command(CLI::App& app) {
  auto* command = app.add_subcommand("worker", "(not available yet)");
  command->group("");  // hidden until implemented
  return [] () -> int { throw UsageError("'worker' is not available yet"); };
}

}  // namespace conc_probe::cli
