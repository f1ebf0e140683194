#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "conc_probe/engine.hpp"
#include "engine/executor.hpp"
#include "engine/posix_util.hpp"
#include "engine/process_worker.hpp"
#include "engine/result_frame.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

constexpr int kPollSliceMs = 50;  // how often a wait looks at the stop flag

/// One repetition of a process cell: owns the pipes and the children, and always kills
/// and reaps whatever is left (no zombies), even when an exception passes through.
class ProcessCell {
 public:
  ProcessCell(const ExecutionPlan& plan, const Workload& workload, const WorkloadParams& params)
      : plan_(plan), workload_(workload), params_(params), parent_(::getpid()) {}
  ~ProcessCell() {
    kill_all(SIGKILL);
    reap_all();
  }
  ProcessCell(const ProcessCell&) = delete;
  ProcessCell& operator=(const ProcessCell&) = delete;

  Sample run();

 private:
  void launch_all();
  void launch(unsigned index);
  WorkerProcessArgs child_args(unsigned index, int result_fd) const;
  [[noreturn]] void become_forked_worker(unsigned index, int result_fd) noexcept;
  [[noreturn]] static void become_spawned_worker(const char* binary, char* const* argv, int ready,
                                                 int start, int result) noexcept;
  void wait_ready(std::int64_t deadline);
  void start_and_collect(std::int64_t deadline);
  bool should_abort(std::int64_t deadline);
  void read_available(std::vector<pollfd>& fds);
  void kill_all(int signal) noexcept;
  void reap_all() noexcept;
  WorkerResult outcome(unsigned index) const;
  Sample assemble(std::int64_t launch, std::int64_t start, std::int64_t end) const;

  const ExecutionPlan& plan_;
  const Workload& workload_;
  const WorkloadParams& params_;
  const pid_t parent_;
  Pipe ready_;
  Pipe start_;
  std::vector<pid_t> pids_;
  std::vector<int> statuses_;
  std::vector<Fd> results_;
  std::vector<std::string> buffers_;
  std::string abort_reason_;
};

Sample ProcessCell::run() {
  const std::int64_t launch = monotonic_ns();
  const std::int64_t deadline = launch + std::chrono::nanoseconds(plan_.timeout).count();
  std::int64_t start = launch;
  try {
    launch_all();
    wait_ready(deadline);
    start = monotonic_ns();
    start_and_collect(deadline);
  } catch (...) {
    abort_reason_ = describe_exception(std::current_exception());
  }
  const std::int64_t end = monotonic_ns();
  if (!abort_reason_.empty()) kill_all(SIGKILL);
  reap_all();
  return assemble(launch, start, end);
}

void ProcessCell::launch_all() {
  ready_ = make_pipe();
  start_ = make_pipe();
  for (unsigned i = 0; i < plan_.workers; ++i) launch(i);
  // Only the children keep these ends: EOF on ready_ then means every child is past it.
  ready_.write.reset();
  start_.read.reset();
}

WorkerProcessArgs ProcessCell::child_args(unsigned index, int result_fd) const {
  WorkerProcessArgs args;
  args.worker_index = index;
  args.range = worker_range(plan_.total_ops, plan_.workers, index);
  args.stride = latency_stride(plan_);
  args.ready_fd = ready_.write.get();
  args.start_fd = start_.read.get();
  args.result_fd = result_fd;
  args.parent = parent_;
  args.fault = index == plan_.fault_worker ? plan_.message_fault : MessageFault::None;
  return args;
}

void ProcessCell::launch(unsigned index) {
  Pipe result = make_pipe();
  // Everything a spawned child needs is built before fork: the child only calls exec.
  std::vector<std::string> words{plan_.worker_binary, kWorkerCommand};
  for (auto& word : spawn_arguments(child_args(index, result.write.get()), params_)) {
    words.push_back(std::move(word));
  }
  std::vector<char*> argv;
  argv.reserve(words.size() + 1);
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("cannot start worker " + std::to_string(index) + ": " +
                             std::generic_category().message(errno));
  }
  if (pid == 0) {
    if (plan_.start_method == StartMethod::Fork) become_forked_worker(index, result.write.get());
    become_spawned_worker(words[0].c_str(), argv.data(), ready_.write.get(), start_.read.get(),
                          result.write.get());
  }
  pids_.push_back(pid);
  statuses_.push_back(-1);
  results_.push_back(std::move(result.read));
  buffers_.emplace_back();
}

void ProcessCell::become_forked_worker(unsigned index, int result_fd) noexcept {
  // Drop the parent's ends, or EOF (start signal, results) would never come.
  ::close(ready_.read.get());
  ::close(start_.write.get());
  for (const auto& fd : results_) ::close(fd.get());
  if (!tie_to_parent(parent_)) ::_exit(1);
  ::_exit(worker_process_main(child_args(index, result_fd), workload_, params_));
}

void ProcessCell::become_spawned_worker(const char* binary, char* const* argv, int ready, int start,
                                        int result) noexcept {
  // Every descriptor is close-on-exec; keep exactly the three the worker needs.
  for (const int fd : {ready, start, result}) ::fcntl(fd, F_SETFD, 0);
  ::execv(binary, argv);
  ::_exit(127);
}

bool ProcessCell::should_abort(std::int64_t deadline) {
  if (stop_requested()) abort_reason_ = "interrupted";
  if (monotonic_ns() >= deadline) {
    abort_reason_ =
        "timed out after " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(plan_.timeout).count()) +
        " s";
  }
  return !abort_reason_.empty();
}

void ProcessCell::wait_ready(std::int64_t deadline) {
  std::size_t seen = 0;
  while (seen < pids_.size() && !should_abort(deadline)) {
    pollfd fd{ready_.read.get(), POLLIN, 0};
    if (::poll(&fd, 1, poll_slice_ms(deadline, kPollSliceMs)) <= 0) continue;
    char bytes[64];
    const ssize_t got = ::read(ready_.read.get(), bytes, sizeof bytes);
    if (got == 0) return;  // every child wrote its byte or died: start the rest
    if (got > 0) seen += static_cast<std::size_t>(got);
  }
}

void ProcessCell::start_and_collect(std::int64_t deadline) {
  if (!abort_reason_.empty()) return;
  start_.write.reset();  // EOF releases every worker at once
  if (plan_.fault_signal != 0 && plan_.fault_worker < pids_.size()) {
    ::kill(pids_[plan_.fault_worker], plan_.fault_signal);
  }
  std::vector<pollfd> fds;
  for (const auto& fd : results_) fds.push_back(pollfd{fd.get(), POLLIN, 0});
  while (!fds.empty() && !should_abort(deadline)) {
    if (::poll(fds.data(), fds.size(), poll_slice_ms(deadline, kPollSliceMs)) > 0)
      read_available(fds);
  }
}

/// Appends what is readable to each worker's buffer; drops descriptors at EOF.
void ProcessCell::read_available(std::vector<pollfd>& fds) {
  for (auto it = fds.begin(); it != fds.end();) {
    if (it->revents == 0) {
      ++it;
      continue;
    }
    const auto index =
        static_cast<std::size_t>(std::find_if(results_.begin(), results_.end(),
                                              [&](const Fd& fd) { return fd.get() == it->fd; }) -
                                 results_.begin());
    char chunk[4096];
    const ssize_t got = ::read(it->fd, chunk, sizeof chunk);
    if (got > 0 && buffers_[index].size() <= kMaxFramePayload) {
      buffers_[index].append(chunk, static_cast<std::size_t>(got));
    }
    const bool done = got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN);
    it = done ? fds.erase(it) : it + 1;
  }
}

void ProcessCell::kill_all(int signal) noexcept {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (statuses_[i] == -1) ::kill(pids_[i], signal);
  }
}

void ProcessCell::reap_all() noexcept {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (statuses_[i] != -1) continue;
    int status = 0;
    pid_t got = 0;
    do {
      got = ::waitpid(pids_[i], &status, 0);
    } while (got < 0 && errno == EINTR);
    statuses_[i] = got == pids_[i] ? status : 0;
  }
}

WorkerResult ProcessCell::outcome(unsigned index) const {
  const int status = statuses_[index];
  if (WIFSIGNALED(status)) {
    WorkerResult failed;
    failed.ok = false;
    failed.error = "killed by " + signal_name(WTERMSIG(status));
    return failed;
  }
  DecodedFrame frame = decode_result_frame(buffers_[index]);
  if (frame.result) return std::move(*frame.result);
  WorkerResult failed;
  failed.ok = false;
  failed.error = frame.problem;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    failed.error =
        "exited with status " + std::to_string(WEXITSTATUS(status)) + " (" + frame.problem + ")";
  }
  return failed;
}

Sample ProcessCell::assemble(std::int64_t launch, std::int64_t start, std::int64_t end) const {
  std::vector<WorkerResult> results;
  std::int64_t last = start;
  bool all_ok = true;
  for (unsigned i = 0; i < pids_.size(); ++i) {
    results.push_back(outcome(i));
    last = std::max(last, results.back().end_ns);
    all_ok = all_ok && results.back().ok;
  }
  Sample sample = combine_results(results);
  if (!abort_reason_.empty()) {
    sample.ok = false;
    sample.error = abort_reason_;
  }
  sample.repetition = plan_.repetition;
  sample.startup_seconds = static_cast<double>(start - launch) * 1e-9;
  sample.wall_seconds = static_cast<double>((all_ok ? last : end) - start) * 1e-9;
  return sample;
}

/// `process`: N worker processes, no shared memory, results over pipes.
class ProcessExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload& workload,
             const WorkloadParams& params) override {
    ProcessCell cell(plan, workload, params);
    return cell.run();
  }
};

}  // namespace

std::unique_ptr<Executor> make_process_executor() { return std::make_unique<ProcessExecutor>(); }

}  // namespace conc_probe::engine
