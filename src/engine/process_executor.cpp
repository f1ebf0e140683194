#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "conc_probe/engine.hpp"
#include "engine/executor.hpp"
#include "engine/forkserver.hpp"
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
  /// One worker's descriptors on the child's side: where its results and data go, and
  /// where its input comes from (-1: none).
  struct ChildEnds {
    int result = -1;
    int data = -1;
    int input = -1;
  };

  void launch_all(std::int64_t deadline);
  void launch(unsigned index, std::int64_t deadline);
  WorkerProcessArgs child_args(unsigned index, const ChildEnds& ends) const;
  [[noreturn]] void become_forked_worker(unsigned index, const ChildEnds& ends) noexcept;
  [[noreturn]] static void become_spawned_worker(const char* binary, char* const* argv,
                                                 std::array<int, kMaxRequestFds> keep) noexcept;
  pid_t ask_fork_server(unsigned index, const ChildEnds& ends, std::int64_t deadline);
  void send_input(std::size_t index);
  void wait_ready(std::int64_t deadline);
  void start_and_collect(std::int64_t deadline);
  bool should_abort(std::int64_t deadline);
  void kill_all(int signal) noexcept;
  void reap_all() noexcept;
  WorkerResult outcome(unsigned index) const;
  WorkerResult with_moved_data(WorkerResult result, unsigned index) const;
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
  /// Data that moves: each worker's results pipe and what was read of it, and (spawn,
  /// forkserver) its input socket and how much of its slice is still to be sent.
  std::vector<Fd> data_;
  std::vector<ResultReader> readers_;
  std::vector<Fd> inputs_;
  std::vector<ByteRange> unsent_;
  std::vector<std::vector<unsigned char>> staged_;  ///< a slice serialised, while it is sent
  std::vector<std::uint64_t> sent_bytes_;
  std::vector<double> send_seconds_;
  std::optional<ForkServer> server_;
  std::string abort_reason_;
};

Sample ProcessCell::run() {
  const std::int64_t launch = monotonic_ns();
  const std::int64_t deadline = launch + std::chrono::nanoseconds(plan_.timeout).count();
  std::int64_t start = launch;
  try {
    launch_all(deadline);
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

void ProcessCell::launch_all(std::int64_t deadline) {
  ready_ = make_pipe();
  start_ = make_pipe();
  if (plan_.start_method == StartMethod::Forkserver) {
    std::vector<std::string> words;
    for (auto& word : spawn_arguments(child_args(0, {}), params_)) words.push_back(std::move(word));
    server_.emplace(plan_.worker_binary, words, deadline);
  }
  for (unsigned i = 0; i < plan_.workers; ++i) launch(i, deadline);
  // Only the children keep these ends: EOF on ready_ then means every child is past it.
  ready_.write.reset();
  start_.read.reset();
}

WorkerProcessArgs ProcessCell::child_args(unsigned index, const ChildEnds& ends) const {
  WorkerProcessArgs args;
  args.worker_index = index;
  args.range = worker_range(plan_.total_ops, plan_.workers, index);
  args.stride = latency_stride(plan_);
  args.ready_fd = ready_.write.get();
  args.start_fd = start_.read.get();
  args.result_fd = ends.result;
  args.parent = parent_;
  args.fault = index == plan_.fault_worker ? plan_.message_fault : MessageFault::None;
  args.total_ops = plan_.total_ops;
  args.input_size = plan_.input ? plan_.input->size() : 0;
  args.result_size = plan_.result_size;
  args.input_fd = ends.input;
  args.data_fd = ends.data;
  if (plan_.start_method == StartMethod::Fork && plan_.input) {
    args.inherited_input = plan_.input->data();
  }
  return args;
}

/// A socket pair for one worker's input: the parent's end (non-blocking) and the child's.
std::pair<Fd, Fd> input_channel() {
  int ends[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    throw std::runtime_error("cannot create an input socket: " +
                             std::generic_category().message(errno));
  }
  ::fcntl(ends[0], F_SETFL, ::fcntl(ends[0], F_GETFL) | O_NONBLOCK);
  return {Fd(ends[0]), Fd(ends[1])};
}

void ProcessCell::launch(unsigned index, std::int64_t deadline) {
  Pipe result = make_pipe();
  std::optional<Pipe> data;
  if (plan_.result_size > 0) data = make_pipe();
  std::pair<Fd, Fd> input;
  const bool send_input = plan_.input && plan_.start_method != StartMethod::Fork;
  if (send_input) input = input_channel();
  const ChildEnds ends{result.write.get(), data ? data->write.get() : -1,
                       send_input ? input.second.get() : -1};
  pid_t pid = -1;
  if (plan_.start_method == StartMethod::Forkserver) {
    pid = ask_fork_server(index, ends, deadline);
  } else {
    // Everything a spawned child needs is built before fork: the child only calls exec.
    std::vector<std::string> words{plan_.worker_binary, kWorkerCommand};
    for (auto& word : spawn_arguments(child_args(index, ends), params_)) {
      words.push_back(std::move(word));
    }
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);

    pid = ::fork();
    if (pid < 0) {
      throw std::runtime_error("cannot start worker " + std::to_string(index) + ": " +
                               std::generic_category().message(errno));
    }
    if (pid == 0) {
      if (data) ::close(data->read.get());
      if (plan_.start_method == StartMethod::Fork) become_forked_worker(index, ends);
      become_spawned_worker(
          words[0].c_str(), argv.data(),
          {ready_.write.get(), start_.read.get(), ends.result, ends.data, ends.input});
    }
  }
  pids_.push_back(pid);
  statuses_.push_back(-1);
  results_.push_back(std::move(result.read));
  buffers_.emplace_back();
  data_.push_back(data ? std::move(data->read) : Fd());
  readers_.emplace_back(plan_.result_size);
  const ByteRange span = plan_.input
                             ? input_span(plan_.input->size(), plan_.total_ops,
                                          worker_range(plan_.total_ops, plan_.workers, index).first,
                                          worker_range(plan_.total_ops, plan_.workers, index).last)
                             : ByteRange{};
  unsent_.push_back(send_input ? span : ByteRange{});
  staged_.emplace_back();
  inputs_.push_back(std::move(input.first));
  sent_bytes_.push_back(0);
  send_seconds_.push_back(0);
}

pid_t ProcessCell::ask_fork_server(unsigned index, const ChildEnds& ends, std::int64_t deadline) {
  // Descriptor fields name their slot in the request; the server maps them to its own.
  std::vector<int> fds{ready_.write.get(), start_.read.get(), ends.result};
  ChildEnds slots{2, -1, -1};
  if (ends.data >= 0) {
    slots.data = static_cast<int>(fds.size());
    fds.push_back(ends.data);
  }
  if (ends.input >= 0) {
    slots.input = static_cast<int>(fds.size());
    fds.push_back(ends.input);
  }
  WorkerProcessArgs args = child_args(index, slots);
  args.ready_fd = 0;
  args.start_fd = 1;
  return server_->fork_worker(spawn_arguments(args, params_), fds, deadline);
}

void ProcessCell::become_forked_worker(unsigned index, const ChildEnds& ends) noexcept {
  // Drop the parent's ends, or EOF (start signal, results) would never come.
  ::close(ready_.read.get());
  ::close(start_.write.get());
  for (const auto& fd : results_) ::close(fd.get());
  for (const auto& fd : data_) ::close(fd.get());
  if (!tie_to_parent(parent_)) ::_exit(1);
  ::_exit(worker_process_main(child_args(index, ends), workload_, params_));
}

void ProcessCell::become_spawned_worker(const char* binary, char* const* argv,
                                        std::array<int, kMaxRequestFds> keep) noexcept {
  // Every descriptor is close-on-exec; keep exactly the ones the worker needs.
  for (const int fd : keep) {
    if (fd >= 0) ::fcntl(fd, F_SETFD, 0);
  }
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
  // What each worker still owes (result message, results data) or is owed (its input).
  enum class Role { Frame, Data, Input };
  std::vector<pollfd> fds;
  std::vector<std::pair<Role, std::size_t>> roles;
  while (!should_abort(deadline)) {
    fds.clear();
    roles.clear();
    for (std::size_t i = 0; i < pids_.size(); ++i) {
      if (results_[i].valid()) {
        fds.push_back(pollfd{results_[i].get(), POLLIN, 0});
        roles.emplace_back(Role::Frame, i);
      }
      if (data_[i].valid()) {
        fds.push_back(pollfd{data_[i].get(), POLLIN, 0});
        roles.emplace_back(Role::Data, i);
      }
      if (inputs_[i].valid()) {
        fds.push_back(pollfd{inputs_[i].get(), POLLOUT, 0});
        roles.emplace_back(Role::Input, i);
      }
    }
    if (fds.empty()) return;
    if (::poll(fds.data(), fds.size(), poll_slice_ms(deadline, kPollSliceMs)) <= 0) continue;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      const auto [role, i] = roles[k];
      if (role == Role::Frame) {
        char chunk[4096];
        const ssize_t got = ::read(results_[i].get(), chunk, sizeof chunk);
        if (got > 0 && buffers_[i].size() <= kMaxFramePayload) {
          buffers_[i].append(chunk, static_cast<std::size_t>(got));
        }
        if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) results_[i].reset();
      } else if (role == Role::Data) {
        if (!readers_[i].read_from(data_[i].get())) data_[i].reset();
      } else {
        send_input(i);
      }
    }
  }
}

/// Sends what the worker's input socket takes of its slice; closes it when all is sent or
/// the worker is gone.
void ProcessCell::send_input(std::size_t index) {
  constexpr std::uint64_t kPiece = 1U << 20;
  ByteRange& left = unsent_[index];
  std::vector<unsigned char>& staged = staged_[index];
  const std::int64_t begin = monotonic_ns();
  if (staged.empty() && left.size() > 0) {
    // Serialised first, as pickle.dumps copies a bytes argument into the message it sends;
    // the worker copies it out again (pickle.loads). The bytes are sent from that copy.
    const auto* first = plan_.input->data() + left.begin;
    staged.assign(first, first + left.size());
    sent_bytes_[index] += staged.size();
    left = ByteRange{0, staged.size()};
  }
  const std::size_t size = static_cast<std::size_t>(std::min(left.size(), kPiece));
  const ssize_t sent = size == 0 ? 0
                                 : ::send(inputs_[index].get(), staged.data() + left.begin, size,
                                          MSG_NOSIGNAL | MSG_DONTWAIT);
  send_seconds_[index] += static_cast<double>(monotonic_ns() - begin) * 1e-9;
  if (sent > 0) {
    left.begin += static_cast<std::uint64_t>(sent);
    sent_bytes_[index] += static_cast<std::uint64_t>(sent);
  }
  const bool failed = sent < 0 && errno != EINTR && errno != EAGAIN;
  if (failed || left.size() == 0) {
    inputs_[index].reset();
    staged = {};  // sent: the message is freed, as a pickled task is
  }
}

void ProcessCell::kill_all(int signal) noexcept {
  for (std::size_t i = 0; i < pids_.size(); ++i) {
    if (statuses_[i] == -1) ::kill(pids_[i], signal);
  }
}

void ProcessCell::reap_all() noexcept {
  if (server_) {
    // The server is the workers' parent: it reports their exits.
    const std::int64_t deadline = monotonic_ns() + 5'000'000'000;
    for (std::size_t i = 0; i < pids_.size(); ++i) {
      if (statuses_[i] == -1) statuses_[i] = std::max(0, server_->wait_status(pids_[i], deadline));
    }
    return;
  }
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
  if (frame.result) return with_moved_data(std::move(*frame.result), index);
  WorkerResult failed;
  failed.ok = false;
  failed.error = frame.problem;
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    failed.error =
        "exited with status " + std::to_string(WEXITSTATUS(status)) + " (" + frame.problem + ")";
  }
  return failed;
}

/// The worker's own result with what the parent did to move its data: the results it read
/// (their digests join the checksum) and the input it sent.
WorkerResult ProcessCell::with_moved_data(WorkerResult result, unsigned index) const {
  if (!result.data.active) return result;
  const ResultReader& reader = readers_[index];
  result.checksum = combine_checksum(result.checksum, reader.checksum());
  result.data.bytes_copied += reader.bytes() + sent_bytes_[index];
  result.data.move_seconds += reader.seconds() + send_seconds_[index];
  if (result.ok && plan_.result_size > 0 && reader.results() != result.ops) {
    result.ok = false;
    result.error = std::to_string(reader.results()) + " of " + std::to_string(result.ops) +
                   " results came back";
  }
  return result;
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
  if (server_) {
    // The workers' start-up apart from the server's.
    sample.server_startup_seconds = server_->startup_seconds();
    sample.startup_seconds = std::max(0.0, sample.startup_seconds - server_->startup_seconds());
  }
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
