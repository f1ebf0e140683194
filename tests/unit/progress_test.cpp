// The bench progress: how far a run is and how long is left (the tracker, with chosen
// times), and the one line a terminal shows for it.
#include "conc_probe/progress.hpp"

#include <chrono>
#include <string>

#include "engine/progress_tracker.hpp"
#include "report/width.hpp"
#include "support/catch.hpp"

using namespace conc_probe;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

/// count: single and threads×2 (2 cells), 1 warm-up and 2 measured repetitions each.
BenchConfig two_cells() {
  BenchConfig config;
  config.workloads = {"count"};
  config.modes = {Mode::Single, Mode::Threads};
  config.workers = {2};
  config.duration = std::chrono::seconds(1);
  config.warmup = 1;
  config.repetitions = 2;
  config.max_repetitions = 0;
  return config;
}

CellKey key(Mode mode, unsigned workers) {
  CellKey k;
  k.workload = "count";
  k.mode = mode;
  k.workers = workers;
  return k;
}

}  // namespace

TEST_CASE("Progress: fixed repetitions, each taking 1 s, count down to the last", "[progress]") {
  const BenchConfig config = two_cells();
  engine::ProgressTracker tracker(config, 0);
  tracker.begin_workload(0, 2, 100 * kSecond);
  const RunProgress calibrating = tracker.calibrating(0);
  CHECK(calibrating.step == RunProgress::Step::Calibrating);
  CHECK(calibrating.cell.workload == "count");
  CHECK(calibrating.fraction_done == 0);
  CHECK(calibrating.seconds_left == Approx(7));  // calibration + 6 repetitions, 1 s each
  tracker.calibrated(kSecond);
  // Round-robin: single, threads, single, threads, ... one second each.
  std::int64_t now = kSecond;
  RunProgress last;
  for (unsigned round = 0; round < 3; ++round) {
    for (std::size_t cell = 0; cell < 2; ++cell) {
      const auto k = cell == 0 ? key(Mode::Single, 1) : key(Mode::Threads, 2);
      last = tracker.starting(cell, k, round, round == 0 ? 0 : round - 1, now);
      const auto done = static_cast<double>(round * 2 + cell);
      CHECK(last.seconds_left == Approx(6 - done));
      CHECK(last.seconds_left_at_most == Approx(last.seconds_left));  // not adaptive
      CHECK(last.fraction_done == Approx((1 + done) / 7));
      now += kSecond;
      tracker.finished(now);
    }
  }
  CHECK(last.step == RunProgress::Step::Measuring);
  CHECK(last.repetition == 2);
  CHECK(last.repetitions == 2);
}

TEST_CASE("Progress: a cell's repetitions are expected to take what its last one took",
          "[progress]") {
  const BenchConfig config = two_cells();
  engine::ProgressTracker tracker(config, 0);
  tracker.begin_workload(0, 2, 100 * kSecond);
  tracker.calibrated(0);  // no calibration (a baseline's op counts)
  (void)tracker.starting(0, key(Mode::Single, 1), 0, 0, 0);
  tracker.finished(2 * kSecond);  // single: 2 s
  const RunProgress warm = tracker.starting(1, key(Mode::Threads, 2), 0, 0, 2 * kSecond);
  CHECK(warm.step == RunProgress::Step::WarmUp);
  CHECK(warm.repetition == 1);
  // threads not measured yet: the run's mean so far (2 s) × 3 + single's 2 × 2 s.
  CHECK(warm.seconds_left == Approx(10));
  tracker.finished(3 * kSecond);  // threads: 1 s
  const RunProgress next = tracker.starting(0, key(Mode::Single, 1), 1, 0, 3 * kSecond);
  CHECK(next.seconds_left == Approx(2 * 2 + 2 * 1));
}

TEST_CASE("Progress: adaptive runs name the worst case the time budget allows", "[progress]") {
  BenchConfig config = two_cells();
  config.max_repetitions = 30;
  config.max_time = std::chrono::seconds(20);
  engine::ProgressTracker tracker(config, 0);
  tracker.begin_workload(0, 2, 20 * kSecond);
  tracker.calibrated(0);
  std::int64_t now = 0;
  for (unsigned round = 0; round < 3; ++round) {
    for (std::size_t cell = 0; cell < 2; ++cell) {
      (void)tracker.starting(cell, key(cell == 0 ? Mode::Single : Mode::Threads, 2), round, 0, now);
      now += kSecond;
      tracker.finished(now);
    }
  }
  // Both cells still wide at 6 s: extra rounds, bounded by the 20 s budget.
  tracker.extra_round({0, 1});
  const RunProgress extra = tracker.starting(0, key(Mode::Single, 1), 3, 2, now);
  CHECK(extra.repetition == 3);
  CHECK(extra.max_repetitions == 30);
  // This round's 2 s, then at most 14 s before the deadline.
  CHECK(extra.seconds_left == Approx(2 + 14));
  CHECK(extra.seconds_left_at_most == Approx(14 + 2));
  CHECK(extra.fraction_done == Approx(6.0 / 22));
  // Fewer wide cells later: the expectation shrinks, the fraction does not fall.
  tracker.finished(now + kSecond);
  tracker.extra_round({1});
  const RunProgress later = tracker.starting(1, key(Mode::Threads, 2), 4, 3, now + 2 * kSecond);
  CHECK(later.seconds_left < extra.seconds_left);
  CHECK(later.fraction_done >= extra.fraction_done);
}

TEST_CASE("Progress: the line names the cell as the table does and fits the width", "[progress]") {
  RunProgress p;
  p.step = RunProgress::Step::Measuring;
  p.cell = key(Mode::Gil, 2);
  p.cell.switch_interval = std::chrono::milliseconds(5);
  p.repetition = 3;
  p.repetitions = 6;
  p.max_repetitions = 30;
  p.fraction_done = 0.427;
  p.seconds_left = 11.2;
  p.seconds_left_at_most = 21;
  const std::string line = progress_text(p, 0);
  CHECK(line ==
        "42% \xC2\xB7 0:12 left (at most 0:21) \xC2\xB7 count gil\xC3\x97"
        "2 @5ms \xC2\xB7 rep 3/6");
  for (const std::size_t width : {60U, 40U, 20U}) {
    const std::string fitted = progress_text(p, width);
    CHECK(report::display_width(fitted) <= width);
    CHECK(fitted.starts_with("42% \xC2\xB7 0:12 left"));
  }
  CHECK(progress_text(p, 50).find("at most") == std::string::npos);
  p.repetition = 8;
  CHECK(progress_text(p, 0).ends_with("rep 8 (extra, up to 30)"));
  p.seconds_left_at_most = p.seconds_left;
  CHECK(progress_text(p, 0).find("at most") == std::string::npos);
  p.step = RunProgress::Step::Calibrating;
  p.seconds_left = 3725;
  CHECK(progress_text(p, 0) == "42% \xC2\xB7 1:02:05 left \xC2\xB7 calibrating count");
}
