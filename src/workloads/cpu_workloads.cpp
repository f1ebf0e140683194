// The CPU-bound workloads: count, primes, hash.
#include <vector>

#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

/// First number tested by the primes workload, and how many windows op ranges cycle
/// through (keeping the numbers, and so the cost of an op, about the same for every index).
constexpr std::uint64_t kPrimesBase = 1'000'000;
constexpr std::uint64_t kPrimesWindows = 1024;

class CountSession final : public WorkerSession {
 public:
  explicit CountSession(std::uint64_t iterations) : iterations_(iterations) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    return mix64(count_kernel(op_seed(index, kSaltCount), iterations_, context));
  }

 private:
  std::uint64_t iterations_;
};

class PrimesSession final : public WorkerSession {
 public:
  explicit PrimesSession(std::uint64_t numbers) : numbers_(numbers) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t first = kPrimesBase + (index % kPrimesWindows) * numbers_;
    const PrimeTally tally = count_primes(first, numbers_, context);
    return mix64(op_seed(index, kSaltPrimes) ^ (tally.count << 40) ^ tally.sum);
  }

 private:
  std::uint64_t numbers_;
};

class HashSession final : public WorkerSession {
 public:
  explicit HashSession(std::uint64_t bytes) : buffer_(static_cast<std::size_t>(bytes)) {}
  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = op_seed(index, kSaltHash);
    return mix64(fill_and_hash(buffer_, seed, context) ^ seed);
  }

 private:
  std::vector<std::byte> buffer_;
};

/// A CPU workload: no shared resources, one session type.
template <typename Session, std::uint64_t kDefaultSize>
class CpuWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    return std::make_unique<Session>(or_default(params.op_size, kDefaultSize));
  }
};

}  // namespace

std::unique_ptr<Workload> make_count_workload(WorkloadInfo info) {
  return std::make_unique<CpuWorkload<CountSession, kDefaultCountIterations>>(std::move(info));
}

std::unique_ptr<Workload> make_primes_workload(WorkloadInfo info) {
  return std::make_unique<CpuWorkload<PrimesSession, kDefaultPrimesNumbers>>(std::move(info));
}

std::unique_ptr<Workload> make_hash_workload(WorkloadInfo info) {
  return std::make_unique<CpuWorkload<HashSession, kDefaultHashBytes>>(std::move(info));
}

}  // namespace conc_probe::workloads
