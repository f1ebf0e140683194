// The interpreter lock of each CPython release line, as the `gil` mode models it. Sources:
// Python/ceval.c of 2.x and 3.0-3.1 (a plain lock released every `sys.getcheckinterval()`
// ticks: 10 until 2.2, 100 from 2.3), Python/ceval_gil.h / ceval_gil.c of 3.2 onwards (the
// switch interval, 5 ms by default, with drop requests and forced switching); see
// docs/gil-model.md.
#include <array>
#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "conc_probe/gil_types.hpp"

namespace conc_probe {

namespace {

using std::chrono::milliseconds;

struct Line {
  unsigned major;
  unsigned first_minor;
  unsigned last_minor;
  GilPolicy policy;
  unsigned check_interval;
};

// 3.13 and 3.14 also come free-threaded ("3.13t"): no lock at all, which is the `threads` mode.
constexpr std::array kLines{
    Line{2, 0, 2, GilPolicy::Legacy, 10},
    Line{2, 3, 7, GilPolicy::Legacy, 100},
    Line{3, 0, 1, GilPolicy::Legacy, 100},
    Line{3, 2, 14, GilPolicy::New, 100},
};

std::optional<unsigned> whole(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 3) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<PythonGil> python_gil(std::string_view version) {
  const auto dot = version.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto major = whole(version.substr(0, dot));
  const auto minor = whole(version.substr(dot + 1));
  if (!major || !minor) return std::nullopt;
  for (const Line& line : kLines) {
    if (line.major == *major && *minor >= line.first_minor && *minor <= line.last_minor) {
      PythonGil out;
      out.version = std::to_string(*major) + "." + std::to_string(*minor);
      out.policy = line.policy;
      out.check_interval = line.check_interval;
      out.switch_interval = milliseconds(5);
      return out;
    }
  }
  return std::nullopt;
}

std::string python_versions_known() {
  std::string out;
  for (const Line& line : kLines) {
    if (!out.empty()) out += ", ";
    out += std::to_string(line.major) + "." + std::to_string(line.first_minor) + "-" +
           std::to_string(line.major) + "." + std::to_string(line.last_minor);
  }
  return out;
}

}  // namespace conc_probe
