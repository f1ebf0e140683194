#include "engine/offload_pool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>

#ifdef __linux__
#include <sched.h>
#endif

namespace conc_probe::engine {

unsigned default_offload_threads() noexcept {
  unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0)
    cpus = static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
#endif
  return std::min(32U, cpus + 4);
}

OffloadPool::OffloadPool(unsigned max_threads)
    : max_threads_(std::max(1U, max_threads)), wake_(make_pipe()) {
  // The loop drains the pipe without blocking; a full pipe already means "wake up".
  for (const int fd : {wake_.read.get(), wake_.write.get()}) {
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
      throw std::runtime_error("event loop: cannot make the wake pipe non-blocking");
    }
  }
}

OffloadPool::~OffloadPool() { shut_down(); }

void OffloadPool::submit(std::uint64_t token, Job job) {
  std::unique_lock lock(mutex_);
  jobs_.emplace_back(token, std::move(job));
  if (idle_ == 0 && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { thread_body(); });  // throws: the caller's op fails
  } else {
    lock.unlock();
    work_ready_.notify_one();
  }
}

void OffloadPool::collect(std::vector<Completion>& out) {
  char buffer[256];
  while (::read(wake_.read.get(), buffer, sizeof buffer) > 0) {
  }
  const std::scoped_lock lock(mutex_);
  std::move(done_.begin(), done_.end(), std::back_inserter(out));
  done_.clear();
}

void OffloadPool::finish(Completion completion) {
  {
    const std::scoped_lock lock(mutex_);
    done_.push_back(std::move(completion));
  }
  const char byte = 1;
  // EAGAIN: the pipe is full of wake-ups already; the loop will look.
  while (::write(wake_.write.get(), &byte, 1) < 0 && errno == EINTR) {
  }
}

void OffloadPool::thread_body() noexcept {
  const CpuUsage before = thread_usage();
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    work_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (stopping_) break;
    auto [token, job] = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    Completion completion;
    completion.token = token;
    try {
      completion.value = job();
    } catch (...) {
      completion.ok = false;
      completion.error = describe_exception(std::current_exception());
    }
    completion.finished_ns = monotonic_ns();
    finish(std::move(completion));
    lock.lock();
  }
  usage_ = usage_ + (thread_usage() - before);
}

CpuUsage OffloadPool::shut_down() noexcept {
  {
    const std::scoped_lock lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  work_ready_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  const std::scoped_lock lock(mutex_);
  return usage_;
}

}  // namespace conc_probe::engine
