#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "conc_probe/workload.hpp"

/// A small, self-contained workload for the engine's own tests (no dependency on the
/// real workload module): a CPU loop or a blocking sleep per op, with a deterministic
/// checksum, and an optional op that throws.
namespace conc_probe::engine::testing {

/// The checksum of op `index` (a 64-bit mix: nothing the compiler can skip).
constexpr std::uint64_t fake_op_checksum(std::uint64_t index) noexcept {
  std::uint64_t x = index + 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// The wrapping sum of the checksums of ops [0, total).
inline std::uint64_t fake_total_checksum(std::uint64_t total) noexcept {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < total; ++i) sum = combine_checksum(sum, fake_op_checksum(i));
  return sum;
}

struct FakeOptions {
  WorkloadKind kind = WorkloadKind::Cpu;
  std::uint64_t spin = 20000;           ///< CPU: loop iterations per op
  std::chrono::microseconds sleep{0};   ///< IO: blocking time per op
  std::uint64_t throw_at = UINT64_MAX;  ///< this op throws
  bool fail_open = false;               ///< open_worker throws
};

class FakeSession final : public WorkerSession {
 public:
  explicit FakeSession(const FakeOptions& options) : options_(options) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    if (index == options_.throw_at)
      throw std::runtime_error("op " + std::to_string(index) + " failed");
    std::uint64_t x = index;
    for (std::uint64_t i = 0; i < options_.spin; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      if ((i & 63) == 0) context.checkpoint();
    }
    sink_ = x;
    if (options_.sleep.count() > 0) {
      BlockingSection blocking(context);
      std::this_thread::sleep_for(options_.sleep);
    }
    return fake_op_checksum(index);
  }

 private:
  FakeOptions options_;
  volatile std::uint64_t sink_ = 0;
};

class FakeWorkload final : public Workload {
 public:
  explicit FakeWorkload(FakeOptions options = {}) : options_(options) {
    info_.name = "fake";
    info_.kind = options.kind;
    info_.description = "engine test workload";
  }
  [[nodiscard]] const WorkloadInfo& info() const noexcept override { return info_; }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams&,
                                                           unsigned) const override {
    if (options_.fail_open) throw std::runtime_error("cannot open session");
    return std::make_unique<FakeSession>(options_);
  }

 private:
  FakeOptions options_;
  WorkloadInfo info_;
};

}  // namespace conc_probe::engine::testing
