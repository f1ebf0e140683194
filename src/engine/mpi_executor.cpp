// `mpi`: the cell's ops split among MPI ranks started by mpirun, rank 0 gathering what
// each did. The parent starts `mpirun … conc-probe __mpi-worker …` once per repetition and
// reads rank 0's gathered records from a file; it never calls MPI itself. Under mpirun (the
// whole bench started as ranks) rank 0 hands the task to its own job instead.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "conc_probe/stop.hpp"
#include "engine/executor.hpp"
#include "engine/mpi_launch.hpp"
#include "engine/mpi_task.hpp"
#include "engine/posix_util.hpp"
#include "engine/worker_loop.hpp"
#include "workloads/private_dir.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace conc_probe::engine {
namespace {

constexpr int kPollSliceMs = 50;
/// The ranks abort themselves at the task's deadline; the launcher gets this much more.
constexpr std::int64_t kLauncherMarginNs = 5'000'000'000;
/// How long mpirun may take to tear its ranks down after SIGTERM before SIGKILL.
constexpr std::int64_t kTerminateGraceNs = 2'000'000'000;

InProcessRanks& in_process_runner() {
  static InProcessRanks runner;
  return runner;
}

std::string resolve_binary(const std::string& binary) {
  if (binary != "/proc/self/exe") return binary;
  std::array<char, PATH_MAX> path{};
  const ssize_t got = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (got <= 0) throw std::runtime_error("cannot find this program's path for mpirun");
  return std::string(path.data(), static_cast<std::size_t>(got));
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

/// The line of mpirun's output that says which rank failed, when there is one.
std::string launcher_reason(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  std::string own;  // a rank's own "conc-probe: error: …" line
  while (std::getline(lines, line)) {
    if (own.empty() && line.starts_with("conc-probe: error: ")) own = line.substr(19, 200);
    for (const char* marker : {"noticed that process rank", "MPI_ABORT was invoked",
                               "BAD TERMINATION", "was killed", "exited on signal"}) {
      if (line.find(marker) != std::string::npos) {
        line.erase(0, line.find_first_not_of(' '));
        return line.substr(0, 200);
      }
    }
  }
  return own;
}

/// Ranks get a core each when they fit this process's CPUs and it may use all of the
/// machine's (no --cpus, no cpuset narrower than the online CPUs): left unbound, the two
/// ranks of a ping-pong that sleep and wake in turn look to the scheduler like one busy
/// task, and it keeps them on one CPU, each waiting for the other's time slice, while
/// another CPU is free. More ranks than CPUs, or a narrowed affinity, stay unbound.
bool bind_ranks(unsigned ranks) {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  if (::sched_getaffinity(0, sizeof mine, &mine) != 0) return false;
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  const int usable = CPU_COUNT(&mine);
  return online > 0 && usable == online && ranks <= static_cast<unsigned>(usable);
}

/// One repetition launched through mpirun: owns the launcher process and its files.
class LaunchedCell {
 public:
  LaunchedCell(const ExecutionPlan& plan, RankTask task) : plan_(plan), task_(std::move(task)) {}
  ~LaunchedCell() { terminate(); }
  LaunchedCell(const LaunchedCell&) = delete;
  LaunchedCell& operator=(const LaunchedCell&) = delete;

  /// Rank 0's joined records; throws std::runtime_error with the reason when there are none.
  std::string run();

 private:
  std::vector<std::string> command() const;
  void launch();
  bool finished(std::int64_t deadline);
  void terminate() noexcept;
  std::string failure(int status) const;

  const ExecutionPlan& plan_;
  RankTask task_;
  workloads::PrivateDir dir_;
  std::string log_;
  pid_t pid_ = -1;
  int status_ = 0;
  std::string abort_reason_;
};

std::vector<std::string> LaunchedCell::command() const {
  const auto mpirun = find_mpirun();
  if (!mpirun) throw std::runtime_error("no mpirun on PATH");
  std::vector<std::string> words{*mpirun};
  for (auto& flag :
       mpi_launch_flags(detect_mpi_flavor(*mpirun), ::geteuid() == 0, bind_ranks(plan_.workers)))
    words.push_back(std::move(flag));
  words.insert(words.end(), {"-np", std::to_string(plan_.workers),
                             resolve_binary(plan_.worker_binary), std::string(kMpiWorkerCommand)});
  for (auto& word : rank_task_arguments(task_)) words.push_back(std::move(word));
  return words;
}

void LaunchedCell::launch() {
  dir_.create();
  task_.result_file = dir_.path() + "/ranks.bin";
  log_ = dir_.path() + "/mpirun.log";
  std::vector<std::string> words = command();
  std::vector<char*> argv;
  argv.reserve(words.size() + 1);
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  // mpirun's session directory goes in ours too, so that a killed launcher leaves nothing.
  std::vector<std::string> environment{"TMPDIR=" + dir_.path()};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!std::string_view(*entry).starts_with("TMPDIR=")) environment.emplace_back(*entry);
  }
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const int log = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || null < 0)
    throw std::runtime_error("cannot open mpirun's log: " + std::system_category().message(errno));
  pid_ = ::fork();
  if (pid_ == 0) {
    // Nothing of mpirun's reaches our stdout: results only there.
    ::dup2(null, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log);
  ::close(null);
  if (pid_ < 0)
    throw std::runtime_error("cannot start mpirun: " + std::system_category().message(errno));
}

bool LaunchedCell::finished(std::int64_t deadline) {
  if (stop_requested()) abort_reason_ = "interrupted";
  if (monotonic_ns() >= deadline) abort_reason_ = "timed out (mpirun did not end)";
  if (!abort_reason_.empty()) return true;
  const pid_t got = ::waitpid(pid_, &status_, WNOHANG);
  if (got == pid_) {
    pid_ = -1;
    return true;
  }
  ::usleep(static_cast<useconds_t>(poll_slice_ms(deadline, kPollSliceMs)) * 1000U);
  return false;
}

/// SIGTERM lets mpirun take its ranks down; SIGKILL if it does not within the grace.
void LaunchedCell::terminate() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const std::int64_t grace = monotonic_ns() + kTerminateGraceNs;
  while (::waitpid(pid_, &status_, WNOHANG) == 0 && monotonic_ns() < grace) ::usleep(20000);
  if (::waitpid(pid_, &status_, WNOHANG) == 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

std::string LaunchedCell::failure(int status) const {
  std::string reason = launcher_reason(read_whole(log_));
  std::string how = WIFSIGNALED(status) ? "mpirun killed by " + signal_name(WTERMSIG(status))
                    : WIFEXITED(status) && WEXITSTATUS(status) == 127
                        ? std::string("mpirun could not be started")
                        : "mpirun exited with status " + std::to_string(WEXITSTATUS(status));
  return reason.empty() ? how : how + ": " + reason;
}

std::string LaunchedCell::run() {
  launch();
  const std::int64_t deadline = monotonic_ns() + task_.deadline_ms * 1'000'000 + kLauncherMarginNs;
  while (!finished(deadline)) {
  }
  if (!abort_reason_.empty()) {
    terminate();
    throw std::runtime_error(abort_reason_);
  }
  std::string bytes = read_whole(task_.result_file);
  const bool clean = WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
  if (!clean) throw std::runtime_error(failure(status_));
  return bytes;
}

Sample assemble(const DecodedRanks& ranks) {
  std::vector<WorkerResult> results;
  Sample sample;
  double work = 0;
  double startup = 0;
  for (const auto& record : ranks.records) {
    results.push_back(record.result);
    work = std::max(work, record.work_seconds);
    startup = std::max(startup, record.startup_seconds);
  }
  sample = combine_results(results);
  // combine_results names workers; here they are ranks.
  if (!sample.ok && sample.error.starts_with("worker ")) sample.error.replace(0, 6, "rank");
  for (const auto& record : ranks.records) sample.worker_hosts.push_back(record.host);
  if (sample.ok && sample.checksum != ranks.reduced_checksum) {
    sample.ok = false;
    sample.error = "the checksum reduced across ranks differs from the ranks' own";
  }
  sample.checksum = ranks.reduced_checksum;
  sample.wall_seconds = work;
  sample.startup_seconds = startup;
  return sample;
}

Sample failed_sample(std::string reason) {
  Sample sample;
  sample.ok = false;
  sample.error = std::move(reason);
  return sample;
}

RankTask task_for(const ExecutionPlan& plan, const WorkloadParams& params) {
  RankTask task;
  task.params = params;
  task.total_ops = plan.total_ops;
  task.stride = latency_stride(plan);
  task.deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>(plan.timeout).count();
  task.parent = ::getpid();
  task.fault_signal = plan.fault_signal;
  task.fault_rank = plan.fault_worker;
  return task;
}

class MpiExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload&, const WorkloadParams& params) override {
    Sample sample;
    try {
      const RankTask task = task_for(plan, params);
      std::string bytes;
      if (in_process_runner()) {
        bytes = in_process_runner()(task);
      } else {
        LaunchedCell cell(plan, task);
        bytes = cell.run();
      }
      const DecodedRanks ranks = decode_rank_records(bytes);
      sample = ranks.problem.empty() ? assemble(ranks) : failed_sample(ranks.problem);
      if (ranks.problem.empty() && ranks.records.size() != plan.workers)
        sample = failed_sample(std::to_string(ranks.records.size()) + " ranks answered, " +
                               std::to_string(plan.workers) + " expected");
    } catch (...) {
      sample = failed_sample(describe_exception(std::current_exception()));
    }
    sample.repetition = plan.repetition;
    return sample;
  }
};

}  // namespace

void set_in_process_ranks(InProcessRanks runner) { in_process_runner() = std::move(runner); }

std::unique_ptr<Executor> make_mpi_executor() { return std::make_unique<MpiExecutor>(); }

}  // namespace conc_probe::engine
