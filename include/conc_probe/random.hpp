#pragma once

#include <cstdint>

/// The project's own pseudo-random numbers, so that a seed gives the same draws with every
/// compiler and standard library (std::uniform_int_distribution's output is left to each
/// library). Sources in docs/methodology.md.
namespace conc_probe {

/// SplitMix64 (Steele, Lea & Flood 2014): expands one 64-bit seed into well-mixed words.
class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  }

 private:
  std::uint64_t state_;
};

/// xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64 as its authors advise.
class Xoshiro256 {
 public:
  explicit constexpr Xoshiro256(std::uint64_t seed) noexcept {
    SplitMix64 mix(seed);
    for (auto& word : s_) word = mix.next();
  }
  constexpr std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17U;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// A uniform integer in [0, bound) by Lemire's multiply-and-reject method (2019): no
  /// modulo bias, and the same answer everywhere. bound 0 answers 0.
  constexpr std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    Wide product = multiply(next(), bound);
    if (product.low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (product.low < threshold) product = multiply(next(), bound);
    }
    return product.high;
  }

 private:
  struct Wide {
    std::uint64_t high = 0;
    std::uint64_t low = 0;
  };
  /// The full 128-bit product of two 64-bit words, in portable 32-bit halves.
  static constexpr Wide multiply(std::uint64_t a, std::uint64_t b) noexcept {
    const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32U;
    const std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32U;
    const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
    const std::uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
    const std::uint64_t cross = (lo_lo >> 32U) + (hi_lo & 0xffffffffULL) + lo_hi;
    return Wide{hi_hi + (hi_lo >> 32U) + (cross >> 32U), (cross << 32U) | (lo_lo & 0xffffffffULL)};
  }
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
  }
  std::uint64_t s_[4]{};
};

}  // namespace conc_probe
