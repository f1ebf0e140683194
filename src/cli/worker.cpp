#include "cli/commands.hpp"
#include "conc_probe/engine.hpp"

namespace conc_probe::cli {

Action add_worker_command(CLI::App& app) {
  // Start method spawn re-executes this binary as `conc-probe __worker --key value ...`;
  // the arguments belong to the engine, so CLI11 passes them through untouched.
  auto* command = app.add_subcommand("__worker", "internal: a spawned worker process");
  command->group("");  // hidden from --help
  command->prefix_command();
  return [command]() -> int { return run_spawned_worker(command->remaining()); };
}

Action add_fork_server_command(CLI::App& app) {
  // Start method forkserver starts `conc-probe __forkserver --socket FD ...` once per
  // repetition; it forks the workers on request.
  auto* command = app.add_subcommand("__forkserver", "internal: the fork server of process mode");
  command->group("");  // hidden from --help
  command->prefix_command();
  return [command]() -> int { return run_fork_server(command->remaining()); };
}

}  // namespace conc_probe::cli
