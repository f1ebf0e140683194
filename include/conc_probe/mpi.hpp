#pragma once

#include <functional>
#include <string>
#include <vector>

#include "conc_probe/format.hpp"
#include "conc_probe/platform.hpp"

/// The parts of `mpi` mode that run inside MPI ranks. Built from src/mpi/ when CMake found
/// MPI; otherwise a stub whose entry points say that MPI is not built in.
namespace conc_probe::mpi {

/// `conc-probe __mpi-worker …`: one rank of one mpi cell repetition, started by mpirun
/// from the mpi executor. `args` follow the hidden subcommand. Returns the exit code.
int run_rank_worker(const std::vector<std::string>& args);

/// `conc-probe bench` started as ranks by hand (`mpirun -np N conc-probe bench …`): rank 0
/// runs `body` (the whole bench, its mpi cells on this job's ranks) and returns its exit
/// code; the other ranks serve its cells and return 0. Throws UsageError without MPI.
int run_bench_as_ranks(const std::function<int(unsigned ranks)>& body);

/// `conc-probe info` under mpirun: every rank's placement (host, affinity, usable CPUs,
/// NUMA nodes) gathered at rank 0, which writes the report with its warnings; the other
/// ranks write nothing. `report` is this rank's probe. Returns the exit code.
int run_rank_info(const PlatformReport& report, Format format);

}  // namespace conc_probe::mpi
