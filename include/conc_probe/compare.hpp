#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "conc_probe/reporter.hpp"
#include "conc_probe/result.hpp"

/// `conc-probe compare`: two bench JSON runs → a verdict per cell (method in docs/ci.md).
namespace conc_probe {

enum class Verdict { Faster, Slower, Unchanged, Inconclusive };

std::string_view to_string(Verdict verdict) noexcept;

/// One cell of a loaded run: its identity and, per successful repetition, its wall time,
/// time per op and the share of its need that others took (0 where unknown).
struct RunCell {
  std::string id;  ///< "primes/threads/2" (+ "/5ms" for gil cells)
  std::vector<double> wall_seconds;
  std::vector<double> seconds_per_op;
  std::vector<double> taken_fraction;
  std::uint64_t total_ops = 0;  ///< ops per repetition (the first one's for time-bounded cells)
  bool busy = false;
  bool failed = false;
};

/// What compare needs of a bench JSON file.
struct LoadedRun {
  std::string path;
  int schema_major = 0;
  std::string version;
  std::string build_type;
  std::optional<std::string> cpu_model;
  std::optional<double> usable_cpus;
  std::optional<std::string> hostname_hint;  ///< kernel release, to tell machines apart
  std::vector<RunCell> cells;
};

/// The id compare matches a cell by: "primes/threads/2", "count/gil/2/5ms".
std::string cell_id(const CellKey& key);

/// The largest result file compare reads (a bigger one is refused, exit 2).
inline constexpr std::uintmax_t kMaxRunFileBytes = 256ULL << 20;
/// The schema major version this binary writes and reads.
inline constexpr int kBenchSchemaMajor = 1;

/// Reads a bench JSON file. Throws UsageError for a missing, empty, unreadable, huge or
/// malformed file, a file that is not conc-probe bench JSON, or a newer schema major.
LoadedRun load_run(const std::filesystem::path& path);
/// Same, from text already in memory (`name` is used in messages).
LoadedRun parse_run(std::string_view json_text, const std::string& name);

struct CompareOptions {
  double threshold = 0.10;   ///< relative change that matters (0.10 = 10%)
  double confidence = 0.95;  ///< of the bootstrap interval
  std::size_t min_samples = 3;
  unsigned resamples = 2000;
  std::uint64_t seed = 42;
};

struct CellComparison {
  std::string id;
  Verdict verdict = Verdict::Inconclusive;
  std::string reason;      ///< why inconclusive, or ""
  double base_median = 0;  ///< seconds per op, median
  double new_median = 0;
  /// New time per op / base time per op (> 1 is slower), bootstrap interval.
  Ratio ratio;
  /// The same with each repetition's time credited with what others took from it: the
  /// change that interference cannot explain.
  Ratio credited;
  /// The interval the verdict rests on: the hull of `ratio`'s and `credited`'s.
  Ratio decided;
  std::vector<std::string> notes;  ///< "the runs did different amounts of work ..."
};

struct Comparison {
  std::vector<CellComparison> cells;
  std::optional<double> geomean_ratio;  ///< over cells with a verdict other than failed
  std::vector<std::string> warnings;    ///< different machine, CPU count, build, version
  double threshold = 0.10;
  [[nodiscard]] bool has(Verdict verdict) const noexcept;
};

/// Ratio of medians with a percentile bootstrap interval (deterministic for a seed, the same
/// on every platform).
Ratio bootstrap_ratio(const std::vector<double>& base, const std::vector<double>& next,
                      const CompareOptions& options);

/// The verdict on per-op times (docs/ci.md, "How compare decides"): slower or faster only
/// when the whole interval — raw and credited with the measured interference — lies beyond
/// the threshold; unchanged when it lies within; otherwise inconclusive, with the reason.
/// Throws UsageError when the runs' cells do not match.
Comparison compare_runs(const LoadedRun& base, const LoadedRun& next,
                        const CompareOptions& options);

/// Writes the comparison as a table, markdown (for a pull-request comment) or JSON.
/// The formats of `conc-probe compare`: table, markdown (for a pull request), json.
FormatTable compare_formats();

void write_comparison(std::ostream& out, const Comparison& comparison, Format format,
                      Style style = {});

}  // namespace conc_probe
