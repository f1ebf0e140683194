// `conc-probe __mpi-worker …`: one rank of one repetition of an mpi cell, started by the
// mpi executor through mpirun. Rank 0 writes the gathered records where the task says.
#include <mpi.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <csignal>

#include "conc_probe/mpi.hpp"
#include "conc_probe/output.hpp"
#include "mpi/rank_cell.hpp"

namespace conc_probe::mpi {

int run_rank_worker(const std::vector<std::string>& args) {
  const std::int64_t init_ns = engine::monotonic_ns();
  const engine::RankTask task = engine::parse_rank_task(args);
#ifdef __linux__
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the launcher gone: so is this rank
#endif
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  std::string bytes;
  {
    const Watchdog watchdog(init_ns + task.deadline_ms * 1'000'000, task.parent);
    bytes = run_rank_cell(task, init_ns);
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int code = 0;
  if (rank == 0) {
    try {
      write_file_atomically(task.result_file, bytes);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "conc-probe: error: rank 0: %s\n", e.what());
      code = 1;
    }
  }
  MPI_Finalize();
  return code;
}

}  // namespace conc_probe::mpi
