#pragma once

#include <functional>
#include <string>

#include "conc_probe/config.hpp"
#include "conc_probe/progress.hpp"
#include "conc_probe/result.hpp"
#include "conc_probe/stop.hpp"

namespace conc_probe {

/// Callbacks of a running bench; all optional. Called on the engine's thread.
struct EngineObserver {
  /// What is about to run and how far the run is, before every calibration and repetition.
  std::function<void(const RunProgress&)> progress;
  /// A cell finished (all its repetitions); the report so far is passed for `-o` rewrites.
  std::function<void(const BenchReport&)> cell_finished;
};

/// Runs the whole matrix of `config` and returns the report. Interleaves repetitions across
/// cells, calibrates the op count so a single cell takes about config.duration, checks
/// checksums, reads noise from /proc/stat. A failing cell is recorded, not thrown; throws
/// UsageError only for invalid configurations. Stops early (report.interrupted) when
/// stop_requested() turns true (conc_probe/stop.hpp).
BenchReport run_bench(const BenchConfig& config, const EngineObserver& observer = {});

/// Entry point of a re-executed worker process (`conc-probe __worker ...`, start method
/// spawn). `args` are the arguments after the hidden subcommand name. Returns the exit code.
int run_spawned_worker(const std::vector<std::string>& args);

/// Entry point of start method forkserver's server (`conc-probe __forkserver ...`): forks
/// workers on request until the parent closes its socket. Returns the exit code.
int run_fork_server(const std::vector<std::string>& args);

}  // namespace conc_probe
