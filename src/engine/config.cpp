#include "conc_probe/config.hpp"

#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe {
namespace {

/// Throws the usage error for an unknown name, with a suggestion when one is close.
[[noreturn]] void throw_unknown(std::string_view what, std::string_view name,
                                const std::vector<std::string>& candidates) {
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (auto hint = text::suggest(name, candidates)) {
    message += " (did you mean '" + *hint + "'?)";
  } else {
    message += " (choose from:";
    for (const auto& candidate : candidates) message += " " + candidate;
    message += ")";
  }
  throw UsageError(message);
}

}  // namespace

std::string_view to_string(StartMethod method) noexcept {
  switch (method) {
    case StartMethod::Fork:
      return "fork";
    case StartMethod::Spawn:
      return "spawn";
  }
  return "unknown";
}

StartMethod parse_start_method(std::string_view name) {
  const std::vector<std::string> names{"fork", "spawn"};
  if (name == "fork") return StartMethod::Fork;
  if (name == "spawn") return StartMethod::Spawn;
  throw_unknown("start method", name, names);
}

}  // namespace conc_probe
