// The engine's own cost per op: conc-probe's worker loop (engine::run_ops: stop check,
// latency sampling, checksum folding, op count) over an op that does almost nothing, against
// a bare loop over the same op. The difference is what the engine adds to every op, whatever
// the op; bench/harness_accuracy.py sets it beside the cost of the default workloads' ops.
// Built by bench/harness_accuracy.py against the release build's libraries.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "conc_probe/op_context.hpp"
#include "conc_probe/workload.hpp"
#include "engine/worker_loop.hpp"

namespace {

// An op of a few instructions, opaque to the optimizer (virtual, and its result is used).
class TinySession final : public conc_probe::WorkerSession {
 public:
  std::uint64_t run_op(std::uint64_t index, conc_probe::OpContext&) override {
    return (index ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
  }
};

template <class F>
double best_seconds_per_op(std::uint64_t ops, int passes, F&& pass) {
  double best = 1e9;
  for (int i = 0; i <= passes; ++i) {  // the first pass warms up and is not counted
    const auto start = std::chrono::steady_clock::now();
    pass();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (i > 0) best = std::min(best, seconds / static_cast<double>(ops));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t ops = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
  const int passes = argc > 2 ? std::atoi(argv[2]) : 5;
  TinySession session;
  conc_probe::OpContext context;
  std::uint64_t sink = 0;
  const double bare = best_seconds_per_op(ops, passes, [&] {
    std::uint64_t checksum = 0;
    conc_probe::WorkerSession& op = session;
    for (std::uint64_t i = 0; i < ops; ++i) checksum += op.run_op(i, context);
    sink ^= checksum;
  });
  const auto engine_with_stride = [&](std::uint64_t stride) {
    return best_seconds_per_op(ops, passes, [&] {
      conc_probe::engine::WorkerResult result;
      conc_probe::engine::run_ops(session, context, conc_probe::engine::OpRange{0, ops}, stride,
                                  result);
      sink ^= result.checksum;
    });
  };
  const double engine = engine_with_stride(0);
  const double sampled = engine_with_stride(std::max<std::uint64_t>(1, ops / 1000));
  std::printf(
      "{\"bare_seconds_per_op\": %.12f, \"engine_seconds_per_op\": %.12f, "
      "\"engine_sampling_seconds_per_op\": %.12f, \"sink\": %llu}\n",
      bare, engine, sampled, static_cast<unsigned long long>(sink & 1));
}
