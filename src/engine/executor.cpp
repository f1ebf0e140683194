#include "engine/executor.hpp"

#include <algorithm>

namespace conc_probe::engine {

OpRange worker_range(std::uint64_t total_ops, unsigned workers, unsigned worker) noexcept {
  if (workers == 0) return {};
  // floor(w * total / n) = w * (total / n) + floor(w * (total % n) / n): no overflow.
  const auto bound = [&](std::uint64_t w) {
    return w * (total_ops / workers) + w * (total_ops % workers) / workers;
  };
  return OpRange{bound(worker), bound(std::uint64_t{worker} + 1)};
}

DataView in_place_view(const ExecutionPlan& plan) noexcept {
  DataView view;
  if (plan.input) {
    view.input = plan.input->data();
    view.input_size = plan.input->size();
  }
  view.total_ops = plan.total_ops;
  view.result_size = plan.result_size;
  return view;
}

std::uint64_t latency_stride(const ExecutionPlan& plan) noexcept {
  if (!plan.record_latency) return 0;
  return std::max<std::uint64_t>(1, (plan.total_ops + kMaxLatencies - 1) / kMaxLatencies);
}

}  // namespace conc_probe::engine
