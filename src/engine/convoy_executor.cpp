// The convoy scenario (bpo-7946): one IO thread doing short blocking round trips for a fixed
// time while the cell's workers run CPU-bound `count` ops beside it — as threads, as threads
// under the simulated lock, or as processes. Only under the lock does the IO thread starve:
// each of its blocking calls gives the lock away and waits up to a switch interval for it.
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "conc_probe/engine.hpp"
#include "engine/executor.hpp"
#include "engine/process_worker.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

/// Most IO latencies kept per sample.
constexpr std::size_t kMaxConvoyLatencies = 100'000;

struct ConvoyState {
  std::atomic<unsigned> ready{0};
  std::atomic<bool> start{false};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> cpu_ops{0};
  std::atomic<bool> failed{false};
  std::mutex error_lock;
  std::string error;  ///< the first worker failure

  void fail(const std::string& why) {
    const std::lock_guard<std::mutex> hold(error_lock);
    if (error.empty()) error = why;
    failed.store(true);
  }
};

std::unique_ptr<OpContext> make_context(Gil* gil, unsigned index) {
  if (gil != nullptr) return gil->attach(index);
  return std::make_unique<OpContext>();
}

void wait_start(ConvoyState& state) {
  state.ready.fetch_add(1);
  state.ready.notify_all();
  state.start.wait(false);
}

/// A CPU-bound worker: `count` ops until the IO thread is done. An exception ends this
/// worker and the cell (never std::terminate), and never leaves the launcher waiting.
void cpu_worker(ConvoyState& state, Gil* gil, unsigned index, const Workload& cpu,
                CpuUsage& usage) noexcept {
  bool ready = false;
  try {
    const auto context = make_context(gil, index);
    const auto session = cpu.open_worker(WorkloadParams{}, index);
    ready = true;
    wait_start(state);
    const CpuUsage before = thread_usage();
    if (gil != nullptr) static_cast<GilThread&>(*context).enter();
    std::uint64_t done = 0;
    try {
      while (!state.stop.load(std::memory_order_relaxed) && !stop_requested())
        (void)session->run_op(done++, *context);
    } catch (...) {
      if (gil != nullptr) static_cast<GilThread&>(*context).leave();
      throw;
    }
    if (gil != nullptr) static_cast<GilThread&>(*context).leave();
    usage = thread_usage() - before;
    state.cpu_ops.fetch_add(done);
  } catch (...) {
    state.fail("convoy CPU worker " + std::to_string(index) + ": " +
               describe_exception(std::current_exception()));
    state.stop.store(true);
    if (!ready) {
      state.ready.fetch_add(1);
      state.ready.notify_all();
    }
  }
}

struct IoOutcome {
  WorkerResult result;
  std::int64_t start_ns = 0;
};

/// The IO thread: round trips until `duration` has passed, each timed; with `alone`, no
/// round trips (the CPU workers' reference), only the wait, in 10 ms steps.
void io_worker(ConvoyState& state, Gil* gil, unsigned index, const Workload& io,
               const WorkloadParams& params, std::chrono::nanoseconds duration, bool alone,
               IoOutcome& out) {
  bool ready = false;
  try {
    const auto context = make_context(gil, index);
    const auto session = io.open_worker(params, 0);
    ready = true;
    wait_start(state);
    const CpuUsage before = thread_usage();
    out.start_ns = monotonic_ns();
    const std::int64_t deadline = out.start_ns + duration.count();
    if (alone) {
      while (monotonic_ns() < deadline && !stop_requested() && !state.failed.load()) {
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
            std::chrono::milliseconds(10), std::chrono::nanoseconds(deadline - monotonic_ns())));
      }
    }
    if (gil != nullptr && !alone) static_cast<GilThread&>(*context).enter();
    for (std::int64_t now = out.start_ns; !alone && now < deadline && !stop_requested() &&
                                          !state.failed.load(std::memory_order_relaxed);) {
      out.result.checksum += session->run_op(out.result.ops++, *context);
      const std::int64_t after = monotonic_ns();
      if (out.result.latencies.size() < kMaxConvoyLatencies) {
        out.result.latencies.push_back(static_cast<double>(after - now) * 1e-9);
      }
      now = after;
    }
    if (gil != nullptr && !alone) static_cast<GilThread&>(*context).leave();
    out.result.usage = thread_usage() - before;
  } catch (...) {
    out.result.ok = false;
    out.result.error = "convoy IO thread: " + describe_exception(std::current_exception());
    if (!ready) {  // never leave the launcher waiting
      state.ready.fetch_add(1);
      state.ready.notify_all();
    }
  }
  out.result.end_ns = monotonic_ns();
  state.stop.store(true);
}

/// CPU-bound worker processes counting into shared memory; killed when the IO thread is
/// done. Every child is reaped and the memory unmapped on every way out, a failed fork
/// included; a child that dies before it is ready ends the wait at once.
class CpuProcesses {
 public:
  CpuProcesses(unsigned count, const Workload& cpu, const ExecutionPlan& plan) {
    void* memory = ::mmap(nullptr, sizeof(Counters), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("convoy: cannot map shared memory");
    counters_ = new (memory) Counters{};
    try {
      launch(count, cpu, plan);
    } catch (...) {
      reap();
      ::munmap(counters_, sizeof(Counters));
      throw;
    }
  }
  ~CpuProcesses() {
    reap();
    ::munmap(counters_, sizeof(Counters));
  }
  CpuProcesses(const CpuProcesses&) = delete;
  CpuProcesses& operator=(const CpuProcesses&) = delete;

  void go() { counters_->start.store(true); }
  /// Stops and reaps every child; returns their CPU use.
  CpuUsage reap() {
    CpuUsage total;
    for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (const pid_t pid : pids_) {
      rusage ru{};
      int status = 0;
      while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
      }
      total.cpu_seconds += static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
      total.voluntary += ru.ru_nvcsw;
      total.involuntary += ru.ru_nivcsw;
    }
    pids_.clear();
    return total;
  }
  [[nodiscard]] std::uint64_t ops() const { return counters_->ops.load(); }

 private:
  struct Counters {
    std::atomic<unsigned> ready{0};
    std::atomic<bool> start{false};
    std::atomic<std::uint64_t> ops{0};
  };

  void launch(unsigned count, const Workload& cpu, const ExecutionPlan& plan) {
    const pid_t parent = ::getpid();
    for (unsigned i = 0; i < count; ++i) {
      const pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error("convoy: fork failed: " + errno_text());
      // Test-only fault: the worker dies before it says it is ready.
      if (pid == 0) child(parent, cpu, i, plan.fault_worker == i + 1 ? plan.fault_signal : 0);
      pids_.push_back(pid);
    }
    const std::int64_t deadline =
        monotonic_ns() + std::chrono::nanoseconds(plan.ready_timeout).count();
    while (counters_->ready.load() < count) {
      for (std::size_t i = 0; i < pids_.size(); ++i) {
        int status = 0;
        if (::waitpid(pids_[i], &status, WNOHANG) == pids_[i]) {
          pids_.erase(pids_.begin() + static_cast<std::ptrdiff_t>(i));
          throw std::runtime_error("convoy CPU worker " + std::to_string(i + 1) +
                                   " ended before it was ready (" + describe_status(status) + ")");
        }
      }
      if (stop_requested()) throw std::runtime_error("interrupted");
      if (monotonic_ns() > deadline)
        throw std::runtime_error("convoy: the CPU workers were not ready in time");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  static std::string errno_text() { return std::generic_category().message(errno); }

  static std::string describe_status(int status) {
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    return "status " + std::to_string(status);
  }

  /// The child's whole life: nothing unwinds back into the parent's stack frames.
  [[noreturn]] void child(pid_t parent, const Workload& cpu, unsigned index,
                          int fault_signal) noexcept {
    try {
      if (!tie_to_parent(parent)) ::_exit(1);
      if (fault_signal != 0) ::raise(fault_signal);
      OpContext context;
      const auto session = cpu.open_worker(WorkloadParams{}, index);
      counters_->ready.fetch_add(1);
      while (!counters_->start.load()) std::this_thread::sleep_for(std::chrono::microseconds(20));
      for (std::uint64_t i = 0;; ++i) {
        (void)session->run_op(i, context);
        counters_->ops.fetch_add(1, std::memory_order_relaxed);
      }
    } catch (...) {
      ::_exit(2);
    }
  }

  Counters* counters_ = nullptr;
  std::vector<pid_t> pids_;
};

Sample to_sample(const IoOutcome& io, std::uint64_t cpu_ops, const CpuUsage& usage,
                 std::int64_t launch) {
  Sample sample = combine_results(std::span<const WorkerResult>(&io.result, 1));
  sample.wall_seconds = static_cast<double>(io.result.end_ns - io.start_ns) * 1e-9;
  sample.startup_seconds = static_cast<double>(io.start_ns - launch) * 1e-9;
  sample.background_ops = cpu_ops;
  sample.cpu_seconds = usage.cpu_seconds;
  if (usage.wait_seconds >= 0) sample.wait_seconds = usage.wait_seconds;
  sample.voluntary_switches = usage.voluntary;
  sample.involuntary_switches = usage.involuntary;
  return sample;
}

void wait_ready(ConvoyState& state, unsigned count) {
  for (unsigned seen = state.ready.load(); seen < count; seen = state.ready.load())
    state.ready.wait(seen);
}

Sample failed_sample(const ExecutionPlan& plan, const std::string& why) {
  Sample sample;
  sample.repetition = plan.repetition;
  sample.ok = false;
  sample.error = why;
  return sample;
}

}  // namespace

Sample run_convoy(const ExecutionPlan& plan, const Workload& io, const WorkloadParams& params,
                  std::chrono::nanoseconds duration) {
  WorkloadParams count_params;
  count_params.name = "count";
  const auto cpu = make_workload(count_params);
  const unsigned cpu_workers = plan.mode == Mode::Single ? 0 : plan.workers;
  const std::unique_ptr<Gil> gil = plan.mode == Mode::Gil ? make_gil(plan.gil) : nullptr;
  ConvoyState state;
  IoOutcome outcome;
  const std::int64_t launch = monotonic_ns();
  std::optional<CpuProcesses> processes;
  try {
    if (plan.mode == Mode::Process) processes.emplace(cpu_workers, *cpu, plan);
  } catch (const std::exception& error) {
    return failed_sample(plan, error.what());
  }
  std::vector<CpuUsage> usages(cpu_workers + 1);
  std::vector<std::thread> threads;
  const unsigned cpu_threads = processes ? 0 : cpu_workers;
  try {
    for (unsigned i = 0; i < cpu_threads; ++i) {
      threads.emplace_back(cpu_worker, std::ref(state), gil.get(), i + 1, std::cref(*cpu),
                           std::ref(usages[i + 1]));
    }
    threads.emplace_back(io_worker, std::ref(state), gil.get(), 0, std::cref(io), std::cref(params),
                         duration, plan.convoy_alone, std::ref(outcome));
  } catch (const std::exception& error) {  // a thread could not be started: stop the others
    state.stop.store(true);
    state.start.store(true);
    state.start.notify_all();
    for (auto& thread : threads) thread.join();
    return failed_sample(plan, std::string("convoy: cannot start a thread: ") + error.what());
  }
  wait_ready(state, static_cast<unsigned>(threads.size()));
  if (processes) processes->go();
  state.start.store(true);
  state.start.notify_all();
  for (auto& thread : threads) thread.join();
  CpuUsage usage = outcome.result.usage;
  for (const auto& one : usages) usage = usage + one;
  std::uint64_t cpu_ops = state.cpu_ops.load();
  if (processes) {
    cpu_ops = processes->ops();
    const CpuUsage children = processes->reap();
    usage = usage + children;  // the children's run delay is unknown: so is the sum's
  }
  Sample sample = to_sample(outcome, cpu_ops, usage, launch);
  sample.repetition = plan.repetition;
  if (state.failed.load()) {
    sample.ok = false;
    sample.error = state.error;
  }
  if (gil) {
    sample.gil = gil->metrics();
    if (plan.gil.record_events) sample.gil_events = gil->events();
  }
  return sample;
}

}  // namespace conc_probe::engine
