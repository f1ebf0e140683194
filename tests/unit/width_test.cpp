// Fitting text into a terminal: display width, wrapping at word boundaries, abbreviation.
#include "report/width.hpp"

#include <string>

#include "support/catch.hpp"

using namespace conc_probe::report;

TEST_CASE("Width: UTF-8 characters and colour escapes take their display width", "[width]") {
  CHECK(display_width("gil\xC3\x97"
                      "2 @5ms") == 10);
  CHECK(display_width("\x1b[1mbold\x1b[0m") == 4);
  CHECK(display_width("") == 0);
}

TEST_CASE("Width: wrapping breaks at spaces and never exceeds the width", "[width]") {
  const auto lines = wrap_text("no mode ran faster than one thread on this machine", 20);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "no mode ran faster");
  CHECK(lines[1] == "than one thread on");
  CHECK(lines[2] == "this machine");
  CHECK(wrap_text("short", 20) == std::vector<std::string>{"short"});
  CHECK(wrap_text("", 20) == std::vector<std::string>{""});
  CHECK(wrap_text("a b", 0) == std::vector<std::string>{"a b"});
}

TEST_CASE("Width: a word wider than the line breaks after a slash, else is cut", "[width]") {
  const auto lines = wrap_text("[/sys/fs/cgroup/memory/limit_in_bytes]", 16);
  for (const auto& line : lines) CHECK(display_width(line) <= 16);
  CHECK(lines[0] == "[/sys/fs/cgroup/");
  std::string joined;
  for (const auto& line : lines) joined += line;
  CHECK(joined == "[/sys/fs/cgroup/memory/limit_in_bytes]");
  CHECK(wrap_text("abcdefghij", 4) == std::vector<std::string>{"abcd", "efgh", "ij"});
}

TEST_CASE("Width: abbreviation keeps the start and marks the cut", "[width]") {
  CHECK(abbreviate("threads", 10) == "threads");
  CHECK(abbreviate("abcdefghij", 5) == "abcd\xE2\x80\xA6");
  CHECK(display_width(abbreviate("gil\xC3\x97\xC3\x97\xC3\x97\xC3\x97", 5)) == 5);
  CHECK(abbreviate("abc", 0).empty());
}
