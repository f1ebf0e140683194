#include "conc_probe/compare.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "conc_probe/error.hpp"
#include "conc_probe/random.hpp"
#include "conc_probe/stats.hpp"

namespace conc_probe {
namespace {

using nlohmann::json;

/// The id of a cell as compare matches it: workload/mode/workers[/interval].
std::string cell_id(const json& cell) {
  const json& key = cell.contains("key") ? cell.at("key") : cell;
  std::string id = key.at("workload").get<std::string>() + "/" + key.at("mode").get<std::string>() +
                   "/" + std::to_string(key.at("workers").get<unsigned>());
  const auto interval = key.find("switch_interval_seconds");
  if (interval != key.end() && !interval->is_null()) {
    std::ostringstream text;
    text << interval->get<double>() * 1e3 << "ms";
    id += "/" + text.str();
  }
  return id;
}

RunCell read_cell(const json& cell) {
  RunCell out;
  out.id = cell_id(cell);
  out.busy = cell.value("busy", false);
  out.failed = cell.value("failed", false);
  for (const auto& sample : cell.at("samples")) {
    if (sample.value("ok", true))
      out.wall_seconds.push_back(sample.at("wall_seconds").get<double>());
  }
  return out;
}

template <class T>
std::optional<T> optional_at(const json& object, const json::json_pointer& pointer) {
  if (!object.contains(pointer) || object.at(pointer).is_null()) return std::nullopt;
  return object.at(pointer).get<T>();
}

int schema_major(const json& document, const std::string& name) {
  const auto version = document.find("schema_version");
  if (version == document.end() || !version->is_string()) {
    throw UsageError("'" + name + "' is not conc-probe bench JSON (no schema_version)");
  }
  const std::string text = version->get<std::string>();
  try {
    return std::stoi(text.substr(0, text.find('.')));
  } catch (const std::exception&) {
    throw UsageError("'" + name + "' has a malformed schema_version '" + text + "'");
  }
}

}  // namespace

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::Faster:
      return "faster";
    case Verdict::Slower:
      return "slower";
    case Verdict::Unchanged:
      return "unchanged";
    case Verdict::Inconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

bool Comparison::has(Verdict verdict) const noexcept {
  return std::any_of(cells.begin(), cells.end(),
                     [verdict](const CellComparison& cell) { return cell.verdict == verdict; });
}

LoadedRun parse_run(std::string_view json_text, const std::string& name) {
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::exception& error) {  // parse errors, and numbers out of range ("1e999")
    throw UsageError("'" + name + "' is not valid JSON (" +
                     std::string(error.what()).substr(0, 120) + ")");
  }
  if (!document.is_object())
    throw UsageError("'" + name + "' is not conc-probe bench JSON (not an object)");
  LoadedRun run;
  run.path = name;
  run.schema_major = schema_major(document, name);
  if (run.schema_major > kBenchSchemaMajor) {
    throw UsageError("'" + name + "' has schema version " +
                     document.at("schema_version").get<std::string>() +
                     ", newer than this conc-probe reads (" + std::to_string(kBenchSchemaMajor) +
                     ".x); upgrade conc-probe");
  }
  try {
    if (document.at("/context/tool"_json_pointer).get<std::string>() != "conc-probe") {
      throw UsageError("'" + name + "' was not written by conc-probe");
    }
    run.version = document.at("/context/version"_json_pointer).get<std::string>();
    run.build_type = document.value("/context/build_type"_json_pointer, std::string());
    run.cpu_model =
        optional_at<std::string>(document, "/context/info/identity/model_name"_json_pointer);
    run.usable_cpus =
        optional_at<double>(document, "/context/info/cpu/usable_fraction"_json_pointer);
    run.hostname_hint =
        optional_at<std::string>(document, "/context/info/os/kernel_release"_json_pointer);
    for (const auto& cell : document.at("cells")) run.cells.push_back(read_cell(cell));
  } catch (const json::exception& error) {
    throw UsageError("'" + name + "' is not conc-probe bench JSON (" +
                     std::string(error.what()).substr(0, 120) + ")");
  }
  return run;
}

LoadedRun load_run(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw UsageError("cannot read '" + path.string() + "': " + ec.message());
  if (size == 0) throw UsageError("'" + path.string() + "' is empty");
  if (size > kMaxRunFileBytes)
    throw UsageError("'" + path.string() + "' is too large to be a conc-probe result");
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in) throw UsageError("cannot read '" + path.string() + "'");
  return parse_run(buffer.str(), path.string());
}

Ratio bootstrap_ratio(const std::vector<double>& base, const std::vector<double>& next,
                      const CompareOptions& options) {
  Ratio ratio;
  const double base_median = stats::median(base);
  if (base.empty() || next.empty() || base_median <= 0) return ratio;
  ratio.estimate = stats::median(next) / base_median;
  // Percentile bootstrap of the ratio of medians: resample each run with replacement. The
  // draws come from the project's own generator, so a seed gives the same interval with
  // every compiler and standard library.
  Xoshiro256 rng(options.seed);
  std::vector<double> ratios, resample_base(base.size()), resample_next(next.size());
  for (unsigned i = 0; i < options.resamples; ++i) {
    for (auto& value : resample_base) value = base[rng.below(base.size())];
    for (auto& value : resample_next) value = next[rng.below(next.size())];
    const double denominator = stats::median(resample_base);
    if (denominator > 0) ratios.push_back(stats::median(resample_next) / denominator);
  }
  const double tail = (1.0 - options.confidence) / 2.0 * 100.0;
  ratio.ci_low = stats::percentile(ratios, tail);
  ratio.ci_high = stats::percentile(ratios, 100.0 - tail);
  return ratio;
}

namespace {

CellComparison compare_cell(const RunCell& base, const RunCell& next,
                            const CompareOptions& options) {
  CellComparison out;
  out.id = base.id;
  out.base_median = stats::median(base.wall_seconds);
  out.new_median = stats::median(next.wall_seconds);
  out.ratio = bootstrap_ratio(base.wall_seconds, next.wall_seconds, options);
  const double upper = 1.0 + options.threshold;
  const double lower = 1.0 / upper;
  if (base.failed || next.failed) {
    out.reason = "a run failed";
  } else if (base.wall_seconds.size() < options.min_samples ||
             next.wall_seconds.size() < options.min_samples) {
    out.reason = "too few repetitions (need " + std::to_string(options.min_samples) + ")";
  } else if (base.busy || next.busy) {
    out.reason = "machine was busy";
  } else if (out.ratio.ci_low > upper) {
    out.verdict = Verdict::Slower;
  } else if (out.ratio.ci_high < lower) {
    out.verdict = Verdict::Faster;
  } else if (out.ratio.ci_low >= lower && out.ratio.ci_high <= upper) {
    out.verdict = Verdict::Unchanged;
  } else {
    out.reason = "interval overlaps the threshold";
  }
  return out;
}

void add_context_warnings(const LoadedRun& base, const LoadedRun& next, Comparison& comparison) {
  const auto warn_if = [&](bool differ, const std::string& what) {
    if (differ) comparison.warnings.push_back("the runs come from different " + what);
  };
  warn_if(base.cpu_model != next.cpu_model, "CPU models");
  warn_if(base.usable_cpus != next.usable_cpus, "usable CPU counts");
  warn_if(base.hostname_hint != next.hostname_hint, "kernels");
  warn_if(base.build_type != next.build_type, "build types");
  warn_if(base.version != next.version, "conc-probe versions");
}

}  // namespace

Comparison compare_runs(const LoadedRun& base, const LoadedRun& next,
                        const CompareOptions& options) {
  std::map<std::string, const RunCell*> next_cells;
  for (const auto& cell : next.cells) next_cells[cell.id] = &cell;
  std::set<std::string> base_ids;
  Comparison comparison;
  comparison.threshold = options.threshold;
  double log_sum = 0;
  std::size_t counted = 0;
  for (const auto& cell : base.cells) {
    base_ids.insert(cell.id);
    const auto match = next_cells.find(cell.id);
    if (match == next_cells.end()) {
      throw UsageError("cells do not match: '" + cell.id + "' is in '" + base.path +
                       "' but not in '" + next.path + "'");
    }
    comparison.cells.push_back(compare_cell(cell, *match->second, options));
    if (comparison.cells.back().ratio.estimate > 0) {
      log_sum += std::log(comparison.cells.back().ratio.estimate);
      ++counted;
    }
  }
  for (const auto& cell : next.cells) {
    if (base_ids.count(cell.id) == 0) {
      throw UsageError("cells do not match: '" + cell.id + "' is in '" + next.path +
                       "' but not in '" + base.path + "'");
    }
  }
  if (comparison.cells.empty()) throw UsageError("no cells to compare in '" + base.path + "'");
  if (counted > 0) comparison.geomean_ratio = std::exp(log_sum / static_cast<double>(counted));
  add_context_warnings(base, next, comparison);
  return comparison;
}

}  // namespace conc_probe
