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

std::string_view to_string(Mode mode) noexcept {
  switch (mode) {
    case Mode::Single:
      return "single";
    case Mode::Threads:
      return "threads";
    case Mode::Gil:
      return "gil";
    case Mode::Process:
      return "process";
    case Mode::Mpi:
      return "mpi";
  }
  return "unknown";
}

std::string_view to_string(StartMethod method) noexcept {
  switch (method) {
    case StartMethod::Fork:
      return "fork";
    case StartMethod::Spawn:
      return "spawn";
  }
  return "unknown";
}

const std::vector<Mode>& all_modes() {
  static const std::vector<Mode> kModes{Mode::Single, Mode::Threads, Mode::Gil, Mode::Process,
                                        Mode::Mpi};
  return kModes;
}

Mode parse_mode(std::string_view name) {
  std::vector<std::string> names;
  for (const Mode mode : all_modes()) {
    if (to_string(mode) == name) return mode;
    names.emplace_back(to_string(mode));
  }
  throw_unknown("mode", name, names);
}

StartMethod parse_start_method(std::string_view name) {
  const std::vector<std::string> names{"fork", "spawn"};
  if (name == "fork") return StartMethod::Fork;
  if (name == "spawn") return StartMethod::Spawn;
  throw_unknown("start method", name, names);
}

}  // namespace conc_probe
