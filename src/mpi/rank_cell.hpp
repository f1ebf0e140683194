#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/mpi_task.hpp"

/// One repetition of an mpi cell on the ranks of MPI_COMM_WORLD (MPI already initialised).
namespace conc_probe::mpi {

/// Runs `task` on every rank: each runs its slice of the ops (for `net`, pairs of ranks
/// ping-pong), the checksum and op count are reduced, the records gathered. Collective:
/// every rank calls it. Returns rank 0's joined records (empty on the other ranks).
/// `init_ns` is monotonic_ns() just before MPI_Init (start-up runs from there to the
/// first barrier).
std::string run_rank_cell(const engine::RankTask& task, std::int64_t init_ns);

/// A thread that aborts the whole job (MPI_Abort) when the task's deadline passes or the
/// bench process that started it is gone, so a stuck rank never hangs the run.
class Watchdog {
 public:
  /// Watches until destroyed; `parent` 0 = no parent to watch.
  Watchdog(std::int64_t deadline_ns, int parent);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void watch(std::int64_t deadline_ns, int parent);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

/// Every rank's `mine`, in rank order, at rank 0 (empty elsewhere). Collective.
std::vector<std::string> gather_to_root(const std::string& mine);

/// This host's name ("unknown" when the system will not say).
std::string host_name();

}  // namespace conc_probe::mpi
