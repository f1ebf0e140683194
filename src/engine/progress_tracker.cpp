#include "engine/progress_tracker.hpp"

#include <algorithm>

#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
  return static_cast<double>(std::max<std::int64_t>(0, to_ns - from_ns)) * 1e-9;
}

}  // namespace

ProgressTracker::ProgressTracker(const BenchConfig& config, std::int64_t start_ns)
    : config_(config), start_ns_(start_ns) {
  for (const auto& name : config.workloads)
    cells_per_workload_.push_back(cell_keys(config, name).size());
}

void ProgressTracker::begin_workload(std::size_t index, std::size_t cells,
                                     std::int64_t deadline_ns) {
  workload_ = index;
  if (index < cells_per_workload_.size()) cells_per_workload_[index] = cells;
  cells_.assign(cells, CellState{});
  deadline_ns_ = deadline_ns;
  calibration_pending_ = true;
  calibration_running_ = false;
}

RunProgress ProgressTracker::calibrating(std::int64_t now_ns) {
  calibration_start_ns_ = now_ns;
  calibration_running_ = true;
  RunProgress progress;
  progress.step = RunProgress::Step::Calibrating;
  if (workload_ < config_.workloads.size()) progress.cell.workload = config_.workloads[workload_];
  return make(progress, now_ns);
}

void ProgressTracker::calibrated(std::int64_t now_ns) {
  if (calibration_running_) calibration_seconds_ = seconds_between(calibration_start_ns_, now_ns);
  calibration_pending_ = calibration_running_ = false;
}

void ProgressTracker::extra_round(const std::vector<std::size_t>& cells) {
  for (auto& cell : cells_) cell.wanting = cell.pending_extra = false;
  for (const std::size_t i : cells)
    if (i < cells_.size()) cells_[i].wanting = cells_[i].pending_extra = true;
}

RunProgress ProgressTracker::starting(std::size_t cell, const CellKey& key, unsigned round,
                                      std::size_t samples, std::int64_t now_ns) {
  running_ = cell;
  running_since_ns_ = now_ns;
  RunProgress progress;
  progress.cell = key;
  const bool warmup = round < config_.warmup;
  progress.step = warmup ? RunProgress::Step::WarmUp : RunProgress::Step::Measuring;
  progress.repetition = warmup ? round + 1 : static_cast<unsigned>(samples) + 1;
  progress.repetitions = warmup ? config_.warmup : config_.repetitions;
  progress.max_repetitions =
      warmup ? config_.warmup : std::max(config_.repetitions, config_.max_repetitions);
  return make(progress, now_ns);
}

void ProgressTracker::finished(std::int64_t now_ns) {
  if (running_ >= cells_.size()) return;
  CellState& cell = cells_[running_];
  cell.seconds = seconds_between(running_since_ns_, now_ns);
  ++cell.runs;
  cell.pending_extra = false;
  observed_seconds_ += cell.seconds;
  ++observed_;
}

double ProgressTracker::guess_seconds() const {
  if (observed_ > 0) return observed_seconds_ / static_cast<double>(observed_);
  return static_cast<double>(config_.duration.count()) * 1e-9;
}

double ProgressTracker::cell_seconds(const CellState& cell) const {
  return cell.seconds >= 0 ? cell.seconds : guess_seconds();
}

double ProgressTracker::expected_left(std::int64_t now_ns) const {
  const unsigned rounds = config_.warmup + config_.repetitions;
  const double calibration = calibration_seconds_ >= 0 ? calibration_seconds_ : guess_seconds();
  double left = calibration_pending_ ? calibration : 0;
  double extra_now = 0;    // the rest of the current round of extra repetitions
  double extra_later = 0;  // later rounds, if every wide cell went on to the maximum
  for (const auto& cell : cells_) {
    const double seconds = cell_seconds(cell);
    if (cell.runs < rounds) left += (rounds - cell.runs) * seconds;
    if (!cell.wanting) continue;
    if (cell.pending_extra) extra_now += seconds;
    const unsigned after_round = (cell.runs > config_.warmup ? cell.runs - config_.warmup : 0) +
                                 (cell.pending_extra ? 1 : 0);
    if (config_.max_repetitions > after_round)
      extra_later += (config_.max_repetitions - after_round) * seconds;
  }
  left += extra_now + std::min(extra_later, seconds_between(now_ns, deadline_ns_));
  for (std::size_t w = workload_ + 1; w < cells_per_workload_.size(); ++w)
    left += calibration + static_cast<double>(cells_per_workload_[w] * rounds) * guess_seconds();
  return left;
}

RunProgress ProgressTracker::make(RunProgress progress, std::int64_t now_ns) {
  const double left = expected_left(now_ns);
  double at_most = left;
  if (config_.max_repetitions > config_.repetitions) {
    // Extra repetitions start until the budget is spent, and the last round finishes.
    double round = 0;
    for (const auto& cell : cells_) round += cell_seconds(cell);
    const double budget =
        seconds_between(now_ns, start_ns_ + static_cast<std::int64_t>(config_.max_time.count()));
    at_most = std::max(left, budget + round);
  }
  // Measured against the worst case, the share done jumps ahead when cells need no extra
  // repetitions, instead of stalling when they do.
  const double done = seconds_between(start_ns_, now_ns);
  if (done + at_most > 0) fraction_ = std::max(fraction_, done / (done + at_most));
  progress.fraction_done = std::min(fraction_, 1.0);
  progress.seconds_left = left;
  progress.seconds_left_at_most = at_most;
  return progress;
}

}  // namespace conc_probe::engine
