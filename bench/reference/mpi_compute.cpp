// A bare MPI compute loop: each rank runs its share of OPS ops of the `count` kernel (the
// same kernel and op seeds as conc-probe's `count` workload, so the same work), the
// checksum is reduced to rank 0, and the slowest rank's loop time is printed as JSON —
// the median of REPEATS runs. bench/mpi_reference.py sets it beside conc-probe's mpi cells.
// Usage: mpirun -np N reference_mpi_compute OPS [REPEATS]
#include <mpi.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "conc_probe/op_context.hpp"
#include "conc_probe/workload.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

int main(int argc, char** argv) {
  using namespace conc_probe::workloads;
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const std::uint64_t ops = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  const auto n = static_cast<std::uint64_t>(size);
  const auto r = static_cast<std::uint64_t>(rank);
  // The engine's split (engine::worker_range): rank r runs [floor(r*ops/n), floor((r+1)*ops/n)).
  const auto bound = [&](std::uint64_t w) { return w * (ops / n) + w * (ops % n) / n; };
  const std::uint64_t first = bound(r);
  const std::uint64_t last = bound(r + 1);
  conc_probe::OpContext context;
  std::vector<double> walls;
  std::uint64_t total = 0;
  for (int rep = 0; rep < repeats; ++rep) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    std::uint64_t sum = 0;
    for (std::uint64_t i = first; i < last; ++i)
      sum += mix64(count_kernel(op_seed(i, kSaltCount), kDefaultCountIterations, context));
    double mine = MPI_Wtime() - start;
    double slowest = 0;
    MPI_Reduce(&mine, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&sum, &total, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    walls.push_back(slowest);
  }
  std::sort(walls.begin(), walls.end());
  if (rank == 0) {
    const double median = walls[walls.size() / 2];
    std::printf("{\"ranks\": %d, \"ops\": %" PRIu64
                ", \"wall_seconds\": %.9g, \"ops_per_second\": %.9g, "
                "\"checksum\": \"0x%016" PRIx64 "\"}\n",
                size, ops, median, static_cast<double>(ops) / median, total);
  }
  MPI_Finalize();
  return 0;
}
