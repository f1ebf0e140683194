// The HTML report: one self-contained page (inline CSS and SVG, no script, nothing fetched).
#include <fmt/format.h>

#include <cctype>
#include <ostream>
#include <sstream>

#include "conc_probe/build_info.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/visual.hpp"
#include "visual/chart_parts.hpp"
#include "visual/svg.hpp"

namespace conc_probe {
namespace visual {

std::string_view mode_color(Mode mode) noexcept { return mode_info(mode).color; }

std::string slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool plain = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (plain) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

namespace {

constexpr const char* kPageStyle =
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
    "h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "table.machine td{padding:2px 12px 2px 0;vertical-align:top}"
    "table.machine td:first-child{color:#555}"
    "figure{margin:1em 0}figcaption{color:#555;font-size:.9em}"
    "svg{max-width:100%;height:auto}"
    "pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}"
    "li{margin:.3em 0}";

void write_machine(std::ostream& out, const PlatformReport& platform) {
  out << "<section id=\"machine\"><h2>Machine</h2>\n<table class=\"machine\">\n";
  for (const auto& [label, value] : machine_summary(platform)) {
    out << "<tr><td>" << visual::escape_xml(label) << "</td><td>" << visual::escape_xml(value)
        << "</td></tr>\n";
  }
  out << "</table></section>\n";
}

void write_findings(std::ostream& out, const BenchReport& report) {
  out << "<section id=\"findings\"><h2>Findings</h2>\n";
  if (report.findings.empty())
    out << "<p>No findings.</p>\n";
  else
    out << "<ul>\n";
  for (const auto& f : report.findings)
    out << "<li><b>" << visual::escape_xml(f.topic) << ":</b> " << visual::escape_xml(f.text)
        << "</li>\n";
  if (!report.findings.empty()) out << "</ul>\n";
  out << "</section>\n";
}

void write_charts(std::ostream& out, const std::vector<Chart>& charts, std::string_view kind,
                  std::string_view heading) {
  bool opened = false;
  for (const auto& chart : charts) {
    if (chart.kind != kind) continue;
    if (!opened) out << "<section id=\"" << kind << "\"><h2>" << heading << "</h2>\n";
    opened = true;
    out << "<figure class=\"chart\" id=\"" << chart.id << "\" data-kind=\"" << chart.kind << "\">\n"
        << chart.svg << "<figcaption>" << visual::escape_xml(chart.title)
        << "</figcaption></figure>\n";
  }
  if (opened) out << "</section>\n";
}

void write_cells(std::ostream& out, const BenchReport& report) {
  std::ostringstream table;
  write_bench(table, report, Format::Table, Style{});
  out << "<section id=\"cells\"><h2>Cells</h2>\n<pre>" << visual::escape_xml(table.str())
      << "</pre></section>\n";
}

}  // namespace
}  // namespace visual

std::vector<std::pair<std::string, std::string>> machine_summary(const PlatformReport& p) {
  std::vector<std::pair<std::string, std::string>> rows;
  const auto add = [&](const char* label, const std::optional<std::string>& value) {
    if (value && !value->empty()) rows.emplace_back(label, *value);
  };
  add("CPU", p.identity.model_name);
  if (p.cpu.usable) {
    std::string usable = std::to_string(*p.cpu.usable);
    if (p.cpu.usable_fraction && *p.cpu.usable_fraction != *p.cpu.usable)
      usable += fmt::format(" ({:g} CPUs of capacity)", *p.cpu.usable_fraction);
    rows.emplace_back("Usable CPUs", usable);
  }
  if (p.topology.logical_cpus) {
    std::string text = std::to_string(*p.topology.logical_cpus) + " logical";
    if (p.topology.cores)
      text += fmt::format(", {} core{}", *p.topology.cores, *p.topology.cores == 1 ? "" : "s");
    if (p.topology.packages) {
      text +=
          fmt::format(", {} package{}", *p.topology.packages, *p.topology.packages == 1 ? "" : "s");
    }
    rows.emplace_back("Topology", text);
  }
  if (p.cpu.cgroup_quota)
    rows.emplace_back("CPU quota", fmt::format("{:g} CPUs", *p.cpu.cgroup_quota));
  add("Architecture", p.identity.machine);
  add("OS", p.os.distribution ? p.os.distribution : p.os.system);
  add("Kernel", p.os.kernel_release);
  add("Hypervisor", p.virtualization.hypervisor);
  add("Container", p.virtualization.container);
  if (p.memory.total_bytes)
    rows.emplace_back(
        "Memory", fmt::format("{:.1f} GiB",
                              static_cast<double>(*p.memory.total_bytes) / (1024.0 * 1024 * 1024)));
  return rows;
}

std::vector<Chart> bench_charts(const BenchReport& report) {
  std::vector<Chart> charts;
  if (auto speedup = visual::speedup_chart(report)) charts.push_back(std::move(*speedup));
  for (auto& chart : visual::latency_charts(report)) charts.push_back(std::move(chart));
  for (auto& chart : visual::timeline_charts(report)) charts.push_back(std::move(chart));
  return charts;
}

void write_html_report(std::ostream& out, const BenchReport& report) {
  const auto charts = bench_charts(report);
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>conc-probe bench report</title>\n<style>" << visual::kPageStyle
      << "</style></head>\n<body>\n<h1>conc-probe bench report</h1>\n<p class=\"context\">"
      << visual::escape_xml(report.start_time) << " \xC2\xB7 conc-probe "
      << visual::escape_xml(std::string(build_info().version)) << "</p>\n";
  visual::write_machine(out, report.platform);
  visual::write_charts(out, charts, "speedup", "Speed-up");
  visual::write_charts(out, charts, "latency", "Latency");
  visual::write_charts(out, charts, "timeline", "Lock timelines");
  visual::write_findings(out, report);
  visual::write_cells(out, report);
  out << "</body></html>\n";
}

}  // namespace conc_probe
