// The smallest stand-alone measurement of worker start-up: std::thread create+join and
// fork+waitpid, median of many runs. bench/harness_accuracy.py compares conc-probe's own
// start-up figures with these.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace {

template <class F>
double median_seconds(int runs, F&& once) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    once();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main() {
  const double thread = median_seconds(500, [] { std::thread([] {}).join(); });
  const double fork_wait = median_seconds(200, [] {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
  });
  std::printf("{\"thread_create_join_seconds\": %.9f, \"fork_wait_seconds\": %.9f}\n", thread, fork_wait);
}
