// The terminal table of a bench report: one aligned row per cell, findings at the end.
#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "report/bench_format.hpp"
#include "report/bench_writers.hpp"
#include "report/width.hpp"

namespace conc_probe::report {
namespace {

struct Column {
  const char* header;
  bool left;  ///< text columns align left, numbers right
  /// Left out, whatever the width, when no cell has a value (columns of options most runs
  /// do not use).
  bool sparse = false;
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
    {"loop lag p50/p99", false},
    {"peak rss / pss", false},
    {"data moved", false, true},
    {"faults", false, true},
    {"notes", true},
};
constexpr std::size_t kColumnCount = std::size(kColumns);

using Row = std::vector<std::string>;

std::string latency_text(const CellResult& cell, bool compact) {
  if (!cell.latency || cell.latency->count == 0) return "-";
  if (compact) {  // "1.08/1.10/1.43 ms" when the three share a unit
    const auto unit = [](const std::string& t) { return t.substr(t.find(' ') + 1); };
    const auto number = [](const std::string& t) { return t.substr(0, t.find(' ')); };
    const std::string p50 = human_seconds(cell.latency->p50),
                      p95 = human_seconds(cell.latency->p95),
                      p99 = human_seconds(cell.latency->p99);
    if (unit(p50) == unit(p95) && unit(p95) == unit(p99))
      return number(p50) + "/" + number(p95) + "/" + number(p99) + " " + unit(p99);
  }
  return human_seconds(cell.latency->p50) + " / " + human_seconds(cell.latency->p95) + " / " +
         human_seconds(cell.latency->p99);
}

std::string loop_lag_text(const CellResult& cell) {
  if (!cell.loop_lag || cell.loop_lag->count == 0) return "-";
  return human_seconds(cell.loop_lag->p50) + " / " + human_seconds(cell.loop_lag->p99);
}

std::string memory_text(const CellResult& cell) {
  if (!cell.peak_rss_bytes || !cell.pss_bytes) return "-";
  return human_bytes(*cell.peak_rss_bytes) + " / " + human_bytes(*cell.pss_bytes);
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : separator) + part;
  return out;
}

Row cell_row(const CellResult& cell, bool compact) {
  const bool has_samples = cell.wall.n > 0;
  return Row{cell.key.workload,
             cell_mode_label(cell.key),
             has_samples ? human_seconds(cell.wall.median) : "-",
             has_samples ? human_seconds(cell.wall.mad) : "-",
             has_samples ? human_rate(cell.throughput.median) : "-",
             speedup_text(cell.speedup),
             cell.efficiency ? fixed(*cell.efficiency * 100, 0) + "%" : "-",
             has_samples ? fixed(cell.cores_used.median, 2) : "-",
             startup_text(cell),
             has_samples ? fixed(cell.voluntary_switches + cell.involuntary_switches, 0) : "-",
             latency_text(cell, compact),
             cell.gil ? fixed(cell.gil->switches_per_second, 0) : "-",
             cell.gil ? human_seconds(cell.gil->mean_hold_seconds) : "-",
             loop_lag_text(cell),
             memory_text(cell),
             data_moved_text(cell),
             cell.minor_faults ? fixed(*cell.minor_faults, 0) : "-",
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
               Style style, bool header, const std::vector<bool>& shown) {
  std::string line;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    if (!shown[i]) continue;
    const std::string pad(widths[i] - display_width(row[i]), ' ');
    std::string cell =
        kColumns[i].left ? row[i] + (i + 1 == kColumnCount ? "" : pad) : pad + row[i];
    if (header)
      cell = paint(cell, "1", style);
    else if (i + 1 == kColumnCount)
      cell = paint(cell, notes_colour(row[i]), style);
    line += (line.empty() ? "" : "  ") + cell;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out << line << '\n';
}

/// `text` as lines of at most `width` columns (0: one line), each after `indent` (the first
/// after `first`).
void write_wrapped(std::ostream& out, const std::string& text, unsigned width,
                   const std::string& first = "", const std::string& indent = "") {
  const std::size_t room = width > first.size() + 10 ? width - first.size() : (width ? 10 : 0);
  const auto lines = wrap_text(text, room);
  for (std::size_t i = 0; i < lines.size(); ++i)
    out << (i == 0 ? first : indent) << lines[i] << '\n';
}

void write_preamble(std::ostream& out, const BenchReport& report, Style style) {
  write_wrapped(out,
                "conc-probe bench: " + std::to_string(report.cells.size()) +
                    (report.cells.size() == 1 ? " cell, " : " cells, ") + repetitions_text(report) +
                    " (median \xC2\xB1 MAD; speed-up vs single with the medians' " +
                    interval_label(report) + ")",
                style.width);
  if (report.interrupted) out << "INTERRUPTED: the results below are partial.\n";
  if (const auto quota = quota_text(report); !quota.empty()) write_wrapped(out, quota, style.width);
  if (const auto lock = python_lock_text(report); !lock.empty())
    write_wrapped(out, lock, style.width);
  if (report.busy)
    write_wrapped(out,
                  "BUSY: other processes took CPU that some cells needed (marked with how much); "
                  "their figures may be off by about that much.",
                  style.width);
  out << '\n';
}

void write_findings(std::ostream& out, const BenchReport& report, Style style) {
  if (report.findings.empty()) return;
  out << '\n' << paint("Findings", "1", style) << '\n';
  for (const auto& finding : report.findings)
    write_wrapped(out, finding.text, style.width, "  - ", "    ");
}

/// Columns left out first when a table is too wide: the least read first.
constexpr std::size_t kDropOrder[] = {16, 9, 14, 8, 3, 12, 4, 7, 6, 11, 10, 13, 15};
constexpr std::size_t kNotes = kColumnCount - 1;

std::size_t table_width(const std::vector<std::size_t>& widths, const std::vector<bool>& shown) {
  std::size_t total = 0, columns = 0;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (!shown[i]) continue;
    total += widths[i];
    ++columns;
  }
  return total + (columns > 0 ? 2 * (columns - 1) : 0);
}

/// Fits the table into `width` columns: drops columns where no cell has a value, moves the
/// notes under the table (as [1], [2], ... in the row) when they do not fit, then leaves out
/// the least read columns until the rest fits. Returns the moved notes.
std::vector<std::string> fit(std::vector<Row>& rows, std::vector<std::size_t>& widths,
                             std::vector<bool>& shown, std::size_t width) {
  for (std::size_t c = 2; c < kColumnCount; ++c) {
    shown[c] = shown[c] && std::any_of(rows.begin() + 1, rows.end(), [&](const Row& row) {
                 return row[c] != "-" && !row[c].empty();
               });
  }
  std::vector<std::string> notes;
  if (shown[kNotes] && table_width(widths, shown) > width) {
    for (std::size_t r = 1; r < rows.size(); ++r) {
      if (rows[r][kNotes].empty()) continue;
      notes.push_back(rows[r][0] + " " + rows[r][1] + ": " + rows[r][kNotes]);
      rows[r][kNotes] = "[" + std::to_string(notes.size()) + "]";
    }
    widths = column_widths(rows);
  }
  for (const std::size_t c : kDropOrder) {
    if (table_width(widths, shown) <= width) break;
    shown[c] = false;
  }
  return notes;
}

void write_notes(std::ostream& out, const std::vector<std::string>& notes, Style style) {
  if (notes.empty()) return;
  out << '\n' << paint("Notes", "1", style) << '\n';
  for (std::size_t i = 0; i < notes.size(); ++i) {
    const std::string mark = "  [" + std::to_string(i + 1) + "] ";
    write_wrapped(out, notes[i], style.width, mark, std::string(mark.size(), ' '));
  }
}

}  // namespace

void write_bench_table(std::ostream& out, const BenchReport& report, Style style) {
  write_preamble(out, report, style);
  std::vector<Row> rows;
  rows.emplace_back();
  for (const auto& column : kColumns) rows.front().emplace_back(column.header);
  for (const auto& cell : report.cells) rows.push_back(cell_row(cell, style.width > 0));
  auto widths = column_widths(rows);
  std::vector<bool> shown(kColumnCount, true);
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    shown[c] = !kColumns[c].sparse ||
               std::any_of(rows.begin() + 1, rows.end(),
                           [&](const Row& row) { return row[c] != "-" && !row[c].empty(); });
  }
  std::vector<std::string> notes;
  if (style.width > 0) notes = fit(rows, widths, shown, style.width);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 1 && rows[i][0] != rows[i - 1][0]) out << '\n';  // a blank line between workloads
    write_row(out, rows[i], widths, style, i == 0, shown);
  }
  write_notes(out, notes, style);
  write_findings(out, report, style);
}

}  // namespace conc_probe::report
