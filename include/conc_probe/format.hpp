#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

/// The output formats of the reporters and how a terminal one may decorate its output.
namespace conc_probe {

enum class Format { Table, Json, Markdown, Csv };

/// One output format a subcommand offers: the name `--format` takes and the file extension
/// that chooses it for an output file ("" for none). Each subcommand has one table of them,
/// beside its writers' dispatch (bench_formats, info_formats, compare_formats in
/// reporter.hpp); parsing, help and the output file's format all read it.
struct FormatRow {
  Format format;
  std::string_view name;
  std::string_view extension;  ///< with its dot: ".json"
};
using FormatTable = std::span<const FormatRow>;

/// Parses a format name; throws UsageError (with a suggestion) when it is not in `formats`.
Format parse_format(std::string_view name, FormatTable formats);
/// The format whose extension `extension` (with its dot) is; nullopt when none is.
std::optional<Format> format_for_extension(std::string_view extension, FormatTable formats);
/// The names, joined: "table, json, markdown or csv" (`conjunction` "or") for help text.
std::string format_names(FormatTable formats, std::string_view conjunction = "or");

/// How a terminal reporter may decorate its output.
struct Style {
  bool color = false;  ///< ANSI colour (only on a terminal, never with NO_COLOR)
  /// Columns the text reporters fit their lines into (0 = no limit): columns that say
  /// nothing are dropped, wide ones abbreviated or left out, text wrapped at word boundaries.
  unsigned width = 0;
};

}  // namespace conc_probe
