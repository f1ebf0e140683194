#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conc_probe/workload.hpp"
#include "engine/worker_loop.hpp"

/// What an mpi cell's ranks are told (on the command line of `conc-probe __mpi-worker`, or
/// broadcast by rank 0 when the whole bench runs under mpirun) and what rank 0 gathers
/// back from them. Plain data and bytes: no MPI here.
namespace conc_probe::engine {

/// One repetition of one mpi cell, as every rank sees it.
struct RankTask {
  WorkloadParams params;
  std::uint64_t total_ops = 0;
  std::uint64_t stride = 0;      ///< latency stride (0 = none)
  std::int64_t deadline_ms = 0;  ///< the ranks abort the job this long after MPI_Init
  pid_t parent = 0;              ///< the bench process; the ranks abort when it is gone
  int fault_signal = 0;          ///< tests: rank fault_rank raises it after the start barrier
  unsigned fault_rank = 0;
  std::string result_file;  ///< rank 0 writes the gathered records here
};

/// The arguments after `__mpi-worker` that re-create `task`.
std::vector<std::string> rank_task_arguments(const RankTask& task);

/// Parses what rank_task_arguments produced; throws UsageError on anything else.
RankTask parse_rank_task(const std::vector<std::string>& argv);

/// What one rank did, as gathered at rank 0.
struct RankRecord {
  unsigned rank = 0;
  std::string host;
  double startup_seconds = 0;  ///< MPI_Init until the first barrier was passed
  double work_seconds = 0;     ///< the start barrier until this rank's last op
  WorkerResult result;
};

/// One rank's record as bytes (the worker result inside is a checked result frame).
std::string encode_rank_record(const RankRecord& record);

/// The records of all ranks, each prefixed by its length, after their count and the
/// checksum reduced across the ranks (MPI_Reduce, MPI_SUM: combine_checksum's wrapping sum).
std::string join_rank_records(const std::vector<std::string>& encoded,
                              std::uint64_t reduced_checksum);

/// The records, or why the bytes are not a well-formed set (`problem`). Never throws.
struct DecodedRanks {
  std::vector<RankRecord> records;
  std::uint64_t reduced_checksum = 0;
  std::string problem;
};
DecodedRanks decode_rank_records(std::string_view bytes);

}  // namespace conc_probe::engine

#include <functional>

namespace conc_probe::engine {

/// The hidden subcommand the ranks of an mpi cell run.
inline constexpr const char* kMpiWorkerCommand = "__mpi-worker";

/// Runs a task on the ranks of this process's own MPI job and returns rank 0's joined
/// records (bench started under mpirun); empty when mpi cells launch mpirun themselves.
using InProcessRanks = std::function<std::string(const RankTask&)>;

/// Makes the mpi executor hand its tasks to `runner` (empty: launch mpirun again).
void set_in_process_ranks(InProcessRanks runner);

}  // namespace conc_probe::engine
