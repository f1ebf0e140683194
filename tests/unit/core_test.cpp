#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/gil_types.hpp"
#include "conc_probe/text.hpp"
#include "support/catch.hpp"

using conc_probe::CpuSet;
namespace text = conc_probe::text;

TEST_CASE("CpuSet: parses ranges, singles and white space", "[core]") {
  const auto set = CpuSet::parse("0-3,8, 10-11\n");
  REQUIRE(set.has_value());
  CHECK(set->size() == 7);
  CHECK(set->to_string() == "0-3,8,10-11");
  CHECK(set->contains(8));
  CHECK_FALSE(set->contains(9));
}

TEST_CASE("CpuSet: empty text is the empty set", "[core]") {
  const auto set = CpuSet::parse("  \n");
  REQUIRE(set.has_value());
  CHECK(set->empty());
  CHECK(set->to_string().empty());
}

TEST_CASE("CpuSet: rejects malformed lists", "[core]") {
  for (const char* bad : {"a", "3-1", "1,,2", "-", "1-", "0x", "1-99999999", "1 2"}) {
    INFO(bad);
    CHECK_FALSE(CpuSet::parse(bad).has_value());
  }
}

TEST_CASE("CpuSet: intersection and difference", "[core]") {
  const CpuSet a{std::vector<unsigned>{0, 1, 2, 3}};
  const CpuSet b{std::vector<unsigned>{2, 3, 4}};
  CHECK(a.intersect(b).to_string() == "2-3");
  CHECK(a.minus(b).to_string() == "0-1");
}

TEST_CASE("text: numbers parse whole strings only", "[core]") {
  CHECK(text::parse_u64(" 42\n") == 42U);
  CHECK(text::parse_u64("0x1f") == 31U);
  CHECK_FALSE(text::parse_u64("42abc").has_value());
  CHECK_FALSE(text::parse_u64("-1").has_value());
  CHECK_FALSE(text::parse_u64("99999999999999999999999").has_value());
  CHECK(text::parse_i64("-1") == -1);
  CHECK(text::parse_double("1.5") == 1.5);
  CHECK_FALSE(text::parse_double("nan").has_value());
}

TEST_CASE("text: suggestions for typos", "[core]") {
  const std::vector<std::string> modes{"single", "threads", "gil", "process"};
  CHECK(text::suggest("thread", modes) == "threads");
  CHECK(text::suggest("proc", modes) == "process");
  CHECK_FALSE(text::suggest("banana", modes).has_value());
  CHECK(text::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("python_gil: each CPython release line's lock", "[core]") {
  using conc_probe::GilPolicy;
  using conc_probe::python_gil;
  const auto py27 = python_gil("2.7");
  REQUIRE(py27);
  CHECK(py27->policy == GilPolicy::Legacy);
  CHECK(py27->check_interval == 100);
  CHECK(python_gil("2.2")->check_interval == 10);  // 2.3 raised sys.setcheckinterval's default
  CHECK(python_gil("3.1")->policy == GilPolicy::Legacy);
  const auto py32 = python_gil("3.2");
  REQUIRE(py32);
  CHECK(py32->policy == GilPolicy::New);
  CHECK(py32->switch_interval == std::chrono::milliseconds(5));
  CHECK(python_gil("3.13")->policy == GilPolicy::New);
  CHECK(python_gil("03.012")->version == "3.12");  // normalised
  for (const char* unknown :
       {"", "3", "3.", ".7", "3.x", "4.0", "1.5", "3.15", "3.12.1", "2.7t", "-3.1", "3.99999"}) {
    INFO(unknown);
    CHECK_FALSE(python_gil(unknown).has_value());
  }
  CHECK(conc_probe::python_versions_known().find("3.2-3.14") != std::string::npos);
}
