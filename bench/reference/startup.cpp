// The smallest stand-alone measurement of worker start-up: std::thread create+join and
// fork+waitpid, median of many runs, in two conditions:
//   back to back — launches follow each other, every CPU stays awake;
//   after work   — each launch follows 20 ms of computing on the calling thread while the
//                  other CPUs idle, as a bench cell's launch follows the previous cell.
// On a virtual machine the second is several times slower: an idle virtual CPU has to be
// woken by the host first. bench/harness_accuracy.py compares conc-probe's own start-up
// figures with these, condition by condition.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

volatile unsigned long g_sink = 0;

void compute_for(std::chrono::milliseconds duration) {
  const auto end = Clock::now() + duration;
  unsigned long local = 0;
  while (Clock::now() < end) local = local * 6364136223846793005UL + 1;
  g_sink = local;
}

template <class F>
double median_seconds(int runs, std::chrono::milliseconds work_before, F&& once) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    if (work_before.count() > 0) compute_for(work_before);
    const auto start = Clock::now();
    once();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void thread_once() {
  std::thread([] {}).join();
}

void fork_once() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

}  // namespace

int main() {
  using std::chrono::milliseconds;
  const double thread = median_seconds(500, milliseconds(0), thread_once);
  const double fork_wait = median_seconds(200, milliseconds(0), fork_once);
  const double thread_after = median_seconds(31, milliseconds(20), thread_once);
  const double fork_after = median_seconds(31, milliseconds(20), fork_once);
  std::printf(
      "{\"thread_create_join_seconds\": %.9f, \"fork_wait_seconds\": %.9f, "
      "\"thread_create_join_after_work_seconds\": %.9f, \"fork_wait_after_work_seconds\": %.9f}\n",
      thread, fork_wait, thread_after, fork_after);
}
