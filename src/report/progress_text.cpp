// The one-line progress display of a running bench, named as the table names cells.
#include <cmath>
#include <string>

#include "conc_probe/progress.hpp"
#include "report/bench_format.hpp"
#include "report/width.hpp"

namespace conc_probe {
namespace {

/// "0:07", "12:30", "1:02:03": seconds rounded up, so "0:00" means done.
std::string clock_text(double seconds) {
  const auto total = static_cast<long long>(std::ceil(std::max(0.0, seconds)));
  const long long hours = total / 3600;
  const long long minutes = (total / 60) % 60;
  const long long secs = total % 60;
  const auto two = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  if (hours > 0) return std::to_string(hours) + ":" + two(minutes) + ":" + two(secs);
  return std::to_string(minutes) + ":" + two(secs);
}

std::string step_text(const RunProgress& p) {
  switch (p.step) {
    case RunProgress::Step::Calibrating:
      return "calibrating " + p.cell.workload;
    case RunProgress::Step::WarmUp:
      return p.cell.workload + " " + report::cell_mode_label(p.cell) + " \xC2\xB7 warm-up " +
             std::to_string(p.repetition) + "/" + std::to_string(p.repetitions);
    case RunProgress::Step::Measuring:
      break;
  }
  std::string text = p.cell.workload + " " + report::cell_mode_label(p.cell) + " \xC2\xB7 rep " +
                     std::to_string(p.repetition);
  if (p.repetition <= p.repetitions) return text + "/" + std::to_string(p.repetitions);
  return text + " (extra, up to " + std::to_string(p.max_repetitions) + ")";
}

}  // namespace

std::string progress_text(const RunProgress& progress, std::size_t width) {
  const auto percent = static_cast<int>(std::floor(std::min(1.0, progress.fraction_done) * 100));
  const std::string head =
      std::to_string(percent) + "% \xC2\xB7 " + clock_text(progress.seconds_left) + " left";
  // The worst case is worth a mention only when it differs from the expectation.
  const double spread = progress.seconds_left_at_most - progress.seconds_left;
  const std::string at_most = spread > std::max(1.0, progress.seconds_left * 0.1)
                                  ? " (at most " + clock_text(progress.seconds_left_at_most) + ")"
                                  : "";
  const std::string tail = " \xC2\xB7 " + step_text(progress);
  std::string line = head + at_most + tail;
  if (width == 0 || report::display_width(line) <= width) return line;
  line = head + tail;
  return report::abbreviate(line, width);
}

}  // namespace conc_probe
