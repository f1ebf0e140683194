#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/posix_util.hpp"
#include "engine/worker_loop.hpp"

/// The threads an event loop hands blocking calls to, as asyncio.to_thread does with the
/// loop's default executor.
namespace conc_probe::engine {

/// asyncio's default executor size: min(32, CPUs of this process + 4).
unsigned default_offload_threads() noexcept;

/// Runs jobs on threads started on demand (a new one only when none is idle, up to a
/// limit, as concurrent.futures.ThreadPoolExecutor does); finished jobs queue up and the
/// loop is woken through a pipe. submit and collect are for the loop's thread.
class OffloadPool {
 public:
  using Job = std::function<std::uint64_t()>;
  /// A finished job: its result or its exception's message.
  struct Completion {
    std::uint64_t token = 0;
    bool ok = true;
    std::uint64_t value = 0;
    std::string error;
    std::int64_t finished_ns = 0;  ///< monotonic_ns() when the job returned
  };

  /// Throws std::runtime_error when the wake pipe cannot be made.
  explicit OffloadPool(unsigned max_threads);
  ~OffloadPool();
  OffloadPool(const OffloadPool&) = delete;
  OffloadPool& operator=(const OffloadPool&) = delete;

  /// Readable while finished jobs wait to be collected.
  [[nodiscard]] int wake_fd() const noexcept { return wake_.read.get(); }
  /// Queues `job`; its completion carries `token`. Throws when no thread can start.
  void submit(std::uint64_t token, Job job);
  /// Moves the finished jobs into `out` and empties the wake pipe.
  void collect(std::vector<Completion>& out);
  /// Drops jobs not started, waits for the running ones, joins the threads and returns
  /// the CPU they used. Idempotent.
  CpuUsage shut_down() noexcept;
  /// Threads started so far.
  [[nodiscard]] unsigned threads() const noexcept { return static_cast<unsigned>(threads_.size()); }

 private:
  void thread_body() noexcept;
  void finish(Completion completion);

  unsigned max_threads_;
  Pipe wake_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::pair<std::uint64_t, Job>> jobs_;
  std::vector<Completion> done_;
  unsigned idle_ = 0;
  bool stopping_ = false;
  CpuUsage usage_{0, 0, 0, 0};  // a sum: the run delay starts known
  std::vector<std::thread> threads_;
};

}  // namespace conc_probe::engine
