// Built instead of the rest of src/mpi/ when CMake found no MPI: the entry points say so.
#include "conc_probe/error.hpp"
#include "conc_probe/mpi.hpp"

namespace conc_probe::mpi {
namespace {

[[noreturn]] void not_built_in() {
  throw UsageError(
      "mode 'mpi' is not built in (this conc-probe was built without MPI: install "
      "libopenmpi-dev and rebuild)");
}

}  // namespace

int run_rank_worker(const std::vector<std::string>&) { not_built_in(); }

int run_bench_as_ranks(const std::function<int(unsigned)>&) { not_built_in(); }

int run_rank_info(const PlatformReport&, Format) { not_built_in(); }

}  // namespace conc_probe::mpi
