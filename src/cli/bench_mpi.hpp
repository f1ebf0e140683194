#pragma once

#include <string>
#include <vector>

#include "conc_probe/config.hpp"

/// The options of `bench` that only mpi cells read, and how bench runs under mpirun.
namespace conc_probe::cli {

/// The rank counts of mpi cells from --ranks (empty: the --workers counts; under mpirun,
/// its -np). Throws UsageError when mpi is asked for and cannot run: a rank count of 0,
/// no MPI in this build, no mpirun on PATH, or --ranks other than mpirun's -np.
std::vector<unsigned> mpi_rank_counts(const std::string& ranks, const BenchConfig& config,
                                      unsigned limit, const std::string& limit_reason);

/// True when bench runs as ranks of an MPI job (started by hand under mpirun, MPI built in):
/// rank 0 then runs the bench and the other ranks serve its mpi cells.
bool bench_runs_as_ranks() noexcept;

}  // namespace conc_probe::cli
