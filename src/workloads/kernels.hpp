#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "conc_probe/op_context.hpp"

/// The compute kernels behind the CPU workloads: pure functions of their arguments, with
/// checkpoints at a fine grain so a `gil` context can take the lock away mid-op.
namespace conc_probe::workloads {

/// Work between two checkpoints of the count kernel, in iterations (a few hundred cycles).
inline constexpr std::uint64_t kCountCheckEvery = 128;
/// Trial divisions between two checkpoints of the primes kernel.
inline constexpr std::uint64_t kPrimesCheckEvery = 16;
/// Bytes hashed between two checkpoints of the hash kernel.
inline constexpr std::size_t kHashCheckEvery = 256;

/// The splitmix64 finalizer: a bijective 64-bit mix (Steele, Lea, Flood 2014).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// The seed of op `index` of a workload identified by `salt`.
constexpr std::uint64_t op_seed(std::uint64_t index, std::uint64_t salt) noexcept {
  return mix64(index * 0x9e3779b97f4a7c15ULL + salt);
}

/// Returns `value` unchanged, hidden from the optimizer (it cannot fold or hoist work
/// that depends on it).
std::uint64_t launder(std::uint64_t value) noexcept;

/// Counts down from `iterations` to zero, folding each step into a state started at
/// `seed`; calls context.checkpoint() every kCountCheckEvery iterations. Returns the state
/// (cut short, and so meaningless, when a checkpoint reports a stop request; likewise for
/// the kernels below).
std::uint64_t count_kernel(std::uint64_t seed, std::uint64_t iterations,
                           OpContext& context) noexcept;

/// Iterations of count_kernel that take `target` on this machine (measured here: the
/// fastest of three timed runs of a size that takes at least 2 ms); at least 1.
std::uint64_t count_iterations_for(std::chrono::nanoseconds target);

/// Primes found by trial division in a range.
struct PrimeTally {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
};

/// Tests every number in [first, first + length) for primality by trial division, calling
/// context.checkpoint() every kPrimesCheckEvery divisions and after each number.
PrimeTally count_primes(std::uint64_t first, std::uint64_t length, OpContext& context) noexcept;

/// FNV-1a 64-bit offset basis (Fowler, Noll, Vo).
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;

/// Continues an FNV-1a 64-bit hash over `bytes` (start with kFnvOffset). No checkpoints.
std::uint64_t fnv1a(std::span<const std::byte> bytes, std::uint64_t hash = kFnvOffset) noexcept;

/// Fills `buffer` with a deterministic byte stream derived from `seed`.
void fill_deterministic(std::span<std::byte> buffer, std::uint64_t seed) noexcept;

/// Fills `buffer` block by block from `seed` and hashes it with FNV-1a, calling
/// context.checkpoint() after every kHashCheckEvery bytes. Returns the hash.
std::uint64_t fill_and_hash(std::span<std::byte> buffer, std::uint64_t seed,
                            OpContext& context) noexcept;

}  // namespace conc_probe::workloads
