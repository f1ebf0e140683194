#pragma once

#include <string_view>
#include <vector>

/// The concurrency modes of `bench` and the ways process mode starts its workers: plain
/// vocabulary, included by the config, the results and every reporter.
namespace conc_probe {

enum class Mode { Single, Threads, Gil, Process, Mpi };
enum class StartMethod { Fork, Spawn };

/// Returns "single", "threads", "gil", "process" or "mpi".
std::string_view to_string(Mode mode) noexcept;
/// Returns "fork" or "spawn".
std::string_view to_string(StartMethod method) noexcept;
/// Parses a mode name; throws UsageError with a suggestion when unknown.
Mode parse_mode(std::string_view name);
/// Parses a start method name ("fork", "spawn"); throws UsageError when unknown.
StartMethod parse_start_method(std::string_view name);
/// All modes, in report order.
const std::vector<Mode>& all_modes();

}  // namespace conc_probe
