#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe {
namespace {

constexpr std::array<std::pair<std::string_view, Format>, 4> kFormats{{
    {"table", Format::Table},
    {"json", Format::Json},
    {"markdown", Format::Markdown},
    {"csv", Format::Csv},
}};

}  // namespace

Format parse_format(std::string_view name, std::string_view allowed) {
  std::vector<std::string> choices;
  for (const auto word : text::split(allowed, ',')) choices.emplace_back(text::trim(word));
  for (const auto& [known, format] : kFormats) {
    if (name == known && std::find(choices.begin(), choices.end(), known) != choices.end())
      return format;
  }
  std::string message = "unknown format '" + std::string(name) + "'";
  if (const auto hint = text::suggest(name, choices)) message += " (did you mean '" + *hint + "'?)";
  message += "; choose one of: " + std::string(allowed);
  throw UsageError(message);
}

}  // namespace conc_probe
