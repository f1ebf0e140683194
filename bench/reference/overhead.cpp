// Engine overhead per op: runs the same ops of a workload in a bare loop (no executor, no
// timing, no stop checks) and prints the time per op, to set beside conc-probe's single cell.
// One untimed pass warms caches and page tables as conc-probe's warm-up does; then REPS timed
// passes, reported as their fastest and their median.
// Built by bench/harness_accuracy.py against the release build's libraries.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "conc_probe/op_context.hpp"
#include "conc_probe/workload.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: overhead WORKLOAD OPS REPS\n");
    return 2;
  }
  conc_probe::WorkloadParams params;
  params.name = argv[1];
  const std::uint64_t ops = std::strtoull(argv[2], nullptr, 10);
  const int reps = std::max(1, std::atoi(argv[3]));
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  auto session = workload->open_worker(params, 0);
  conc_probe::OpContext context;
  std::uint64_t checksum = 0;
  std::vector<double> per_op;
  for (int pass = 0; pass <= reps; ++pass) {
    checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t i = 0; i < ops; ++i) checksum += session->run_op(i, context);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (pass > 0) per_op.push_back(seconds / static_cast<double>(ops));
  }
  session.reset();
  workload->stop_shared();
  std::sort(per_op.begin(), per_op.end());
  std::printf(
      "{\"workload\": \"%s\", \"ops\": %llu, \"min_seconds_per_op\": %.12f, "
      "\"median_seconds_per_op\": %.12f, \"checksum\": \"%llx\"}\n",
      argv[1], static_cast<unsigned long long>(ops), per_op.front(), per_op[per_op.size() / 2],
      static_cast<unsigned long long>(checksum));
}
