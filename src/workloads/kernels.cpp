#include "workloads/kernels.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace conc_probe::workloads {

namespace {
constexpr std::uint64_t kCountMultiplier = 0x100000001b3ULL;  // FNV prime: odd, well mixed
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
}  // namespace

std::uint64_t launder(std::uint64_t value) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  asm volatile("" : "+r"(value));
  return value;
#else
  volatile std::uint64_t hidden = value;
  return hidden;
#endif
}

std::uint64_t count_kernel(std::uint64_t seed, std::uint64_t iterations,
                           OpContext& context) noexcept {
  std::uint64_t remaining = launder(iterations);
  std::uint64_t state = seed;
  while (remaining != 0) {
    const std::uint64_t block = std::min(remaining, kCountCheckEvery);
    for (std::uint64_t step = 0; step < block; ++step) {
      state = (state ^ (remaining - step)) * kCountMultiplier;
    }
    remaining -= block;
    if (!context.checkpoint()) break;
  }
  return state;
}

namespace {

bool is_prime(std::uint64_t n, std::uint64_t& divisions, OpContext& context) noexcept {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (std::uint64_t d = 3; d <= n / d; d += 2) {
    if (n % d == 0) return false;
    if (++divisions % kPrimesCheckEvery == 0 && !context.checkpoint()) return false;
  }
  return true;
}

}  // namespace

PrimeTally count_primes(std::uint64_t first, std::uint64_t length, OpContext& context) noexcept {
  PrimeTally tally;
  std::uint64_t divisions = 0;
  const std::uint64_t end = first + launder(length);
  for (std::uint64_t n = first; n < end; ++n) {
    if (is_prime(n, divisions, context)) {
      ++tally.count;
      tally.sum += n;
    }
    if (!context.checkpoint()) break;
  }
  return tally;
}

std::uint64_t fnv1a(std::span<const std::byte> bytes, std::uint64_t hash) noexcept {
  for (const std::byte b : bytes) {
    hash ^= static_cast<std::uint64_t>(b);
    hash *= kFnvPrime;
  }
  return hash;
}

void fill_deterministic(std::span<std::byte> buffer, std::uint64_t seed) noexcept {
  std::uint64_t state = seed;
  for (std::size_t offset = 0; offset < buffer.size(); offset += sizeof state) {
    state += 0x9e3779b97f4a7c15ULL;  // the splitmix64 generator's increment
    const std::uint64_t word = mix64(state);
    std::memcpy(buffer.data() + offset, &word, std::min(sizeof word, buffer.size() - offset));
  }
}

std::uint64_t fill_and_hash(std::span<std::byte> buffer, std::uint64_t seed,
                            OpContext& context) noexcept {
  std::uint64_t hash = kFnvOffset;
  const std::size_t size = static_cast<std::size_t>(launder(buffer.size()));
  for (std::size_t offset = 0; offset < size; offset += kHashCheckEvery) {
    const auto block = buffer.subspan(offset, std::min(kHashCheckEvery, size - offset));
    // Each block is seeded by its position so blocks can be generated independently.
    fill_deterministic(block, seed + offset);
    hash = fnv1a(block, hash);
    if (!context.checkpoint()) break;
  }
  return hash;
}

/// Iterations of the count kernel that take `target` on this machine: the fastest of three
/// timed runs of a size that takes at least 2 ms.
std::uint64_t count_iterations_for(std::chrono::nanoseconds target) {
  using Clock = std::chrono::steady_clock;
  OpContext context;
  std::uint64_t iterations = 10'000;
  const auto time_once = [&] {
    const auto start = Clock::now();
    (void)launder(count_kernel(iterations, iterations, context));
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  while (time_once() < 2e-3 && iterations < (1ULL << 40)) iterations *= 2;
  double best = time_once();
  for (int i = 0; i < 2; ++i) best = std::min(best, time_once());
  const double per_iteration = best / static_cast<double>(iterations);
  const double wanted = std::chrono::duration<double>(target).count() / per_iteration;
  return static_cast<std::uint64_t>(std::max(1.0, std::round(wanted)));
}

}  // namespace conc_probe::workloads
