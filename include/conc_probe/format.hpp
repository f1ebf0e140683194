#pragma once

#include <string_view>

/// The output formats of the reporters and how a terminal one may decorate its output.
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

}  // namespace conc_probe
