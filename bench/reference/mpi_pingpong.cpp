// The smallest MPI ping-pong (as the OSU latency test measures it): rank 0 sends BYTES to
// rank 1, which sends them back, ITERATIONS times after a warm-up; prints as JSON the median
// round trip of REPEATS timed batches (batch time / ITERATIONS) and the p50 of the round
// trips timed one by one (a clock read either side of each, as conc-probe times its ops).
// bench/mpi_reference.py sets it beside conc-probe's `--mode mpi --workload net` cells.
// With WORK = work, each round trip also does the op work of conc-probe's `net` workload
// (the payload filled from the op's seed, the reply compared and hashed), so that the two
// differ only by the engine: its loop, its clock reads, its non-blocking waits.
// Usage: mpirun -np 2 reference_mpi_pingpong [BYTES] [ITERATIONS] [REPEATS] [plain|work]
#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace {

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int bytes = argc > 1 ? std::atoi(argv[1]) : 64;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 10000;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  const bool work = argc > 4 && std::string(argv[4]) == "work";
  namespace w = conc_probe::workloads;
  std::vector<char> buffer(static_cast<std::size_t>(std::max(bytes, 1)), 'x');
  std::vector<std::byte> payload(buffer.size());
  std::uint64_t checksum = 0;
  std::uint64_t op = 0;
  std::vector<double> each;  // one by one, rank 0
  const auto batch = [&](int count, bool timed) {
    for (int i = 0; i < count; ++i) {
      if (rank == 0) {
        const std::int64_t begin = timed ? now_ns() : 0;
        if (work) {
          const std::uint64_t seed = w::op_seed(op++, w::kSaltNet);
          w::fill_deterministic(payload, seed);
          MPI_Send(payload.data(), bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
          MPI_Recv(buffer.data(), bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          const auto reply = std::as_bytes(std::span(buffer.data(), buffer.size()));
          const bool echoed = std::equal(payload.begin(), payload.end(), reply.begin());
          checksum += w::mix64((echoed ? w::fnv1a(payload) : 0) ^ seed);
        } else {
          MPI_Send(buffer.data(), bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
          MPI_Recv(buffer.data(), bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        if (timed) each.push_back(static_cast<double>(now_ns() - begin) * 1e-9);
      } else if (rank == 1) {
        MPI_Recv(buffer.data(), bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(buffer.data(), bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
      }
    }
  };
  batch(iterations / 10, false);  // warm-up
  std::vector<double> round_trips;
  for (int r = 0; r < repeats; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    batch(iterations, false);
    round_trips.push_back((MPI_Wtime() - start) / iterations);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  each.reserve(static_cast<std::size_t>(iterations));
  batch(iterations, true);
  std::sort(round_trips.begin(), round_trips.end());
  std::sort(each.begin(), each.end());
  if (rank == 0) {
    std::printf(
        "{\"bytes\": %d, \"iterations\": %d, \"round_trip_seconds\": %.9g, \"min_seconds\": "
        "%.9g, \"p50_seconds\": %.9g, \"work\": %s, \"checksum\": %llu}\n",
        bytes, iterations, round_trips[round_trips.size() / 2], round_trips.front(),
        each.empty() ? 0.0 : each[each.size() / 2], work ? "true" : "false",
        static_cast<unsigned long long>(checksum));
  }
  MPI_Finalize();
  return 0;
}
