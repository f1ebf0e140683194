// Engine overhead per op: runs the same ops of a workload in a bare loop (no executor, no
// timing, no stop checks) and prints the time per op, to set beside conc-probe's single cell.
// Built by bench/harness_accuracy.py against the release build's libraries.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "conc_probe/op_context.hpp"
#include "conc_probe/workload.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: overhead WORKLOAD OPS\n");
    return 2;
  }
  conc_probe::WorkloadParams params;
  params.name = argv[1];
  const std::uint64_t ops = std::strtoull(argv[2], nullptr, 10);
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  auto session = workload->open_worker(params, 0);
  conc_probe::OpContext context;
  std::uint64_t checksum = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < ops; ++i) checksum += session->run_op(i, context);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  session.reset();
  workload->stop_shared();
  std::printf("{\"workload\": \"%s\", \"ops\": %llu, \"seconds_per_op\": %.12f, \"checksum\": \"%llx\"}\n",
              argv[1], static_cast<unsigned long long>(ops), seconds / static_cast<double>(ops),
              static_cast<unsigned long long>(checksum));
}
