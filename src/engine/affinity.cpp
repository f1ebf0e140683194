#include <sched.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

#include "conc_probe/error.hpp"
#include "engine/bench_parts.hpp"

namespace conc_probe::engine {
namespace {

constexpr int kMaskCpus = static_cast<int>(CpuSet::kMaxCpu) + 1;

struct MaskDeleter {
  void operator()(cpu_set_t* mask) const noexcept { CPU_FREE(mask); }
};
using Mask = std::unique_ptr<cpu_set_t, MaskDeleter>;

Mask new_mask() {
  Mask mask(CPU_ALLOC(kMaskCpus));
  if (!mask) throw std::bad_alloc();
  CPU_ZERO_S(CPU_ALLOC_SIZE(kMaskCpus), mask.get());
  return mask;
}

/// Applies `cpus` to the calling thread (inherited by threads and children created later).
bool apply(const CpuSet& cpus) {
  const Mask mask = new_mask();
  for (const unsigned cpu : cpus.cpus()) CPU_SET_S(cpu, CPU_ALLOC_SIZE(kMaskCpus), mask.get());
  return ::sched_setaffinity(0, CPU_ALLOC_SIZE(kMaskCpus), mask.get()) == 0;
}

}  // namespace

std::optional<CpuSet> current_affinity() {
  const Mask mask = new_mask();
  if (::sched_getaffinity(0, CPU_ALLOC_SIZE(kMaskCpus), mask.get()) != 0) return std::nullopt;
  std::vector<unsigned> cpus;
  for (int cpu = 0; cpu < kMaskCpus; ++cpu) {
    if (CPU_ISSET_S(static_cast<std::size_t>(cpu), CPU_ALLOC_SIZE(kMaskCpus), mask.get())) {
      cpus.push_back(static_cast<unsigned>(cpu));
    }
  }
  return CpuSet(std::move(cpus));
}

ScopedAffinity::ScopedAffinity(const std::optional<CpuSet>& cpus) {
  if (!cpus) return;
  const auto current = current_affinity();
  const std::string usable = current ? current->to_string() : "unknown";
  if (cpus->empty()) throw UsageError("--cpus: the CPU list is empty");
  if (current && !cpus->minus(*current).empty()) {
    throw UsageError("--cpus " + cpus->to_string() + ": CPU " + cpus->minus(*current).to_string() +
                     " is not usable by this process (usable: " + usable + ")");
  }
  if (!apply(*cpus)) {
    throw UsageError("--cpus " + cpus->to_string() + ": " + std::generic_category().message(errno) +
                     " (usable: " + usable + ")");
  }
  previous_ = current;
}

ScopedAffinity::~ScopedAffinity() {
  if (previous_) apply(*previous_);
}

}  // namespace conc_probe::engine
