// The terminal table of a bench report: one aligned row per cell, findings at the end.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "report/bench_format.hpp"
#include "report/bench_writers.hpp"

namespace conc_probe::report {
namespace {

struct Column {
  const char* header;
  bool left;  ///< text columns align left, numbers right
};

constexpr Column kColumns[] = {
    {"workload", true},
    {"mode", true},
    {"wall", false},
    {"\xC2\xB1 MAD", false},
    {"ops/s", false},
    {"speedup [CI]", false},
    {"eff", false},
    {"cores", false},
    {"startup", false},
    {"ctx sw", false},
    {"latency p50/p95/p99", false},
    {"gil sw/s", false},
    {"gil hold", false},
    {"notes", true},
};
constexpr std::size_t kColumnCount = std::size(kColumns);

using Row = std::vector<std::string>;

/// Columns on a terminal: UTF-8 continuation bytes take no room.
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string latency_text(const CellResult& cell) {
  if (!cell.latency || cell.latency->count == 0) return "-";
  return human_seconds(cell.latency->p50) + " / " + human_seconds(cell.latency->p95) + " / " +
         human_seconds(cell.latency->p99);
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

Row cell_row(const CellResult& cell) {
  const bool has_samples = cell.wall.n > 0;
  return Row{cell.key.workload,
             cell_mode_label(cell.key),
             has_samples ? human_seconds(cell.wall.median) : "-",
             has_samples ? human_seconds(cell.wall.mad) : "-",
             has_samples ? human_rate(cell.throughput.median) : "-",
             speedup_text(cell.speedup),
             cell.efficiency ? fixed(*cell.efficiency * 100, 0) + "%" : "-",
             has_samples ? fixed(cell.cores_used.median, 2) : "-",
             has_samples ? human_seconds(cell.startup.median) : "-",
             has_samples ? fixed(cell.voluntary_switches + cell.involuntary_switches, 0) : "-",
             latency_text(cell),
             cell.gil ? fixed(cell.gil->switches_per_second, 0) : "-",
             cell.gil ? human_seconds(cell.gil->mean_hold_seconds) : "-",
             join(cell_marks(cell), ", ")};
}

std::vector<std::size_t> column_widths(const std::vector<Row>& rows) {
  std::vector<std::size_t> widths(kColumnCount, 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < kColumnCount; ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  return widths;
}

std::string paint(const std::string& text, const char* code, Style style) {
  if (!style.color || text.empty()) return text;
  return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
}

/// The colour of a row's notes: red for a failure, yellow for a busy machine.
const char* notes_colour(const std::string& notes) {
  return notes.find("FAILED") != std::string::npos || notes.find("CHECKSUM") != std::string::npos
             ? "31"
             : "33";
}

void write_row(std::ostream& out, const Row& row, const std::vector<std::size_t>& widths,
               Style style, bool header) {
  std::string line;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    const std::string pad(widths[i] - display_width(row[i]), ' ');
    std::string cell =
        kColumns[i].left ? row[i] + (i + 1 == kColumnCount ? "" : pad) : pad + row[i];
    if (header)
      cell = paint(cell, "1", style);
    else if (i + 1 == kColumnCount)
      cell = paint(cell, notes_colour(row[i]), style);
    line += (i == 0 ? "" : "  ") + cell;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out << line << '\n';
}

void write_preamble(std::ostream& out, const BenchReport& report) {
  out << "conc-probe bench: " << report.cells.size()
      << (report.cells.size() == 1 ? " cell, " : " cells, ") << repetitions_text(report)
      << " (median \xC2\xB1 MAD; speed-up vs single with the medians' " << interval_label(report)
      << ")\n";
  if (report.interrupted) out << "INTERRUPTED: the results below are partial.\n";
  if (const auto quota = quota_text(report); !quota.empty()) out << quota << '\n';
  if (report.busy)
    out << "BUSY: other processes took CPU that some cells needed (marked with how much); "
           "their figures may be off by about that much.\n";
  out << '\n';
}

void write_findings(std::ostream& out, const BenchReport& report, Style style) {
  if (report.findings.empty()) return;
  out << '\n' << paint("Findings", "1", style) << '\n';
  for (const auto& finding : report.findings) out << "  - " << finding.text << '\n';
}

}  // namespace

void write_bench_table(std::ostream& out, const BenchReport& report, Style style) {
  write_preamble(out, report);
  std::vector<Row> rows;
  rows.emplace_back();
  for (const auto& column : kColumns) rows.front().emplace_back(column.header);
  for (const auto& cell : report.cells) rows.push_back(cell_row(cell));
  const auto widths = column_widths(rows);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 1 && rows[i][0] != rows[i - 1][0]) out << '\n';  // a blank line between workloads
    write_row(out, rows[i], widths, style, i == 0);
  }
  write_findings(out, report, style);
}

}  // namespace conc_probe::report
