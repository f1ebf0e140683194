#include "cli/commands.hpp"
#include "conc_probe/mpi.hpp"
#include "engine/mpi_task.hpp"

namespace conc_probe::cli {

Action add_mpi_worker_command(CLI::App& app) {
  // The mpi executor starts `mpirun … conc-probe __mpi-worker --key value …`; the arguments
  // belong to the engine, so CLI11 passes them through untouched.
  auto* command =
      app.add_subcommand(engine::kMpiWorkerCommand, "internal: one rank of an mpi cell");
  command->group("");  // hidden from --help
  command->prefix_command();
  return [command]() -> int { return mpi::run_rank_worker(command->remaining()); };
}

}  // namespace conc_probe::cli
