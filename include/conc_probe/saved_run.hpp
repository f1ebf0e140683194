#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "conc_probe/result.hpp"

/// A bench run saved as JSON (`bench --format json` or `-o run.json`), read back into the
/// report it was made from, so that `show` and `report` render it as if it had just run.
namespace conc_probe {

/// Rebuilds the report from bench JSON text: cells with their samples (and recorded gil
/// timelines), summaries, findings, the configuration and the platform facts the reporters
/// show. Fields a reporter does not need (the info report's sources, caches, ...) are not
/// restored. Throws UsageError (naming `name`) when the text is not conc-probe bench JSON
/// or has a newer schema major version.
BenchReport parse_bench_report(std::string_view json_text, const std::string& name);

/// Reads and parses a file. Throws UsageError for a missing, unreadable, empty or too large
/// file (the limit is kMaxRunFileBytes of compare.hpp), and as parse_bench_report.
BenchReport load_bench_report(const std::filesystem::path& path);

}  // namespace conc_probe
