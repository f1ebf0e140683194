#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// Text that fits a terminal: display widths, wrapping at word boundaries, abbreviation.
namespace conc_probe::report {

/// Columns `text` takes on a terminal: one per UTF-8 character (continuation bytes take
/// none); ANSI escape sequences take none.
std::size_t display_width(std::string_view text);

/// Lines of at most `width` columns, broken at spaces (which are dropped); a word wider than
/// `width` is broken after a '/', ',' or '-' inside it if it can be, else cut. `width` 0
/// means no limit (one line). Never returns an empty vector.
std::vector<std::string> wrap_text(std::string_view text, std::size_t width);

/// `text` if it fits in `width` columns, else its start and "…" in exactly `width`.
std::string abbreviate(std::string_view text, std::size_t width);

}  // namespace conc_probe::report
