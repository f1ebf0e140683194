#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// How `mpi` mode finds and starts an MPI launcher on one machine. Plain POSIX: the parent
/// of an mpi cell never calls MPI itself, so none of this needs the MPI library.
namespace conc_probe::engine {

/// The launcher families whose single-machine flags differ.
enum class MpiFlavor { OpenMpi4, OpenMpi5, Mpich, Unknown };

/// Returns "Open MPI 4", "Open MPI 5", "MPICH" or "unknown".
std::string_view to_string(MpiFlavor flavor) noexcept;

/// True when this binary was built with MPI (the `__mpi-worker` ranks can run).
bool mpi_built_in() noexcept;

/// True when this process is a rank started by mpirun/mpiexec (Open MPI's
/// OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK or the PMI_SIZE of MPICH's Hydra are set).
bool under_mpi_launcher() noexcept;

/// The launcher to use: $CONC_PROBE_MPIRUN when set (a path, or empty for "none"), else
/// the first `mpirun` or `mpiexec` on $PATH; nullopt when there is none.
std::optional<std::string> find_mpirun();

/// The family named by the output of `mpirun --version`.
MpiFlavor parse_mpi_flavor(std::string_view version_text) noexcept;

/// Runs `mpirun --version` (bounded to a few seconds) and parses it; Unknown on failure.
MpiFlavor ask_mpi_flavor(const std::string& mpirun);

/// ask_mpi_flavor, remembered for the last launcher asked (call from one thread).
MpiFlavor detect_mpi_flavor(const std::string& mpirun);

/// The flags one machine needs: more ranks than CPUs allowed, no binding (the run's own
/// --cpus decides) unless `bind_cores` (each rank to a core of its own: what the ranks of
/// a ping-pong need not to end up timesharing one CPU while another is free), shared
/// memory between ranks, and running as root in a container. Open MPI 4 calls its
/// shared-memory transport `vader`, Open MPI 5 `sm`; MPICH's Hydra oversubscribes by
/// default and starts local ranks with the `fork` launcher.
std::vector<std::string> mpi_launch_flags(MpiFlavor flavor, bool as_root, bool bind_cores = false);

}  // namespace conc_probe::engine

namespace conc_probe::engine {

/// The number of ranks of the job this process belongs to, from the launcher's
/// environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE); nullopt outside a launcher.
std::optional<unsigned> launcher_world_size() noexcept;

}  // namespace conc_probe::engine
