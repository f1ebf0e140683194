// Soak: runs a bench of every workload and mode in a loop for a bounded time (SOAK_SECONDS,
// default 10) and checks after every round that nothing leaked: file descriptors, threads,
// child processes, temporary files. Not part of the default test run (label "soak").
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "conc_probe/engine.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;
namespace fs = std::filesystem;

namespace {

std::size_t count_entries(const fs::path& dir) {
  std::size_t count = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++count;
  return count;
}

/// Children of every thread of this process, from /proc/self/task/*/children.
std::size_t count_children() {
  std::size_t count = 0;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "children");
    std::string pid;
    while (in >> pid) ++count;
  }
  return count;
}

struct Resources {
  std::size_t fds = 0, threads = 0, children = 0, temp_entries = 0;
  friend bool operator==(const Resources&, const Resources&) = default;
};

Resources measure(const fs::path& temp) {
  return Resources{count_entries("/proc/self/fd"), count_entries("/proc/self/task"),
                   count_children(), count_entries(temp)};
}

BenchConfig soak_config() {
  BenchConfig config;
  config.workloads = {"count", "primes", "hash", "sleep", "file", "net", "mixed"};
  config.modes = {Mode::Single, Mode::Threads, Mode::Gil, Mode::Process};
  config.workers = {1, 3};
  config.duration = std::chrono::milliseconds(10);
  config.repetitions = 1;
  config.warmup = 0;
  config.workload_defaults.io_latency = std::chrono::microseconds(200);
  return config;
}

}  // namespace

TEST_CASE("Soak: repeated benches leak no descriptor, thread, child or temporary file", "[soak]") {
  testing::TempDir temp;
  ::setenv("TMPDIR", temp.path().c_str(), 1);
  const char* env_seconds = std::getenv("SOAK_SECONDS");
  const auto budget = std::chrono::seconds(env_seconds != nullptr ? std::atoi(env_seconds) : 10);
  const BenchConfig config = soak_config();

  (void)run_bench(config);  // the first round may create lazily initialised state
  const Resources baseline = measure(temp.path());
  CHECK(baseline.children == 0);
  CHECK(baseline.temp_entries == 0);

  const auto deadline = std::chrono::steady_clock::now() + budget;
  unsigned rounds = 0;
  do {
    const BenchReport report = run_bench(config);
    ++rounds;
    for (const auto& cell : report.cells) {
      INFO(cell.key.workload << " " << static_cast<int>(cell.key.mode) << " " << cell.error);
      CHECK_FALSE(cell.failed);
    }
    const Resources now = measure(temp.path());
    INFO("round " << rounds << ": fds " << now.fds << " threads " << now.threads << " children "
                  << now.children << " temp entries " << now.temp_entries);
    REQUIRE(now == baseline);
  } while (std::chrono::steady_clock::now() < deadline);
  WARN("soak: " << rounds << " rounds of " << config.workloads.size() << " workloads x 4 modes");
  ::unsetenv("TMPDIR");
}
