// `conc-probe info` under mpirun: every rank's placement gathered at rank 0.
#include <mpi.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "conc_probe/mpi.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/rank_report.hpp"
#include "conc_probe/text.hpp"
#include "mpi/rank_cell.hpp"

namespace conc_probe::mpi {
namespace {

/// Threads each rank will run: OMP_NUM_THREADS (its first level) when set, else 1.
unsigned threads_per_rank() {
  // Read on the main thread before MPI starts any.
  const char* value = std::getenv("OMP_NUM_THREADS");  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) return 1;
  const std::string text(value);
  const auto parsed = text::parse_u64(text.substr(0, text.find(',')));
  return parsed && *parsed > 0 && *parsed < 100000 ? static_cast<unsigned>(*parsed) : 1;
}

}  // namespace

int run_rank_info(const PlatformReport& report, Format format) {
  MPI_Init(nullptr, nullptr);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const RankPlacement mine = placement_of(report, static_cast<unsigned>(rank), host_name(),
                                          static_cast<long>(::getpid()), threads_per_rank());
  const std::vector<std::string> all = gather_to_root(placement_to_json(mine));
  MPI_Finalize();
  if (rank != 0) return 0;
  std::vector<RankPlacement> ranks;
  ranks.reserve(all.size());
  for (const auto& text : all) ranks.push_back(placement_from_json(text));
  std::ostringstream out;
  write_rank_report(out, ranks, format);
  write_stdout(out.str());
  return 0;
}

}  // namespace conc_probe::mpi
