#include "engine/async_executor.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <queue>
#include <stdexcept>
#include <vector>

#include "conc_probe/op_steps.hpp"
#include "engine/worker_loop.hpp"
#include "workloads/io_util.hpp"

namespace conc_probe::engine {
namespace {

constexpr std::uint64_t kWakeToken = UINT64_MAX;

/// One worker: a coroutine-like state machine running its ops in order.
struct Task {
  unsigned index = 0;
  std::unique_ptr<WorkerSession> session;
  SteppedOps* steps = nullptr;  ///< the session's stepped form, if it has one
  OpRange range;
  std::uint64_t next = 0;  ///< the op in progress or to start
  bool in_op = false;
  std::int64_t op_begin_ns = 0;
  std::optional<OffloadPool::Completion> offloaded;  ///< the finished offloaded op
  bool finished = false;
  WorkerResult result;
};

struct ReadyTask {
  unsigned task = 0;
  std::int64_t since_ns = 0;  ///< when it became ready (a timer's deadline, a wake-up)
};

struct Timer {
  std::int64_t deadline_ns = 0;
  std::uint64_t sequence = 0;  ///< equal deadlines fire in the order they were set
  unsigned task = 0;
  bool operator>(const Timer& other) const noexcept {
    return deadline_ns != other.deadline_ns ? deadline_ns > other.deadline_ns
                                            : sequence > other.sequence;
  }
};

/// The event loop of one run, in the shape of asyncio's: each iteration polls (without
/// waiting when tasks are ready), moves due timers to the ready queue, then runs the tasks
/// that were ready when the iteration began.
class Loop {
 public:
  Loop(std::vector<Task>& tasks, const ExecutionPlan& plan, const AsyncOptions& options)
      : tasks_(tasks),
        options_(options),
        poller_(Poller::make(options.poller)),
        latency_stride_(latency_stride(plan)),
        // A task runs about once per op (and once at the start): about kMaxLatencies lags.
        lag_stride_(std::max<std::uint64_t>(
            1, (plan.total_ops + plan.workers + kMaxLatencies - 1) / kMaxLatencies)) {}

  /// Runs every task to its end, or until a stop request or a failure of the loop itself.
  void run(std::int64_t start_ns) {
    for (auto& task : tasks_) {
      if (!task.finished) ready_.push_back({task.index, start_ns});
    }
    live_ = static_cast<unsigned>(ready_.size());
    try {
      while (live_ > 0) {
        if (stop_requested()) throw std::runtime_error("interrupted");
        run_once();
      }
    } catch (...) {
      fail_unfinished(describe_exception(std::current_exception()));
    }
    if (pool_) pool_usage_ = pool_->shut_down();
  }

  std::vector<double>& lags() noexcept { return lags_; }
  [[nodiscard]] CpuUsage pool_usage() const noexcept { return pool_usage_; }

 private:
  void run_once() {
    tokens_.clear();
    poller_->wait(ready_.empty() ? idle_timeout() : std::chrono::nanoseconds(0), tokens_);
    const std::int64_t now = monotonic_ns();
    for (const std::uint64_t token : tokens_) {
      if (token == kWakeToken) {
        collect_offloaded();
      } else {
        ready_.push_back({static_cast<unsigned>(token), now});
      }
    }
    while (!timers_.empty() && timers_.top().deadline_ns <= now) {
      ready_.push_back({timers_.top().task, timers_.top().deadline_ns});
      timers_.pop();
    }
    for (std::size_t n = ready_.size(); n > 0 && !stop_requested(); --n) {
      const ReadyTask ready = ready_.front();
      ready_.pop_front();
      record_lag(monotonic_ns() - ready.since_ns);
      run_task(tasks_[ready.task]);
    }
  }

  /// Until the next timer, but never longer than a stop request may wait. As asyncio's
  /// selectors do, a wait for a timer is rounded up to whole milliseconds (the unit of
  /// epoll_wait's and poll's timeout; Lib/selectors.py rounds "away from zero to wait *at
  /// least* timeout seconds"): a timer due in 50 µs is run about 1 ms later, so tasks whose
  /// timers are spread over less than a millisecond run in a batch a millisecond apart.
  [[nodiscard]] std::chrono::nanoseconds idle_timeout() const noexcept {
    std::chrono::nanoseconds timeout = workloads::kStopPollSlice;
    if (!timers_.empty()) {
      constexpr std::int64_t kMs = 1'000'000;
      const std::int64_t left = timers_.top().deadline_ns - monotonic_ns();
      const std::int64_t rounded = left <= 0 ? 0 : (left + kMs - 1) / kMs * kMs;
      timeout = std::min(timeout, std::chrono::nanoseconds(rounded));
    }
    return timeout;
  }

  void record_lag(std::int64_t lag_ns) {
    if (lag_counter_++ % lag_stride_ == 0)
      lags_.push_back(static_cast<double>(std::max<std::int64_t>(0, lag_ns)) * 1e-9);
  }

  void run_task(Task& task) noexcept {
    try {
      for (;;) {
        const bool fresh = !task.in_op;
        const OpStep step = advance(task);
        if (stop_requested()) throw std::runtime_error("interrupted");
        if (step.kind != OpStep::Kind::Done) {
          park(task, step);
          return;
        }
        finish_op(task, step.checksum);
        if (task.next == task.range.last) {
          end_task(task);
          return;
        }
        // An op that never waited gives the others their turn before the next one, as a
        // handler awaiting its next request does; one that waited goes straight on.
        if (fresh) {
          ready_.push_back({task.index, monotonic_ns()});
          return;
        }
      }
    } catch (...) {
      task.result.ok = false;
      task.result.error = describe_exception(std::current_exception());
      end_task(task);
    }
  }

  OpStep advance(Task& task) {
    if (task.offloaded) {
      const OffloadPool::Completion completion = std::move(*task.offloaded);
      task.offloaded.reset();
      if (!completion.ok) throw std::runtime_error(completion.error);
      return OpStep::done(completion.value);
    }
    if (task.in_op) return task.steps->resume_op(context_);
    task.in_op = true;
    task.op_begin_ns = monotonic_ns();
    if (task.steps == nullptr || options_.blocking) {
      return OpStep::done(task.session->run_op(task.next, context_));
    }
    return task.steps->start_op(task.next, context_);
  }

  void park(Task& task, const OpStep& step) {
    switch (step.kind) {
      case OpStep::Kind::Sleep:
        timers_.push({monotonic_ns() + step.sleep.count(), timer_sequence_++, task.index});
        return;
      case OpStep::Kind::Readable:
      case OpStep::Kind::Writable:
        poller_->arm(step.fd, step.kind == OpStep::Kind::Writable, task.index);
        return;
      case OpStep::Kind::Offload:
        offload(task);
        return;
      case OpStep::Kind::Done:
        return;
    }
  }

  void offload(Task& task) {
    if (!pool_) {
      pool_ = std::make_unique<OffloadPool>(options_.offload_threads);
      poller_->arm(pool_->wake_fd(), false, kWakeToken);
    }
    WorkerSession* session = task.session.get();
    const std::uint64_t index = task.next;
    pool_->submit(task.index, [session, index] {
      OpContext context;  // the thread's own: no lock, no loop
      return session->run_op(index, context);
    });
  }

  void collect_offloaded() {
    completions_.clear();
    pool_->collect(completions_);
    poller_->arm(pool_->wake_fd(), false, kWakeToken);
    for (auto& completion : completions_) {
      const auto task = static_cast<unsigned>(completion.token);
      const std::int64_t since = completion.finished_ns;
      tasks_[task].offloaded = std::move(completion);
      ready_.push_back({task, since});
    }
  }

  void finish_op(Task& task, std::uint64_t checksum) {
    const std::int64_t now = monotonic_ns();
    if (latency_stride_ != 0 && task.next % latency_stride_ == 0)
      task.result.latencies.push_back(static_cast<double>(now - task.op_begin_ns) * 1e-9);
    task.result.checksum = combine_checksum(task.result.checksum, checksum);
    ++task.result.ops;
    ++task.next;
    task.in_op = false;
  }

  void end_task(Task& task) noexcept {
    task.finished = true;
    task.result.end_ns = monotonic_ns();
    if (task.session) task.result.data = data_moved(*task.session);
    --live_;
  }

  void fail_unfinished(const std::string& reason) noexcept {
    for (auto& task : tasks_) {
      if (task.finished) continue;
      task.result.ok = false;
      task.result.error = reason;
      end_task(task);
    }
  }

  std::vector<Task>& tasks_;
  const AsyncOptions& options_;
  std::unique_ptr<Poller> poller_;
  std::unique_ptr<OffloadPool> pool_;
  OpContext context_;
  std::deque<ReadyTask> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t timer_sequence_ = 0;
  std::vector<std::uint64_t> tokens_;
  std::vector<OffloadPool::Completion> completions_;
  std::uint64_t latency_stride_;
  std::uint64_t lag_stride_;
  std::uint64_t lag_counter_ = 0;
  std::vector<double> lags_;
  unsigned live_ = 0;
  CpuUsage pool_usage_{0, 0, 0, 0};
};

/// Opens every task's session on this thread; a failure fails that task only.
std::vector<Task> open_tasks(const ExecutionPlan& plan, const Workload& workload,
                             const WorkloadParams& params) {
  std::vector<Task> tasks(plan.workers);
  for (unsigned i = 0; i < plan.workers; ++i) {
    Task& task = tasks[i];
    task.index = i;
    task.range = worker_range(plan.total_ops, plan.workers, i);
    task.next = task.range.first;
    try {
      task.session = open_session(workload, params, i, in_place_view(plan));
      task.steps = dynamic_cast<SteppedOps*>(task.session.get());
    } catch (...) {
      task.result.ok = false;
      task.result.error = describe_exception(std::current_exception());
    }
    task.finished = !task.session || task.range.first == task.range.last;
  }
  return tasks;
}

Sample run_tasks(std::vector<Task>& tasks, const ExecutionPlan& plan, const AsyncOptions& options,
                 std::int64_t launch) {
  Loop loop(tasks, plan, options);
  const std::int64_t start = monotonic_ns();
  const CpuUsage before = thread_usage();
  loop.run(start);
  const CpuUsage usage = (thread_usage() - before) + loop.pool_usage();

  std::vector<WorkerResult> results;
  std::int64_t end = start;
  for (auto& task : tasks) {
    end = std::max(end, task.result.end_ns);
    results.push_back(std::move(task.result));
  }
  Sample sample = combine_results(results);
  sample.cpu_seconds = usage.cpu_seconds;
  sample.voluntary_switches = usage.voluntary;
  sample.involuntary_switches = usage.involuntary;
  sample.wait_seconds.reset();
  if (usage.wait_seconds >= 0) sample.wait_seconds = usage.wait_seconds;
  sample.loop_lag_seconds = std::move(loop.lags());
  sample.repetition = plan.repetition;
  sample.startup_seconds = static_cast<double>(start - launch) * 1e-9;
  sample.wall_seconds = static_cast<double>(end - start) * 1e-9;
  return sample;
}

}  // namespace

Sample run_async(const ExecutionPlan& plan, const Workload& workload, const WorkloadParams& params,
                 const AsyncOptions& options) {
  const std::int64_t launch = monotonic_ns();
  std::vector<Task> tasks = open_tasks(plan, workload, params);
  try {
    return run_tasks(tasks, plan, options, launch);
  } catch (...) {  // the loop could not be made (no epoll descriptor, no memory)
    Sample sample;
    sample.ok = false;
    sample.error = describe_exception(std::current_exception());
    sample.repetition = plan.repetition;
    return sample;
  }
}

}  // namespace conc_probe::engine

namespace conc_probe::engine {
namespace {

/// `async`: the plan's workers as tasks on one event loop (see run_async).
class AsyncExecutor final : public Executor {
 public:
  Sample run(const ExecutionPlan& plan, const Workload& workload,
             const WorkloadParams& params) override {
    AsyncOptions options;
    options.blocking = plan.async_blocking;
    return run_async(plan, workload, params, options);
  }
};

}  // namespace

std::unique_ptr<Executor> make_async_executor() { return std::make_unique<AsyncExecutor>(); }

}  // namespace conc_probe::engine
