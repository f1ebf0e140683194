#include <algorithm>
#include <string>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe {

Format parse_format(std::string_view name, FormatTable formats) {
  std::vector<std::string> choices;
  for (const FormatRow& row : formats) {
    if (row.name == name) return row.format;
    choices.emplace_back(row.name);
  }
  std::string message = "unknown format '" + std::string(name) + "'";
  if (const auto hint = text::suggest(name, choices)) message += " (did you mean '" + *hint + "'?)";
  message += "; choose one of: " + format_names(formats);
  throw UsageError(message);
}

std::optional<Format> format_for_extension(std::string_view extension, FormatTable formats) {
  for (const FormatRow& row : formats) {
    if (!row.extension.empty() && row.extension == extension) return row.format;
  }
  return std::nullopt;
}

std::string format_names(FormatTable formats, std::string_view conjunction) {
  std::string out;
  for (std::size_t i = 0; i < formats.size(); ++i) {
    if (i > 0 && i + 1 == formats.size()) {
      out += ' ';
      out += conjunction;
      out += ' ';
    } else if (i > 0) {
      out += ", ";
    }
    out += formats[i].name;
  }
  return out;
}

}  // namespace conc_probe
