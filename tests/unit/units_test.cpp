#include "conc_probe/units.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "conc_probe/error.hpp"
#include "support/catch.hpp"

using namespace conc_probe;
using namespace std::chrono_literals;

namespace {

/// The message of the UsageError `f` throws, or "" when it throws nothing.
template <class F>
std::string usage_message(F&& f) {
  try {
    f();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Units: durations with every unit", "[units]") {
  CHECK(units::parse_duration("300ms", "--duration") == 300ms);
  CHECK(units::parse_duration("1.5s", "--duration") == 1500ms);
  CHECK(units::parse_duration("100us", "--duration") == 100us);
  CHECK(units::parse_duration("100\xC2\xB5s", "--duration") == 100us);
  CHECK(units::parse_duration("250ns", "--duration") == 250ns);
  CHECK(units::parse_duration("2min", "--duration") == 120s);
  CHECK(units::parse_duration("1h", "--duration") == 3600s);
  CHECK(units::parse_duration(" 5ms ", "--duration") == 5ms);
  CHECK(units::parse_duration("0.5ms", "--duration") == 500us);
}

TEST_CASE("Units: bad durations name the text, the option and an example", "[units]") {
  CHECK(usage_message([] { units::parse_duration("5 parsecs", "--duration"); }) ==
        "invalid duration '5 parsecs' for --duration (expected e.g. 300ms, 1.5s)");
  for (const char* bad : {"0", "0ms", "-5ms", "abc", "", "5", "1e3ms", ".5s", "5.s", "1.2.3s",
                          "nanms", "infs", "0.1ns", "25h", "ms", "5 ms ms"}) {
    INFO(bad);
    const std::string message = usage_message([&] { units::parse_duration(bad, "--duration"); });
    CHECK(message.starts_with(std::string("invalid duration '") + bad + "' for --duration ("));
  }
  CHECK(usage_message([] {
          units::parse_duration("-5ms", "--duration");
        }).find("must be positive") != std::string::npos);
  CHECK(usage_message([] {
          units::parse_duration("5", "--duration");
        }).find("a unit is required") != std::string::npos);
}

TEST_CASE("Units: duration lists keep order and drop duplicates", "[units]") {
  const auto list = units::parse_duration_list("5ms,1ms,100us,5ms", "--switch-interval");
  CHECK(list == std::vector<std::chrono::nanoseconds>{5ms, 1ms, 100us});
  CHECK_THROWS_AS(units::parse_duration_list("5ms,,1ms", "--switch-interval"), UsageError);
  CHECK_THROWS_AS(units::parse_duration_list("", "--switch-interval"), UsageError);
  CHECK_THROWS_AS(units::parse_duration_list("5ms,0ms", "--switch-interval"), UsageError);
}

TEST_CASE("Units: percentages become fractions", "[units]") {
  CHECK(units::parse_percentage("10%", "--threshold") == Approx(0.10));
  CHECK(units::parse_percentage("2.5%", "--threshold") == Approx(0.025));
  CHECK(units::parse_percentage("1000%", "--threshold") == Approx(10.0));
  for (const char* bad : {"10", "0%", "-5%", "abc%", "%", "1001%", "10%%"}) {
    INFO(bad);
    CHECK_THROWS_AS(units::parse_percentage(bad, "--threshold"), UsageError);
  }
  CHECK(usage_message([] { units::parse_percentage("10", "--threshold"); }) ==
        "invalid percentage '10' for --threshold (expected e.g. 10%)");
}

TEST_CASE("Units: fractions strictly between 0 and 1", "[units]") {
  CHECK(units::parse_fraction("0.9", "--io-fraction") == Approx(0.9));
  CHECK(units::parse_fraction("90%", "--io-fraction") == Approx(0.9));
  CHECK(units::parse_fraction(" 2.5% ", "--io-fraction") == Approx(0.025));
  for (const char* bad :
       {"0", "1", "1.5", "100%", "0%", "-0.5", "abc", "", "%", "0.5%%", "nan", "inf"}) {
    INFO(bad);
    CHECK_THROWS_AS(units::parse_fraction(bad, "--io-fraction"), UsageError);
  }
  CHECK(usage_message([] { units::parse_fraction("2", "--io-fraction"); }) ==
        "invalid fraction '2' for --io-fraction (must lie strictly between 0 and 1 (0% and 100%))");
}

TEST_CASE("Units: counts in a range", "[units]") {
  CHECK(units::parse_count("5", "--repetitions", 1, 1000) == 5);
  CHECK(units::parse_count("0", "--warmup", 0, 100) == 0);
  for (const char* bad : {"0", "-1", "1001", "2.5", "3x", "", "99999999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(units::parse_count(bad, "--repetitions", 1, 1000), UsageError);
  }
  CHECK(usage_message([] { units::parse_count("0", "--repetitions", 1, 1000); }) ==
        "invalid value '0' for --repetitions (expected a whole number from 1 to 1000)");
}

TEST_CASE("Units: worker lists, with auto", "[units]") {
  const std::vector<unsigned> auto_counts{2, 8};
  CHECK(units::parse_worker_list("4,1,2,2", "--workers", auto_counts, 4096, "") ==
        std::vector<unsigned>{1, 2, 4});
  CHECK(units::parse_worker_list("auto", "--workers", auto_counts, 4096, "") ==
        std::vector<unsigned>{2, 8});
  CHECK(units::parse_worker_list("1,auto", "--workers", auto_counts, 4096, "") ==
        std::vector<unsigned>{1, 2, 8});
  // auto never exceeds the limit: its counts above it are dropped.
  CHECK(units::parse_worker_list("auto", "--workers", auto_counts, 4, "") ==
        std::vector<unsigned>{2});
  for (const char* bad : {"0", "-1", "1,,2", "", "two", "1.5", "4097", "100000", "auto2"}) {
    INFO(bad);
    CHECK_THROWS_AS(
        units::parse_worker_list(bad, "--workers", auto_counts, 4096, "the thread limit"),
        UsageError);
  }
  CHECK(usage_message([] {
          units::parse_worker_list("100000", "--workers", std::vector<unsigned>{1}, 4096,
                                   "the thread limit");
        }) == "invalid worker count '100000' for --workers (at most 4096, the thread limit)");
}

TEST_CASE("Units: durations format back to their shortest exact form", "[units]") {
  CHECK(units::format_duration(5ms) == "5ms");
  CHECK(units::format_duration(1500ms) == "1.5s");
  CHECK(units::format_duration(100us) == "100us");
  CHECK(units::format_duration(250ns) == "250ns");
  CHECK(units::format_duration(1001us) == "1.001ms");
  CHECK(units::format_duration(0ns) == "0ns");
  for (const char* text : {"300ms", "1.5s", "100us", "2.25ms", "7ns"}) {
    CHECK(units::format_duration(units::parse_duration(text, "--x")) == text);
  }
}
