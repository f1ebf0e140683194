// --shared: which ops are shared, the one counter every worker (thread or forked process)
// updates, the cells per fraction, and the fraction in the JSON written and read back.
#include <sstream>
#include <string>

#include "conc_probe/compare.hpp"
#include "conc_probe/engine.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/saved_run.hpp"
#include "engine/executor.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"
#include "workloads/shared_ops.hpp"

using namespace conc_probe;
using conc_probe::workloads::is_shared_op;
using conc_probe::workloads::shared_ops_below;
using conc_probe::workloads::SharedOpsWorkload;

namespace {

WorkloadParams count_params(double fraction) {
  WorkloadParams params;
  params.name = "count";
  params.op_size = 200;
  params.shared_fraction = fraction;
  return params;
}

engine::ExecutionPlan plan_of(Mode mode, unsigned workers, std::uint64_t total_ops) {
  engine::ExecutionPlan plan;
  plan.mode = mode;
  plan.workers = workers;
  plan.total_ops = total_ops;
  plan.gil.interval = std::chrono::milliseconds(5);
  return plan;
}

BenchConfig shared_config() {
  BenchConfig config;
  config.workloads = {"count"};
  config.modes = {Mode::Single, Mode::Threads, Mode::Process};
  config.workers = {2};
  config.duration = std::chrono::milliseconds(20);
  config.repetitions = 1;
  config.warmup = 0;
  config.workload_defaults.op_size = 200;
  config.fixed_ops["count"] = 3000;
  config.shared_fractions = {0, 0.25, 1};
  config.worker_binary = conc_probe::testing::binary_path().string();
  return config;
}

}  // namespace

TEST_CASE("Shared: the shared ops are spread evenly and counted exactly", "[shared]") {
  for (const double fraction : {0.0, 0.1, 0.25, 1.0 / 3, 0.5, 0.999, 1.0}) {
    INFO(fraction);
    std::uint64_t counted = 0;
    for (std::uint64_t i = 0; i < 1000; ++i) counted += is_shared_op(i, fraction) ? 1U : 0U;
    CHECK(counted == shared_ops_below(1000, fraction));
    // Any range's count is the difference of the totals below its ends.
    std::uint64_t middle = 0;
    for (std::uint64_t i = 300; i < 700; ++i) middle += is_shared_op(i, fraction) ? 1U : 0U;
    CHECK(middle == shared_ops_below(700, fraction) - shared_ops_below(300, fraction));
  }
  CHECK(shared_ops_below(1000, 0.1) == 100);
  CHECK(shared_ops_below(1000, 1) == 1000);
  CHECK(shared_ops_below(1000, 0) == 0);
  CHECK_FALSE(is_shared_op(0, 0.5));
  CHECK(is_shared_op(1, 0.5));
}

TEST_CASE("Shared: threads, gil, async and forked processes update one counter", "[shared]") {
  const Mode mode = GENERATE(Mode::Single, Mode::Threads, Mode::Gil, Mode::Process, Mode::Async);
  const double fraction = GENERATE(0.0, 0.3, 1.0);
  INFO(to_string(mode) << " at " << fraction);
  const SharedOpsWorkload workload(make_workload(count_params(0)));
  const auto unshared = engine::make_executor(Mode::Single)
                            ->run(plan_of(Mode::Single, 1, 2000), workload, count_params(0));
  REQUIRE(unshared.ok);
  REQUIRE(workload.counter().load() == 0);
  const unsigned workers = mode == Mode::Single ? 1 : 3;
  const auto sample = engine::make_executor(mode)->run(plan_of(mode, workers, 2000), workload,
                                                       count_params(fraction));
  REQUIRE(sample.ok);
  CHECK(sample.checksum == unshared.checksum);  // the shared update leaves the ops' results
  CHECK(workload.counter().load() == shared_ops_below(2000, fraction));
}

TEST_CASE("Shared: one set of cells per fraction, each with its own single cell", "[shared]") {
  const BenchReport report = run_bench(shared_config());
  REQUIRE(report.cells.size() == 9);
  const double fractions[] = {0, 0.25, 1};
  for (std::size_t i = 0; i < report.cells.size(); ++i) {
    const CellResult& cell = report.cells[i];
    INFO(i << ": " << cell.error);
    CHECK_FALSE(cell.failed);  // a counter that missed an update fails the cell
    CHECK(cell.checksum_ok);
    REQUIRE(cell.key.shared_fraction);
    CHECK(*cell.key.shared_fraction == fractions[i / 3]);
    CHECK(cell.key.mode == (i % 3 == 0   ? Mode::Single
                            : i % 3 == 1 ? Mode::Threads
                                         : Mode::Process));
    // Speed-ups rest on the single cell of the same fraction; a single cell has none.
    const CellResult& single = report.cells[i - i % 3];
    if (cell.key.mode == Mode::Single) {
      CHECK_FALSE(cell.speedup);
    } else {
      REQUIRE(cell.speedup);
      CHECK(cell.speedup->estimate == Approx(single.wall.median / cell.wall.median));
    }
  }
}

TEST_CASE("Shared: bad fractions and modes without shared memory are usage errors", "[shared]") {
  auto config = shared_config();
  config.shared_fractions = {1.5};
  CHECK_THROWS_AS(run_bench(config), UsageError);
  config = shared_config();
  config.start_method = StartMethod::Spawn;
  CHECK_THROWS_WITH(run_bench(config), Catch::Contains("fork"));
  config = shared_config();
  config.workloads = {"convoy"};
  CHECK_THROWS_AS(run_bench(config), UsageError);
}

TEST_CASE("Shared: the fraction is written in the JSON and read back", "[shared][report]") {
  BenchReport report;
  report.config = shared_config();
  report.config.command_line = {"conc-probe", "bench"};
  CellResult cell;
  cell.key = CellKey{"count", Mode::Threads, 2, std::nullopt, 0.25};
  cell.total_ops = 10;
  Sample sample;
  sample.ops = 10;
  sample.wall_seconds = 0.01;
  cell.samples.push_back(sample);
  report.cells.push_back(cell);
  report.cells.push_back(cell);
  report.cells.back().key.shared_fraction = 0.5;
  std::ostringstream json;
  write_bench(json, report, Format::Json);
  CHECK(json.str().find("\"shared_fraction\": 0.25") != std::string::npos);
  const BenchReport back = parse_bench_report(json.str(), "run.json");
  REQUIRE(back.cells.size() == 2);
  CHECK(back.cells[0].key.shared_fraction == 0.25);
  CHECK(back.cells[1].key.shared_fraction == 0.5);
  CHECK(back.config.shared_fractions == std::vector<double>{0, 0.25, 1});
  // compare tells the cells apart by their fraction.
  const LoadedRun run = parse_run(json.str(), "run.json");
  REQUIRE(run.cells.size() == 2);
  CHECK(run.cells[0].id != run.cells[1].id);
  CHECK(run.cells[0].id == cell_id(back.cells[0].key));

  std::ostringstream csv;
  write_bench(csv, report, Format::Csv);
  CHECK(csv.str().find("switch_interval_seconds,shared_fraction,") != std::string::npos);
  CHECK(csv.str().find("count,threads,2,,0.25,") != std::string::npos);
  std::ostringstream table;
  write_bench(table, report, Format::Table);
  CHECK(table.str().find("shared 0.25") != std::string::npos);
}
