#include "conc_probe/stats.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "support/catch.hpp"

using namespace conc_probe;

namespace {

std::vector<double> one_to(int n) {
  std::vector<double> values;
  for (int i = n; i >= 1; --i) values.push_back(i);  // reversed on purpose: order must not matter
  return values;
}

}  // namespace

TEST_CASE("Stats: median of odd, even, one and no values", "[stats]") {
  CHECK(stats::median(std::vector<double>{3, 1, 2}) == 2);
  CHECK(stats::median(std::vector<double>{4, 1, 3, 2}) == 2.5);
  CHECK(stats::median(std::vector<double>{7}) == 7);
  CHECK(stats::median(std::vector<double>{}) == 0);
}

TEST_CASE("Stats: MAD is the median of absolute deviations, unscaled", "[stats]") {
  // median 3; deviations 2,1,0,1,97 -> sorted 0,1,1,2,97 -> 1
  CHECK(stats::mad(std::vector<double>{1, 2, 3, 4, 100}) == 1);
  // median 2.5; deviations 1.5,0.5,0.5,1.5 -> 1
  CHECK(stats::mad(std::vector<double>{1, 2, 3, 4}) == 1);
  CHECK(stats::mad(std::vector<double>{5, 5, 5}) == 0);
  CHECK(stats::mad(std::vector<double>{5}) == 0);
  CHECK(stats::mad(std::vector<double>{}) == 0);
}

TEST_CASE("Stats: mean", "[stats]") {
  CHECK(stats::mean(std::vector<double>{1, 2, 6}) == 3);
  CHECK(stats::mean(std::vector<double>{}) == 0);
}

TEST_CASE("Stats: percentile interpolates linearly between ranks", "[stats]") {
  const std::vector<double> v{4, 1, 3, 2};
  CHECK(stats::percentile(v, 0) == 1);
  CHECK(stats::percentile(v, 100) == 4);
  CHECK(stats::percentile(v, 50) == Approx(2.5));
  CHECK(stats::percentile(v, 25) == Approx(1.75));  // h = 0.75
  CHECK(stats::percentile(v, 90) == Approx(3.7));   // h = 2.7
  CHECK(stats::percentile(v, -5) == 1);             // clamped
  CHECK(stats::percentile(v, 500) == 4);
  CHECK(stats::percentile(std::vector<double>{}, 50) == 0);
  CHECK(stats::percentile(std::vector<double>{9}, 99) == 9);
}

TEST_CASE("Stats: summary of no values is all zeros", "[stats]") {
  const Summary s = stats::summarize(std::vector<double>{});
  CHECK(s.n == 0);
  CHECK(s.median == 0);
  CHECK(s.ci_low == 0);
  CHECK(s.ci_high == 0);
}

TEST_CASE("Stats: summary of one value", "[stats]") {
  const Summary s = stats::summarize(std::vector<double>{2.5});
  CHECK(s.n == 1);
  CHECK(s.median == 2.5);
  CHECK(s.mad == 0);
  CHECK(s.min == 2.5);
  CHECK(s.max == 2.5);
  CHECK(s.ci_low == 2.5);
  CHECK(s.ci_high == 2.5);
}

TEST_CASE("Stats: median CI falls back to [min, max] when n is too small", "[stats]") {
  // n = 5: even [x(1), x(5)] only covers 1 - 2/32 = 93.75 % < 95 %.
  const Summary s = stats::summarize(one_to(5), 0.95);
  CHECK(s.median == 3);
  CHECK(s.ci_low == 1);
  CHECK(s.ci_high == 5);
}

TEST_CASE("Stats: median CI by binomial order statistics", "[stats]") {
  // n = 6: [x(1), x(6)] covers 1 - 2/64 = 96.9 %; [x(2), x(5)] only 1 - 14/64 = 78 %.
  const Summary s6 = stats::summarize(one_to(6), 0.95);
  CHECK(s6.ci_low == 1);
  CHECK(s6.ci_high == 6);
  // n = 10: [x(2), x(9)] covers 1 - 22/1024 = 97.9 %; [x(3), x(8)] 1 - 112/1024 = 89 %.
  const Summary s10 = stats::summarize(one_to(10), 0.95);
  CHECK(s10.ci_low == 2);
  CHECK(s10.ci_high == 9);
  // n = 20: the textbook ranks 6 and 15 (coverage 95.9 %).
  const Summary s20 = stats::summarize(one_to(20), 0.95);
  CHECK(s20.ci_low == 6);
  CHECK(s20.ci_high == 15);
  // A lower confidence narrows it: n = 10 at 80 % -> [x(3), x(8)] (89 %).
  const Summary s10_80 = stats::summarize(one_to(10), 0.80);
  CHECK(s10_80.ci_low == 3);
  CHECK(s10_80.ci_high == 8);
}

TEST_CASE("Stats: MAD = 0 gives a zero-width interval", "[stats]") {
  const Summary s = stats::summarize(std::vector<double>(12, 4.0));
  CHECK(s.mad == 0);
  CHECK(s.ci_low == 4);
  CHECK(s.ci_high == 4);
}

TEST_CASE("Stats: NaNs are ignored, infinities are kept", "[stats]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Summary s = stats::summarize(std::vector<double>{nan, 1, 3, nan, 2});
  CHECK(s.n == 3);
  CHECK(s.median == 2);
  CHECK(std::isinf(stats::summarize(std::vector<double>{1, INFINITY}).max));
}

TEST_CASE("Stats: ratio of medians with a conservative interval", "[stats]") {
  Summary num;
  num.median = 10;
  num.ci_low = 8;
  num.ci_high = 12;
  Summary den;
  den.median = 5;
  den.ci_low = 4;
  den.ci_high = 6;
  const Ratio r = stats::ratio_of_medians(num, den);
  CHECK(r.estimate == 2);
  CHECK(r.ci_low == Approx(8.0 / 6.0));
  CHECK(r.ci_high == 3);
}

TEST_CASE("Stats: ratio with a zero denominator is defined", "[stats]") {
  const Ratio zero = stats::ratio_of_medians(Summary{}, Summary{});
  CHECK(zero.estimate == 0);
  CHECK(zero.ci_low == 0);
  CHECK(zero.ci_high == 0);
  Summary num;
  num.median = num.ci_low = num.ci_high = 3;
  Summary den;
  den.median = 1;
  den.ci_high = 1;  // ci_low = 0: no upper information
  const Ratio r = stats::ratio_of_medians(num, den);
  CHECK(r.estimate == 3);
  CHECK(r.ci_high == 3);
  CHECK(r.ci_low == 3);
}

TEST_CASE("Stats: latency percentiles", "[stats]") {
  std::vector<double> latencies;
  for (int i = 100; i >= 0; --i) latencies.push_back(i * 0.001);  // 0 .. 100 ms
  const LatencySummary s = stats::latency_summary(latencies);
  CHECK(s.count == 101);
  CHECK(s.p50 == Approx(0.050));
  CHECK(s.p95 == Approx(0.095));
  CHECK(s.p99 == Approx(0.099));
  CHECK(s.max == Approx(0.100));
  const LatencySummary none = stats::latency_summary(std::vector<double>{});
  CHECK(none.count == 0);
  CHECK(none.p99 == 0);
}
