#include "conc_probe/random.hpp"

#include <array>
#include <vector>

#include "conc_probe/compare.hpp"
#include "support/catch.hpp"

using namespace conc_probe;

// Expected values: SplitMix64's published first outputs for seed 0, and an independent
// Python implementation of xoshiro256** and Lemire's bounded draw (docs/methodology.md).
TEST_CASE("Random: SplitMix64 gives the published sequence", "[random]") {
  SplitMix64 mix(0);
  CHECK(mix.next() == 0xe220a8397b1dcdafULL);
  CHECK(mix.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(mix.next() == 0x06c45d188009454fULL);
}

TEST_CASE("Random: xoshiro256** seeded by SplitMix64", "[random]") {
  Xoshiro256 rng(42);
  CHECK(rng.next() == 0x15780b2e0c2ec716ULL);
  CHECK(rng.next() == 0x6104d9866d113a7eULL);
  CHECK(rng.next() == 0xae17533239e499a1ULL);
}

TEST_CASE("Random: bounded draws are the same everywhere and within bounds", "[random]") {
  Xoshiro256 ten(7);
  const std::array<std::uint64_t, 12> expected_ten{7, 2, 8, 9, 9, 8, 0, 1, 4, 1, 5, 7};
  for (const auto value : expected_ten) CHECK(ten.below(10) == value);
  Xoshiro256 three(7);
  const std::array<std::uint64_t, 12> expected_three{2, 0, 2, 2, 2, 2, 0, 0, 1, 0, 1, 2};
  for (const auto value : expected_three) CHECK(three.below(3) == value);
  Xoshiro256 any(1);
  CHECK(any.below(0) == 0);
  CHECK(any.below(1) == 0);
  std::array<int, 6> seen{};
  for (int i = 0; i < 6000; ++i) ++seen.at(any.below(6));
  for (const int count : seen) CHECK((count > 850 && count < 1150));
}

TEST_CASE("Random: the bootstrap interval is fixed by its seed", "[random][compare]") {
  // Expected bounds from the independent Python implementation of the same bootstrap.
  const std::vector<double> base{1.00, 1.02, 0.98, 1.01, 0.99, 1.03,
                                 0.97, 1.05, 0.96, 1.04, 1.00, 0.995};
  const std::vector<double> next{1.20, 1.25, 1.18, 1.22, 1.19, 1.24,
                                 1.21, 1.30, 1.16, 1.23, 1.17, 1.215};
  CompareOptions options;
  const Ratio first = bootstrap_ratio(base, next, options);
  CHECK(first.ci_low == Approx(1.1724051939117721).epsilon(1e-12));
  CHECK(first.ci_high == Approx(1.24).epsilon(1e-12));
  options.seed = 43;
  const Ratio other = bootstrap_ratio(base, next, options);
  CHECK(other.ci_low == Approx(1.1741293532338308).epsilon(1e-12));
  CHECK(other.ci_high == Approx(1.2399015151515154).epsilon(1e-12));
}
