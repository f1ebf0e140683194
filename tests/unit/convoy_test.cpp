#include <chrono>

#include "conc_probe/engine.hpp"
#include "support/catch.hpp"

using namespace conc_probe;

namespace {

const CellResult& cell_of(const BenchReport& report, Mode mode) {
  for (const auto& cell : report.cells) {
    if (cell.key.mode == mode) return cell;
  }
  FAIL("no cell of the mode");
  return report.cells.front();
}

BenchReport run_convoy(const std::string& workload) {
  BenchConfig config;
  config.workloads = {workload};
  config.modes = {Mode::Single, Mode::Threads, Mode::Gil, Mode::Process};
  config.workers = {1};
  config.duration = std::chrono::milliseconds(300);
  config.repetitions = 1;
  config.warmup = 0;
  config.switch_intervals = {std::chrono::milliseconds(5)};
  return run_bench(config);
}

}  // namespace

TEST_CASE("Convoy: under the lock the IO thread keeps a small fraction of its solo throughput",
          "[convoy]") {
  const BenchReport report = run_convoy("convoy-ready");
  REQUIRE(report.cells.size() == 4);
  for (const auto& cell : report.cells) {
    INFO(to_string(cell.key.mode) << ": " << cell.error);
    CHECK_FALSE(cell.failed);
    CHECK(cell.time_bounded);
    CHECK(cell.samples.front().ops > 0);
  }
  const CellResult& gil = cell_of(report, Mode::Gil);
  REQUIRE(gil.speedup.has_value());
  // CPython: each blocking call costs up to one switch interval (bpo-7946). Solo, an op takes
  // about a microsecond; beside a CPU thread under a 5 ms interval, far longer.
  CHECK(gil.speedup->estimate < 0.5);
  CHECK(gil.gil.has_value());
  CHECK(gil.gil->switches_per_second > 0);
  // The CPU workers ran beside the IO thread in every concurrent mode.
  for (const Mode mode : {Mode::Threads, Mode::Gil, Mode::Process}) {
    const CellResult& cell = cell_of(report, mode);
    INFO(to_string(mode));
    REQUIRE(cell.background_ops_per_second.has_value());
    CHECK(*cell.background_ops_per_second > 0);
  }
  CHECK_FALSE(cell_of(report, Mode::Single).background_ops_per_second.has_value());
}

TEST_CASE("Convoy: loopback TCP round trips beside CPU workers", "[convoy]") {
  const BenchReport report = run_convoy("convoy");
  REQUIRE(report.cells.size() == 4);
  for (const auto& cell : report.cells) {
    INFO(to_string(cell.key.mode) << ": " << cell.error);
    CHECK_FALSE(cell.failed);
    REQUIRE(cell.latency.has_value());
    CHECK(cell.latency->count > 0);
  }
  CHECK(cell_of(report, Mode::Gil).speedup->estimate < 0.8);
}
