// The markdown form of a bench report, for pull-request comments.
#include <algorithm>
#include <ostream>
#include <string>

#include "report/bench_format.hpp"
#include "report/bench_writers.hpp"

namespace conc_probe::report {
namespace {

/// Escapes the characters that would break a table cell.
std::string cell_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string notes(const CellResult& cell) {
  std::string out;
  for (const auto& mark : cell_marks(cell)) out += (out.empty() ? "" : ", ") + ("**" + mark + "**");
  return cell_text(out);
}

void write_cell(std::ostream& out, const CellResult& cell, bool data) {
  const bool has = cell.wall.n > 0;
  out << "| " << cell_text(cell.key.workload) << " | " << cell_mode_label(cell.key) << " | "
      << (has ? human_seconds(cell.wall.median) + " \xC2\xB1 " + human_seconds(cell.wall.mad) : "-")
      << " | " << (has ? human_rate(cell.throughput.median) : "-") << " | "
      << speedup_text(cell.speedup) << " | "
      << (cell.efficiency ? fixed(*cell.efficiency * 100, 0) + "%" : "-") << " | "
      << (has ? fixed(cell.cores_used.median, 2) : "-") << " | "
      << (data ? data_moved_text(cell) + " | " : "") << notes(cell) << " |\n";
}

}  // namespace

void write_bench_markdown(std::ostream& out, const BenchReport& report) {
  out << "### conc-probe bench\n\n";
  if (report.interrupted) out << "> **Interrupted**: partial results.\n\n";
  if (const auto quota = quota_text(report); !quota.empty()) out << "> " << quota << "\n\n";
  if (const auto lock = python_lock_text(report); !lock.empty()) out << "> " << lock << "\n\n";
  if (report.busy)
    out << "> **Busy machine**: other processes took CPU that some cells needed (marked with "
           "how much).\n\n";
  // The data column only for runs that move data (--input-size, --result-size).
  const bool data =
      std::any_of(report.cells.begin(), report.cells.end(),
                  [](const CellResult& cell) { return cell.bytes_copied.has_value(); });
  out << "| workload | mode | wall (median \xC2\xB1 MAD) | ops/s | speed-up ["
      << interval_label(report) << "] | efficiency | cores used | " << (data ? "data moved | " : "")
      << "notes |\n"
      << "|---|---|--:|--:|--:|--:|--:|" << (data ? "--:|" : "") << "---|\n";
  for (const auto& cell : report.cells) write_cell(out, cell, data);
  if (report.findings.empty()) return;
  out << "\n**Findings**\n\n";
  for (const auto& finding : report.findings) out << "- " << cell_text(finding.text) << '\n';
}

}  // namespace conc_probe::report
