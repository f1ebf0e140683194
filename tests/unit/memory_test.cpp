#include <sys/mman.h>

#include <cstring>
#include <vector>

#include "engine/executor.hpp"
#include "engine/memory_usage.hpp"
#include "support/catch.hpp"

using namespace conc_probe;
using namespace conc_probe::engine;

TEST_CASE("Memory: the kB lines of smaps_rollup and status", "[memory]") {
  CHECK(parse_pss("Rss:     10 kB\nPss:    1234 kB\nPss_Anon:  5 kB\n") == 1234 * 1024);
  CHECK(parse_pss("Rss:     10 kB\n") == 0);
  CHECK(parse_pss("Pss: many kB\n") == 0);
  CHECK(parse_pss("Pss: 99999999999999999999 kB\n") == 0);  // beyond 64 bits: unknown
  CHECK(parse_peak_rss("VmPeak:\t  9000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1000 kB\n") ==
        2048 * 1024);
  CHECK(parse_peak_rss("") == 0);
}

TEST_CASE("Memory: this process's peak follows what was touched, and resets", "[memory]") {
  reset_peak_rss();
  const MemoryUsage before = own_memory();
  REQUIRE(before.pss_bytes > 0);
  REQUIRE(before.peak_rss_bytes > 0);
  constexpr std::size_t kBytes = 64U << 20;
  {
    // Straight from the kernel and back: an allocator (ASan's quarantine above all) may keep
    // freed memory resident, which would hide the reset.
    void* block =
        ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(block != MAP_FAILED);
    std::memset(block, 1, kBytes);
    CHECK(own_memory().pss_bytes > before.pss_bytes + kBytes / 2);
    REQUIRE(::munmap(block, kBytes) == 0);
  }
  const MemoryUsage after = own_memory();
  CHECK(after.peak_rss_bytes >= before.peak_rss_bytes + kBytes / 2);
  reset_peak_rss();
  CHECK(own_memory().peak_rss_bytes < after.peak_rss_bytes - kBytes / 4);
}

TEST_CASE("Memory: worker processes report their own, summed; PSS shares the pages", "[memory]") {
  WorkloadParams params;
  params.name = "count";
  const auto workload = make_workload(params);
  const auto run = [&](unsigned workers) {
    ExecutionPlan plan;
    plan.mode = Mode::Process;
    plan.workers = workers;
    plan.total_ops = 6;
    return make_executor(Mode::Process)->run(plan, *workload, params);
  };
  const Sample one = run(1);
  const Sample three = run(3);
  REQUIRE(one.ok);
  REQUIRE(three.ok);
  REQUIRE(one.pss_bytes.has_value());
  REQUIRE(three.pss_bytes.has_value());
  REQUIRE(three.peak_rss_bytes.has_value());
  // Each forked worker's resident set counts the pages it shares with the parent and its
  // siblings in full; their PSS divides them, so the sum of PSS is well below that of RSS.
  CHECK(*three.peak_rss_bytes > 2 * *one.peak_rss_bytes);
  CHECK(*three.pss_bytes < *three.peak_rss_bytes);
}
