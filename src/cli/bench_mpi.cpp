#include "cli/bench_mpi.hpp"

#include <algorithm>

#include "conc_probe/error.hpp"
#include "conc_probe/units.hpp"
#include "conc_probe/workload.hpp"
#include "engine/mpi_launch.hpp"

namespace conc_probe::cli {
namespace {

bool has_mpi(const BenchConfig& config) {
  return std::find(config.modes.begin(), config.modes.end(), Mode::Mpi) != config.modes.end();
}

}  // namespace

std::vector<unsigned> mpi_rank_counts(const std::string& ranks, const BenchConfig& config,
                                      unsigned limit, const std::string& limit_reason) {
  std::vector<unsigned> counts =
      ranks.empty()
          ? config.workers
          : units::parse_worker_list(ranks, "--ranks", config.workers, limit, limit_reason);
  if (!has_mpi(config)) return counts;
  for (const auto& info : workload_catalog()) {
    const bool chosen = std::find(config.workloads.begin(), config.workloads.end(), info.name) !=
                        config.workloads.end();
    if (chosen && info.convoy)
      throw UsageError("mode 'mpi' does not run the " + info.name +
                       " workload (its CPU workers are threads or processes beside one IO thread)");
  }
  if (!engine::mpi_built_in()) {
    throw UsageError(
        "mode 'mpi' is not built in (this conc-probe was built without MPI: install "
        "libopenmpi-dev and rebuild)");
  }
  if (const auto world = engine::launcher_world_size(); world && engine::under_mpi_launcher()) {
    if (!ranks.empty() && counts != std::vector<unsigned>{*world}) {
      throw UsageError("--ranks " + ranks + ": under mpirun the ranks are mpirun's -np (" +
                       std::to_string(*world) + "); drop --ranks or change -np");
    }
    return {*world};
  }
  if (!engine::find_mpirun()) {
    throw UsageError(
        "mode 'mpi' needs mpirun on PATH (apt-get install openmpi-bin, or set "
        "CONC_PROBE_MPIRUN)");
  }
  return counts;
}

bool bench_runs_as_ranks() noexcept {
  return engine::mpi_built_in() && engine::under_mpi_launcher();
}

}  // namespace conc_probe::cli
