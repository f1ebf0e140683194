#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "conc_probe/platform.hpp"
#include "conc_probe/result.hpp"

namespace conc_probe {

enum class Format { Table, Json, Markdown, Csv };

/// Parses a format name; throws UsageError (with a suggestion) when unknown or not in
/// `allowed` (a comma-separated list such as "table,json").
Format parse_format(std::string_view name, std::string_view allowed);

/// How a terminal reporter may decorate its output.
struct Style {
  bool color = false;  ///< ANSI colour (only on a terminal, never with NO_COLOR)
  /// Columns the text reporters fit their lines into (0 = no limit): columns that say
  /// nothing are dropped, wide ones abbreviated or left out, text wrapped at word boundaries.
  unsigned width = 0;
};

/// Writes `conc-probe info` output.
void write_info(std::ostream& out, const PlatformReport& report, Format format, Style style = {});

/// Looks up one dotted key of the info JSON (e.g. "cpu.usable"); throws UsageError with a
/// suggestion for an unknown key. Scalars print bare (no quotes), null as "unknown".
std::string info_get(const PlatformReport& report, std::string_view key);

/// Writes a `conc-probe bench` report.
void write_bench(std::ostream& out, const BenchReport& report, Format format, Style style = {});

/// Writes the terminal timeline (who held the simulated lock, who waited, who was in IO) of
/// every `gil` cell that recorded one (bench --timeline), `width` columns wide.
void write_bench_timelines(std::ostream& out, const BenchReport& report, unsigned width = 100);

/// Writes every recorded `gil` cell's timeline as one Chrome trace-event JSON document
/// (one trace process per cell), which ui.perfetto.dev and chrome://tracing open.
void write_bench_trace(std::ostream& out, const BenchReport& report);

/// Writes `content` to `path` atomically (temporary file in the same directory, then
/// rename). Throws Error on failure, leaving no partial file.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// Throws UsageError unless a file can be created at `path` (checked before any work).
void check_writable(const std::filesystem::path& path);

}  // namespace conc_probe
