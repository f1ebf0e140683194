#include "cli/commands.hpp"
#include "conc_probe/error.hpp"

namespace conc_probe::cli {

Action add_bench_command(CLI::App& app) {
  auto* command = app.add_subcommand("bench", "(not available yet)");
  command->group("");  // hidden until implemented
  return [] () -> int { throw UsageError("'bench' is not available yet"); };
}

}  // namespace conc_probe::cli
