#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/posix_util.hpp"

/// Start method forkserver: one server process, re-executed from this binary
/// (`conc-probe __forkserver`), that creates the workload once and then forks every worker
/// on request, as Python's multiprocessing forkserver does. Parent and server speak over a
/// Unix socket pair: a request is the worker's arguments plus its descriptors
/// (SCM_RIGHTS); the server answers with the worker's pid, and later with its exit status.
namespace conc_probe::engine {

/// Most descriptors one request passes: ready, start, result, results data, input.
inline constexpr std::size_t kMaxRequestFds = 5;

/// The parent's handle on a running server; kills it (and through it its workers, which
/// die with it) on destruction.
class ForkServer {
 public:
  /// Starts `binary __forkserver ...` with the workload's arguments `words` and waits
  /// until the server is ready. Throws std::runtime_error when it cannot start, or it is
  /// not ready by `deadline_ns` or a stop is requested ("interrupted").
  ForkServer(const std::string& binary, const std::vector<std::string>& words,
             std::int64_t deadline_ns);
  ~ForkServer();
  ForkServer(const ForkServer&) = delete;
  ForkServer& operator=(const ForkServer&) = delete;

  /// Seconds from starting the server to its ready message.
  [[nodiscard]] double startup_seconds() const noexcept { return startup_seconds_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// Asks for one worker: its arguments (each descriptor field naming its slot in `fds`)
  /// and its descriptors. Returns the worker's pid; throws std::runtime_error.
  pid_t fork_worker(const std::vector<std::string>& words, std::span<const int> fds,
                    std::int64_t deadline_ns);

  /// The exit status of worker `pid` once the server reported it, waiting at most until
  /// `deadline_ns`; -1 when it did not come (the server is gone, or time ran out).
  int wait_status(pid_t pid, std::int64_t deadline_ns) noexcept;

 private:
  /// Kills and reaps the server (once).
  void stop() noexcept;
  /// Reads one message if one comes within `timeout_ms`; false at EOF or an error.
  bool read_message(int timeout_ms) noexcept;

  Fd socket_;
  pid_t pid_ = -1;
  double startup_seconds_ = 0;
  bool ready_ = false;
  bool gone_ = false;
  std::vector<pid_t> started_;    ///< pids reported, not yet taken by fork_worker
  std::vector<int> fork_errors_;  ///< errno of requests the server could not fork
  std::map<pid_t, int> statuses_;
};

/// Body of the server (`conc-probe __forkserver --socket FD <worker arguments>`): returns
/// its exit code once the parent closes the socket.
int run_fork_server(const std::vector<std::string>& args);

}  // namespace conc_probe::engine
