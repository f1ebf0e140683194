#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conc_probe/workload.hpp"
#include "engine/executor.hpp"

/// The worker side of process mode, shared by both start methods: a forked child calls
/// worker_process_main directly, a re-executed one (`conc-probe __worker ...`) after
/// parsing its command line.
namespace conc_probe::engine {

/// What a worker process needs besides the workload: its ops and the parent's pipes.
struct WorkerProcessArgs {
  unsigned worker_index = 0;
  OpRange range;
  std::uint64_t stride = 0;  ///< latency stride (0 = none)
  int ready_fd = -1;         ///< one byte is written here once the session is open
  int start_fd = -1;         ///< read until EOF: the parent's start signal
  int result_fd = -1;        ///< the framed result goes here
  pid_t parent = 0;
  MessageFault fault = MessageFault::None;  ///< tests: misbehave instead of answering
  /// Data that moves: sizes of the cell's input and of every op's result, the cell's op
  /// count (for the input slices), and where the input and results go.
  std::uint64_t total_ops = 0;
  std::uint64_t input_size = 0;
  std::uint64_t result_size = 0;
  /// spawn, forkserver: the worker's input slice arrives here after the start signal.
  int input_fd = -1;
  int data_fd = -1;  ///< the results go here (-1: the cell returns none)
  /// fork: the parent's input, inherited copy-on-write (null: received through input_fd).
  const unsigned char* inherited_input = nullptr;
};

/// Asks the kernel to SIGKILL this process when the parent dies and checks that the parent
/// is still `parent`; false when it is already gone (the caller must exit).
bool tie_to_parent(pid_t parent) noexcept;

/// Body of a worker process: opens the session, reports ready, waits for the start signal,
/// runs its ops and writes the framed result. Returns the exit code (0 when the result was
/// written, whatever it says). Never throws.
int worker_process_main(const WorkerProcessArgs& args, const Workload& workload,
                        const WorkloadParams& params) noexcept;

/// The workload of `params` in a re-executed process; one whose open_worker throws the
/// reason when it cannot be made, so that the reason reaches the parent in the result.
std::unique_ptr<Workload> recreate_workload(const WorkloadParams& params);

/// The command line (after the program name) that re-creates this worker with
/// `conc-probe __worker`.
std::vector<std::string> spawn_arguments(const WorkerProcessArgs& args,
                                         const WorkloadParams& params);

/// Parses what spawn_arguments produced; throws UsageError on anything else.
void parse_spawn_arguments(const std::vector<std::string>& argv, WorkerProcessArgs& args,
                           WorkloadParams& params);

/// The name of the hidden subcommand of re-executed workers.
inline constexpr const char* kWorkerCommand = "__worker";
/// The name of the hidden subcommand of start method forkserver's server.
inline constexpr const char* kForkServerCommand = "__forkserver";

}  // namespace conc_probe::engine
