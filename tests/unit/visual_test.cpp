// The pictures of a bench report and the saved-run reader, over one real small run (real
// threads, processes and sleeps) and hand-built reports for the exact cases.
#include "conc_probe/visual.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "conc_probe/engine.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/saved_run.hpp"
#include "report/bench_format.hpp"
#include "support/catch.hpp"
#include "support/test_support.hpp"

using namespace conc_probe;

namespace {

/// One real run: count and sleep, every mode, 1 and 2 workers, with gil timelines.
const BenchReport& real_run() {
  static const BenchReport report = [] {
    BenchConfig config;
    config.workloads = {"count", "sleep"};
    config.modes = all_modes();
    config.workers = {1, 2};
    config.duration = std::chrono::milliseconds(30);
    config.repetitions = 3;
    config.warmup = 0;
    config.record_timeline = true;
    config.worker_binary = conc_probe::testing::binary_path().string();
    BenchReport r = run_bench(config);
    r.platform = probe_platform(ProbeOptions{});
    return r;
  }();
  return report;
}

std::string render(const BenchReport& report, Format format) {
  std::ostringstream out;
  write_bench(out, report, format);
  return out.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

const Chart* find_chart(const std::vector<Chart>& charts, const std::string& id) {
  for (const auto& chart : charts)
    if (chart.id == id) return &chart;
  return nullptr;
}

}  // namespace

TEST_CASE("Saved run: JSON read back renders the same cells, findings and table", "[visual]") {
  const BenchReport& run = real_run();
  const std::string json = render(run, Format::Json);
  const BenchReport back = parse_bench_report(json, "run.json");
  const auto original = nlohmann::ordered_json::parse(json);
  const auto again = report::bench_to_json(back);
  CHECK(again["cells"] == original["cells"]);
  CHECK(again["findings"] == original["findings"]);
  CHECK(again["config"] == original["config"]);
  CHECK(again["context"]["start_time"] == original["context"]["start_time"]);
  for (const Format format : {Format::Table, Format::Markdown, Format::Csv})
    CHECK(render(back, format) == render(run, format));
}

TEST_CASE("Saved run: gil timelines travel in the JSON", "[visual]") {
  const BenchReport back = parse_bench_report(render(real_run(), Format::Json), "run.json");
  std::size_t gil_cells = 0;
  for (const auto& cell : back.cells) {
    if (cell.key.mode != Mode::Gil) continue;
    ++gil_cells;
    bool recorded = false;
    for (const auto& sample : cell.samples) recorded = recorded || !sample.gil_events.empty();
    CHECK(recorded);
  }
  CHECK(gil_cells == 4);
}

TEST_CASE("Saved run: bad input is a usage error naming the file", "[visual]") {
  CHECK_THROWS_AS(parse_bench_report("{not json", "x.json"), UsageError);
  CHECK_THROWS_AS(parse_bench_report("{\"cells\": []}", "x.json"), UsageError);
  CHECK_THROWS_AS(
      parse_bench_report(
          R"({"schema_version": "2.0", "context": {"tool": "conc-probe"}, "cells": []})", "x.json"),
      UsageError);
  try {
    (void)load_bench_report("/nonexistent/run.json");
    FAIL("no error");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what()).find("/nonexistent/run.json") != std::string::npos);
  }
}

TEST_CASE("Charts: a real run has speed-up, latency and one timeline per gil cell", "[visual]") {
  const auto charts = bench_charts(real_run());
  REQUIRE(find_chart(charts, "speedup") != nullptr);
  REQUIRE(find_chart(charts, "latency-sleep") != nullptr);
  CHECK(find_chart(charts, "latency-count") == nullptr);  // CPU-bound: no latencies
  std::size_t timelines = 0;
  for (const auto& chart : charts) {
    CHECK(chart.svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(chart.svg.ends_with("</svg>\n"));
    CHECK(count(chart.svg, "<g>") == count(chart.svg, "</g>"));
    if (chart.kind == "timeline") ++timelines;
  }
  CHECK(timelines == 4);
  const auto& speedup = find_chart(charts, "speedup")->svg;
  CHECK(speedup.find("class=\"ideal\"") != std::string::npos);
  CHECK(speedup.find("class=\"usable\"") != std::string::npos);
  // One interval bar group per cell with a speed-up: 2 workloads × 4 modes × 2 counts.
  CHECK(count(speedup, "class=\"point\"") == 16);
}

TEST_CASE("Charts: a timeline draws every thread its events name", "[visual]") {
  BenchReport r;
  CellResult cell;
  cell.key = CellKey{"convoy", Mode::Gil, 1, std::chrono::milliseconds(5), std::nullopt};
  Sample s;
  s.gil_events = {{0, GilEvent::Kind::Hold, 0, 4'000'000},
                  {1, GilEvent::Kind::Wait, 100'000, 4'000'000},
                  {1, GilEvent::Kind::Hold, 4'000'000, 4'100'000},
                  {1, GilEvent::Kind::Io, 4'100'000, 5'100'000}};
  cell.samples.push_back(s);
  r.cells.push_back(cell);
  const auto charts = bench_charts(r);
  REQUIRE(charts.size() == 1);
  CHECK(charts[0].svg.find(">thread 0<") != std::string::npos);
  CHECK(charts[0].svg.find(">thread 1 (IO)<") != std::string::npos);
  CHECK(count(charts[0].svg, "class=\"hold\"") == 2 + 1);  // two holds and the legend
}

TEST_CASE("HTML report: self-contained, escaped, every chart in a figure", "[visual]") {
  BenchReport r = real_run();
  r.findings.push_back({"cpu", "a <script>alert(1)</script> & more"});
  std::ostringstream page;
  write_html_report(page, r);
  const std::string html = page.str();
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more") != std::string::npos);
  CHECK(count(html, "http") == count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(count(html, "<figure class=\"chart\"") == bench_charts(r).size());
  CHECK(html.find("id=\"machine\"") != std::string::npos);
  for (const auto& [label, value] : machine_summary(r.platform))
    CHECK(html.find(label) != std::string::npos);
}

TEST_CASE("HTML report: an empty report is a valid page without charts", "[visual]") {
  std::ostringstream page;
  write_html_report(page, BenchReport{});
  CHECK(page.str().find("<figure") == std::string::npos);
  CHECK(page.str().ends_with("</html>\n"));
}
