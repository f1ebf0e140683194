#pragma once

#include <string_view>
#include <vector>

/// The concurrency modes of `bench` and the ways process mode starts its workers: plain
/// vocabulary, included by the config, the results and every reporter.
namespace conc_probe {

enum class Mode { Single, Threads, Gil, Process, Async, Mpi };
enum class StartMethod { Fork, Spawn, Forkserver };

/// What every part of the tool needs to know about a mode, one row per mode in
/// `src/core/modes.cpp`: its name (parsing, help, reports), the sentence `list` prints, and
/// its colour in the charts. The executor that runs it is one line of
/// `src/engine/executor_factory.cpp`.
struct ModeInfo {
  Mode mode;
  std::string_view name;
  std::string_view description;
  std::string_view color;  ///< "#rrggbb", chosen to stay apart for colour-blind readers
};

/// How process mode starts its workers, one row per method in `src/core/modes.cpp`: its
/// name (--start-method, reports) and the sentence `conc-probe list` and the help print.
struct StartMethodInfo {
  StartMethod method;
  std::string_view name;
  std::string_view description;
};

/// Every start method, in the order `list` shows them.
const std::vector<StartMethodInfo>& start_method_catalog();

/// Every mode, in report order.
const std::vector<ModeInfo>& mode_catalog();
/// The catalog's row for `mode` (a row named "unknown" for a value missing from it).
const ModeInfo& mode_info(Mode mode) noexcept;

/// Returns the mode's name ("single", "threads", …).
std::string_view to_string(Mode mode) noexcept;
/// Returns the start method's name ("fork", "spawn", "forkserver").
std::string_view to_string(StartMethod method) noexcept;
/// Parses a mode name; throws UsageError with a suggestion when unknown.
Mode parse_mode(std::string_view name);
/// Parses a start method name; throws UsageError with a suggestion when unknown.
StartMethod parse_start_method(std::string_view name);
/// All modes, in report order.
const std::vector<Mode>& all_modes();

}  // namespace conc_probe
