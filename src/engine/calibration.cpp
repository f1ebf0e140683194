#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "conc_probe/engine.hpp"
#include "engine/bench_parts.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

/// Seconds to run ops [0, count) once on this thread; throws when an op fails.
double time_ops(const Workload& workload, const WorkloadParams& params, DataView view,
                std::uint64_t count) {
  view.total_ops = count;
  const auto session = open_session(workload, params, 0, view);
  OpContext context;
  WorkerResult result;
  const std::int64_t start = monotonic_ns();
  run_ops(*session, context, OpRange{0, count}, 0, result);
  if (!result.ok) throw std::runtime_error("calibration: " + result.error);
  return static_cast<double>(monotonic_ns() - start) * 1e-9;
}

}  // namespace

std::uint64_t calibrate(const Workload& workload, const WorkloadParams& params,
                        std::chrono::nanoseconds duration, std::uint64_t input_size,
                        std::uint64_t result_size) {
  const double target = std::chrono::duration<double>(duration).count();
  // Time a fifth of the target (at least 10 ms) so that timer resolution does not matter.
  const double probe = std::max(0.010, target / 5);
  const auto input = input_size > 0 ? shared_input(input_size) : nullptr;
  DataView view;
  if (input) {
    view.input = input->data();
    view.input_size = input->size();
  }
  view.result_size = result_size;
  std::uint64_t count = 1;
  double elapsed = time_ops(workload, params, view, count);
  while (elapsed < probe && count < (std::uint64_t{1} << 40)) {
    const double growth = elapsed > 0 ? std::clamp(probe / elapsed * 1.2, 2.0, 10.0) : 10.0;
    count = static_cast<std::uint64_t>(static_cast<double>(count) * growth);
    elapsed = time_ops(workload, params, view, count);
  }
  // Once more at the final count: the first passes also paid for what only a first op pays
  // (a database's new rows and WAL pages, cold caches), which the measured cells, after
  // their warm-up round, do not. The faster of the two is the steady cost of an op. Not
  // when the last pass ran far past the probe (one op of a 15 s sleep): timing it again
  // would double a long calibration for nothing a single op could show.
  if (elapsed <= 4 * probe) elapsed = std::min(elapsed, time_ops(workload, params, view, count));
  const double per_op = elapsed / static_cast<double>(count);
  return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(target / per_op));
}

std::uint64_t balanced_total(std::uint64_t total, const std::vector<unsigned>& workers) {
  const std::uint64_t limit = total + total / 10;
  std::uint64_t multiple = 1;
  for (const unsigned count : workers) {
    if (count == 0) continue;
    const std::uint64_t c = count;
    const std::uint64_t reduced = multiple / std::gcd(multiple, c);
    if (reduced > limit / c) return total;  // the multiple would pass the limit (or overflow)
    multiple = reduced * c;
  }
  const std::uint64_t rounded = (total + multiple - 1) / multiple * multiple;
  return rounded <= limit ? rounded : total;
}

}  // namespace conc_probe::engine
