// Golden-file tests of the bench reporters over a hand-built report. To accept a deliberate
// change of output, run with CONC_PROBE_UPDATE_GOLDEN=1 and review the diff.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/stats.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

Sample sample(unsigned repetition, double wall, double cpu) {
  Sample s;
  s.repetition = repetition;
  s.wall_seconds = wall;
  s.startup_seconds = 0.0001;
  s.cpu_seconds = cpu;
  s.voluntary_switches = 3;
  s.involuntary_switches = 1;
  s.ops = 1000;
  s.checksum = 0xfedcba9876543210ULL;
  s.noise.other_cpu_fraction = 0.01;
  return s;
}

CellResult cell(const std::string& workload, Mode mode, unsigned workers, std::vector<double> walls,
                double cores) {
  CellResult c;
  c.key = CellKey{workload, mode, workers, std::nullopt, std::nullopt};
  c.total_ops = 1000;
  c.expected_checksum = 0xfedcba9876543210ULL;
  std::vector<double> throughput;
  std::vector<double> cores_used;
  for (unsigned i = 0; i < walls.size(); ++i) {
    c.samples.push_back(sample(i, walls[i], walls[i] * cores));
    throughput.push_back(1000 / walls[i]);
    cores_used.push_back(cores);
  }
  c.wall = stats::summarize(walls);
  c.throughput = stats::summarize(throughput);
  c.cores_used = stats::summarize(cores_used);
  c.startup = stats::summarize(std::vector<double>(walls.size(), 0.0001));
  c.voluntary_switches = 3;
  c.involuntary_switches = 1;
  return c;
}

void add_speedup(CellResult& c, const CellResult& single) {
  c.speedup = stats::ratio_of_medians(single.wall, c.wall);
  c.efficiency = c.speedup->estimate / c.key.workers;
}

BenchReport sample_report() {
  BenchReport r;
  r.config.workloads = {"count", "sleep"};
  r.config.modes = {Mode::Single, Mode::Threads, Mode::Gil, Mode::Process};
  r.config.workers = {1, 2};
  r.config.duration = 200ms;
  r.config.repetitions = 3;
  r.config.command_line = {"conc-probe", "bench", "--workers", "1,2"};
  r.start_time = "2026-01-02T03:04:05Z";
  const CellResult single = cell("count", Mode::Single, 1, {0.200, 0.202, 0.198}, 1.0);
  r.cells.push_back(single);
  r.cells.push_back(cell("count", Mode::Threads, 2, {0.104, 0.101, 0.103}, 1.96));
  add_speedup(r.cells.back(), single);
  r.cells.back().peak_rss_bytes = 7.0 * 1024 * 1024;
  r.cells.back().pss_bytes = 3.5 * 1024 * 1024;
  r.cells.back().samples.front().peak_rss_bytes = 7 * 1024 * 1024;
  r.cells.back().samples.front().pss_bytes = 3 * 1024 * 1024 + 512 * 1024;
  r.cells.push_back(cell("count", Mode::Gil, 2, {0.205, 0.210, 0.207}, 1.0));
  add_speedup(r.cells.back(), single);
  r.cells.back().key.switch_interval = 5ms;
  r.cells.back().gil = GilSummary{196, 0.0051, 0.0050, 0.0056, 0.0070, 0.2, 40, 40};
  r.cells.back().samples.front().gil = GilMetrics{41, 40, 40, 40, 0.2, 0.2, {0.005, 0.0051}};
  CellResult failed = cell("count", Mode::Process, 2, {}, 0);
  failed.failed = true;
  failed.error = "worker 1 killed by SIGKILL, \"twice\"";
  r.cells.push_back(failed);
  const CellResult sleep_single = cell("sleep", Mode::Single, 1, {0.210, 0.211, 0.212}, 0.01);
  r.cells.push_back(sleep_single);
  r.cells.back().kind = WorkloadKind::Io;
  r.cells.push_back(cell("sleep", Mode::Process, 2, {0.106, 0.107, 0.109}, 0.02));
  add_speedup(r.cells.back(), sleep_single);
  r.cells.back().kind = WorkloadKind::Io;
  r.cells.back().busy = true;
  r.cells.back().interference.taken_fraction = 0.08;
  r.cells.back().interference.waits = true;
  r.cells.back().interference.mark = "others delayed its workers' wake-ups by 8% of their time";
  r.cells.back().latency = LatencySummary{0.00105, 0.0011, 0.0013, 0.002, 600};
  r.cells.back().samples.front().latency_seconds = {0.00105, 0.0011};
  r.cells.push_back(cell("sleep", Mode::Async, 2, {0.105, 0.106, 0.106}, 0.01));
  add_speedup(r.cells.back(), sleep_single);
  r.cells.back().kind = WorkloadKind::Io;
  r.cells.back().loop_lag = LatencySummary{0.00002, 0.00005, 0.00009, 0.0002, 1200};
  r.cells.back().samples.front().loop_lag_seconds = {0.00002, 0.00009};
  r.findings = {
      {"cpu", "CPU-bound: threads 1.94x, gil 0.97x -> with a GIL, use processes for CPU work."},
      {"noise", "1 cell was measured on a busy machine."}};
  r.busy = true;
  return r;
}

std::string render(const BenchReport& report, Format format, Style style = {}) {
  std::ostringstream out;
  write_bench(out, report, format, style);
  return out.str();
}

/// The JSON with the fields that depend on the build replaced by fixed text.
std::string stable_json(const BenchReport& report) {
  auto json = nlohmann::ordered_json::parse(render(report, Format::Json));
  for (const char* key : {"version", "git_revision", "build_type", "compiler"})
    json["context"][key] = "X";
  json["context"]["info"] = "(the info report, tested with its own schema)";
  return json.dump(2) + "\n";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = conc_probe::testing::test_data_dir() / "golden" / name;
  if (std::getenv("CONC_PROBE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  INFO("golden file " << path.string());
  CHECK(actual == read_text(path));
}

}  // namespace

TEST_CASE("Bench report: table golden", "[report]") {
  check_golden("bench_report.table.txt", render(sample_report(), Format::Table));
}

TEST_CASE("Bench report: markdown golden", "[report]") {
  check_golden("bench_report.md", render(sample_report(), Format::Markdown));
}

TEST_CASE("Bench report: csv golden", "[report]") {
  check_golden("bench_report.csv", render(sample_report(), Format::Csv));
}

TEST_CASE("Bench report: json golden", "[report]") {
  check_golden("bench_report.json", stable_json(sample_report()));
}

TEST_CASE("Bench report: json has every raw sample and null for unknown", "[report]") {
  const auto json = nlohmann::json::parse(render(sample_report(), Format::Json));
  CHECK(json["schema_version"] == "1.4");
  CHECK(json["context"]["tool"] == "conc-probe");
  CHECK(json["context"]["info"].is_object());
  CHECK(json["cells"].size() == 7);
  CHECK(json["cells"][0]["samples"].size() == 3);
  CHECK(json["cells"][0]["speedup"].is_null());
  CHECK(json["cells"][2]["key"]["switch_interval_seconds"] == Approx(0.005));
  CHECK(json["cells"][0]["samples"][0]["checksum"] == "0xfedcba9876543210");
  CHECK(json["cells"][5]["samples"][0]["latency_seconds"].size() == 2);
}

TEST_CASE("Bench report: non-finite numbers and bad UTF-8 never break the JSON", "[report]") {
  BenchReport report = sample_report();
  report.cells[0].wall.median = std::numeric_limits<double>::infinity();
  report.cells[0].error = "bad \xff byte";
  const auto json = nlohmann::json::parse(render(report, Format::Json));
  CHECK(json["cells"][0]["wall_seconds"]["median"].is_null());
}

TEST_CASE("Bench report: colour only when asked", "[report]") {
  const auto plain = render(sample_report(), Format::Table);
  const auto coloured = render(sample_report(), Format::Table, Style{true});
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(coloured.find("\x1b[31m") != std::string::npos);  // the failed cell in red
}

TEST_CASE("Bench report: empty report in every format", "[report]") {
  const BenchReport empty;
  for (const Format format : {Format::Table, Format::Json, Format::Markdown, Format::Csv}) {
    CHECK_FALSE(render(empty, format).empty());
  }
  CHECK(render(empty, Format::Csv).find('\n') ==
        render(empty, Format::Csv).size() - 1);  // header only
}

TEST_CASE("Output file: atomic write replaces the content, leaves no temporary", "[report]") {
  conc_probe::testing::TempDir dir;
  const fs::path target = dir.path() / "run.json";
  write_file_atomically(target, "first");
  write_file_atomically(target, "second");
  CHECK(read_text(target) == "second");
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("Output file: unwritable paths are usage errors, checked before work", "[report]") {
  conc_probe::testing::TempDir dir;
  CHECK_NOTHROW(check_writable(dir.path() / "ok.json"));
  CHECK_FALSE(fs::exists(dir.path() / "ok.json"));
  CHECK_THROWS_AS(check_writable(dir.path() / "missing" / "x.json"), UsageError);
  CHECK_THROWS_AS(check_writable(dir.path()), UsageError);
  CHECK_THROWS_AS(check_writable("/dev/null"), UsageError);
  CHECK_THROWS_AS(check_writable(""), UsageError);
  CHECK_THROWS_AS(write_file_atomically(dir.path() / "missing" / "x.json", "x"), Error);
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 0);
}
