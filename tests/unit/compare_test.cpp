#include "conc_probe/compare.hpp"

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;

namespace {

/// A bench report with one cell per entry of `walls`, each repetition's wall time given.
BenchReport report_with(const std::vector<std::vector<double>>& walls, bool busy = false,
                        double taken = 0, std::uint64_t ops = 100) {
  BenchReport report;
  report.start_time = "2026-01-01T00:00:00Z";
  const char* workloads[] = {"count", "sleep", "primes"};
  for (std::size_t i = 0; i < walls.size(); ++i) {
    CellResult cell;
    cell.key.workload = workloads[i % 3];
    cell.key.mode = Mode::Threads;
    cell.key.workers = 2;
    cell.busy = busy;
    cell.total_ops = ops;
    for (std::size_t r = 0; r < walls[i].size(); ++r) {
      Sample sample;
      sample.repetition = static_cast<unsigned>(r);
      sample.wall_seconds = walls[i][r];
      sample.ops = ops;
      if (busy) sample.interference.taken_fraction = taken;
      cell.samples.push_back(sample);
    }
    report.cells.push_back(cell);
  }
  return report;
}

LoadedRun load(const BenchReport& report, const std::string& name) {
  std::ostringstream out;
  write_bench(out, report, Format::Json);
  return parse_run(out.str(), name);
}

const std::vector<double> kBase{1.00, 1.01, 0.99, 1.00, 1.02, 0.98, 1.00};

std::vector<double> scaled(double factor) {
  std::vector<double> out;
  for (double v : kBase) out.push_back(v * factor);
  return out;
}

}  // namespace

TEST_CASE("compare: reads back what bench writes", "[compare]") {
  const auto run = load(report_with({kBase, scaled(2)}), "run.json");
  REQUIRE(run.cells.size() == 2);
  CHECK(run.cells[0].id == "count/threads/2");
  CHECK(run.cells[0].wall_seconds == kBase);
  CHECK(run.schema_major == 1);
  CHECK_FALSE(run.version.empty());
}

TEST_CASE("compare: verdicts from the bootstrap interval", "[compare]") {
  const auto base = load(report_with({kBase, kBase, kBase}), "base.json");
  // 30% slower, unchanged, 30% faster.
  const auto next = load(report_with({scaled(1.3), scaled(1.0), scaled(0.7)}), "new.json");
  const auto result = compare_runs(base, next, CompareOptions{});
  REQUIRE(result.cells.size() == 3);
  CHECK(result.cells[0].verdict == Verdict::Slower);
  CHECK(result.cells[0].ratio.estimate == Approx(1.3).epsilon(0.01));
  CHECK(result.cells[1].verdict == Verdict::Unchanged);
  CHECK(result.cells[2].verdict == Verdict::Faster);
  CHECK(result.has(Verdict::Slower));
  REQUIRE(result.geomean_ratio.has_value());
  CHECK(*result.geomean_ratio == Approx(std::cbrt(1.3 * 1.0 * 0.7)).epsilon(0.01));
}

TEST_CASE("compare: an interval straddling the threshold is inconclusive", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  const auto next = load(report_with({{0.9, 1.3, 1.0, 1.25, 0.95, 1.2, 1.05}}), "new.json");
  const auto result = compare_runs(base, next, CompareOptions{});
  CHECK(result.cells[0].verdict == Verdict::Inconclusive);
  CHECK(result.cells[0].reason == "interval overlaps the threshold");
}

TEST_CASE("compare: too few repetitions are inconclusive", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  const auto few = load(report_with({{1.5, 1.5}}), "few.json");
  const auto result = compare_runs(base, few, CompareOptions{});
  CHECK(result.cells[0].verdict == Verdict::Inconclusive);
  CHECK(result.cells[0].reason.starts_with("too few repetitions"));
}

TEST_CASE("compare: a busy mark alone does not make a cell inconclusive", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  // Marked busy, but others took only 2% of the need: the 50% slowdown is real.
  const auto busy = load(report_with({scaled(1.5)}, true, 0.02), "busy.json");
  CHECK(compare_runs(base, busy, CompareOptions{}).cells[0].verdict == Verdict::Slower);
}

TEST_CASE("compare: interference that explains the change makes it inconclusive", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  // Others took 35% of what the cell needed: 1.5 x 0.65 = 0.975, no change left.
  const auto loaded = load(report_with({scaled(1.5)}, true, 0.35), "loaded.json");
  const auto result = compare_runs(base, loaded, CompareOptions{});
  CHECK(result.cells[0].verdict == Verdict::Inconclusive);
  CHECK(result.cells[0].reason == "interference measured in the runs could explain the change");
  CHECK(result.cells[0].ratio.ci_low > 1.4);
  CHECK(result.cells[0].credited.ci_high < 1.05);
  CHECK(result.cells[0].decided.ci_low < 1.05);
  // Throttling by a quota is not interference: the same slowdown with nothing taken is slower.
  const auto quota = load(report_with({scaled(1.5)}, true, 0.0), "quota.json");
  CHECK(compare_runs(base, quota, CompareOptions{}).cells[0].verdict == Verdict::Slower);
}

TEST_CASE("compare: like with like, per op, whatever the op counts", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  // Half the ops in half the time: the same speed, not 2x faster.
  const auto half = load(report_with({scaled(0.5)}, false, 0, 50), "half.json");
  const auto result = compare_runs(base, half, CompareOptions{});
  CHECK(result.cells[0].verdict == Verdict::Unchanged);
  REQUIRE(result.cells[0].notes.size() == 1);
  CHECK(result.cells[0].notes[0].find("100 and 50 ops") != std::string::npos);
  // The same wall time for twice the work is faster.
  const auto twice = load(report_with({kBase}, false, 0, 200), "twice.json");
  CHECK(compare_runs(base, twice, CompareOptions{}).cells[0].verdict == Verdict::Faster);
}

TEST_CASE("compare: the threshold decides what counts", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  const auto next = load(report_with({scaled(1.05)}), "new.json");
  CHECK(compare_runs(base, next, CompareOptions{.threshold = 0.10}).cells[0].verdict ==
        Verdict::Unchanged);
  CHECK(compare_runs(base, next, CompareOptions{.threshold = 0.02}).cells[0].verdict ==
        Verdict::Slower);
}

TEST_CASE("compare: the bootstrap is deterministic and brackets the estimate", "[compare]") {
  const std::vector<double> noisy{1.0, 1.2, 0.9, 1.1, 1.05};
  const auto a = bootstrap_ratio(kBase, noisy, CompareOptions{});
  const auto b = bootstrap_ratio(kBase, noisy, CompareOptions{});
  CHECK(a.ci_low == b.ci_low);
  CHECK(a.ci_high == b.ci_high);
  CHECK(a.ci_low <= a.estimate);
  CHECK(a.estimate <= a.ci_high);
  CHECK(a.ci_high > a.ci_low);
}

TEST_CASE("compare: runs whose cells differ are refused", "[compare]") {
  const auto base = load(report_with({kBase, kBase}), "base.json");
  const auto next = load(report_with({kBase}), "new.json");
  CHECK_THROWS_AS(compare_runs(base, next, CompareOptions{}), UsageError);
  CHECK_THROWS_AS(compare_runs(next, base, CompareOptions{}), UsageError);
}

TEST_CASE("compare: warns about runs from different builds", "[compare]") {
  auto base = load(report_with({kBase}), "base.json");
  auto next = base;
  next.version = "9.9.9";
  next.usable_cpus = 64;
  const auto result = compare_runs(base, next, CompareOptions{});
  CHECK(result.warnings.size() == 2);
}

TEST_CASE("compare: files that are not conc-probe bench JSON are refused", "[compare]") {
  std::ostringstream out;
  write_bench(out, report_with({kBase}), Format::Json);
  auto document = nlohmann::json::parse(out.str());
  const auto refused = [](const std::string& text) {
    CHECK_THROWS_AS(parse_run(text, "x.json"), UsageError);
  };
  refused("");
  refused("not json");
  refused("64e402");  // a number out of range: found by result_json_fuzz
  refused("[1, 2, 3]");
  refused("{\"schema_version\": \"1.0\"}");
  refused(R"({"cells": []})");
  auto newer = document;
  newer["schema_version"] = "2.0";
  refused(newer.dump());
  auto foreign = document;
  foreign["context"]["tool"] = "hyperfine";
  refused(foreign.dump());
  auto broken = document;
  broken["cells"][0]["samples"][0]["wall_seconds"] = "fast";
  refused(broken.dump());
  try {
    parse_run(newer.dump(), "x.json");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what()).find("newer") != std::string::npos);
  }
}

TEST_CASE("compare: load_run refuses missing and empty files", "[compare]") {
  testing::TempDir dir;
  dir.write("empty.json", "");
  CHECK_THROWS_AS(load_run(dir.path() / "missing.json"), UsageError);
  CHECK_THROWS_AS(load_run(dir.path() / "empty.json"), UsageError);
  CHECK_THROWS_AS(load_run(dir.path()), UsageError);
}

TEST_CASE("compare: table, markdown and JSON output", "[compare]") {
  const auto base = load(report_with({kBase}), "base.json");
  const auto next = load(report_with({scaled(1.5)}), "new.json");
  const auto result = compare_runs(base, next, CompareOptions{});
  std::ostringstream table, markdown, json;
  write_comparison(table, result, Format::Table);
  write_comparison(markdown, result, Format::Markdown);
  write_comparison(json, result, Format::Json);
  CHECK(table.str().find("slower") != std::string::npos);
  CHECK(table.str().find("+50.0%") != std::string::npos);
  CHECK(markdown.str().find("| `count/threads/2` |") != std::string::npos);
  CHECK(markdown.str().find("**1 slower**") != std::string::npos);
  const auto parsed = nlohmann::json::parse(json.str());
  CHECK(parsed["cells"][0]["verdict"] == "slower");
}
