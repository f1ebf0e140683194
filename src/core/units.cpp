#include "conc_probe/units.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::units {
namespace {

using std::chrono::nanoseconds;

struct Unit {
  std::string_view name;
  double nanoseconds;
};

constexpr std::array<Unit, 9> kUnits{{{"ns", 1},
                                      {"us", 1e3},
                                      {"\xC2\xB5s", 1e3},  // µs
                                      {"ms", 1e6},
                                      {"s", 1e9},
                                      {"m", 60e9},
                                      {"min", 60e9},
                                      {"h", 3600e9},
                                      {"sec", 1e9}}};

constexpr std::string_view kDurationExample = "expected e.g. 300ms, 1.5s";

[[noreturn]] void fail(std::string_view what, std::string_view text, std::string_view option,
                       std::string_view hint) {
  throw UsageError("invalid " + std::string(what) + " '" + std::string(text) + "' for " +
                   std::string(option) + " (" + std::string(hint) + ")");
}

/// Splits "1.5ms" into "1.5" and "ms"; the number part is digits with at most one dot.
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  const auto end = text.find_first_not_of("0123456789.");
  const std::size_t cut = end == std::string_view::npos ? text.size() : end;
  return {text.substr(0, cut), text.substr(cut)};
}

/// A non-negative decimal number without sign or exponent; nullopt otherwise.
std::optional<double> plain_number(std::string_view digits) {
  if (digits.empty() || std::count(digits.begin(), digits.end(), '.') > 1) return std::nullopt;
  if (digits.front() == '.' || digits.back() == '.') return std::nullopt;
  return text::parse_double(digits);
}

std::optional<double> unit_factor(std::string_view name) {
  for (const auto& unit : kUnits) {
    if (unit.name == name) return unit.nanoseconds;
  }
  return std::nullopt;
}

}  // namespace

nanoseconds parse_duration(std::string_view text, std::string_view option) {
  const std::string_view trimmed = text::trim(text);
  if (trimmed.starts_with('-'))
    fail("duration", text, option, "must be positive; " + std::string(kDurationExample));
  const auto [digits, unit] = split_number(trimmed);
  const auto number = plain_number(digits);
  const auto factor = unit_factor(text::trim(unit));
  if (!number) fail("duration", text, option, kDurationExample);
  if (!factor) {
    fail("duration", text, option,
         unit.empty()
             ? "a unit is required: ns, us, ms, s, min, h; " + std::string(kDurationExample)
             : std::string(kDurationExample));
  }
  const double ns = std::round(*number * *factor);
  if (ns < 1) fail("duration", text, option, "must be positive; " + std::string(kDurationExample));
  if (ns > static_cast<double>(nanoseconds(kMaxDuration).count())) {
    fail("duration", text, option, "at most 24h");
  }
  return nanoseconds(static_cast<std::int64_t>(ns));
}

std::vector<nanoseconds> parse_duration_list(std::string_view text, std::string_view option) {
  std::vector<nanoseconds> out;
  for (const auto item : text::split(text, ',')) {
    if (text::trim(item).empty())
      fail("duration list", text, option, "expected e.g. 5ms,1ms,100us");
    const auto value = parse_duration(item, option);
    if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

double parse_percentage(std::string_view text, std::string_view option) {
  const std::string_view trimmed = text::trim(text);
  if (!trimmed.ends_with('%')) fail("percentage", text, option, "expected e.g. 10%");
  const auto number = plain_number(text::trim(trimmed.substr(0, trimmed.size() - 1)));
  if (!number) fail("percentage", text, option, "expected e.g. 10%");
  if (*number <= 0 || *number > 1000)
    fail("percentage", text, option, "must be above 0% and at most 1000%");
  return *number / 100.0;
}

double parse_fraction(std::string_view text, std::string_view option) {
  std::string_view trimmed = text::trim(text);
  const bool percent = trimmed.ends_with('%');
  if (percent) trimmed = text::trim(trimmed.substr(0, trimmed.size() - 1));
  const auto number = plain_number(trimmed);
  if (!number) fail("fraction", text, option, "expected e.g. 0.9 or 90%");
  const double value = percent ? *number / 100.0 : *number;
  if (!(value > 0 && value < 1))
    fail("fraction", text, option, "must lie strictly between 0 and 1 (0% and 100%)");
  return value;
}

unsigned parse_count(std::string_view text, std::string_view option, unsigned min, unsigned max) {
  const std::string_view trimmed = text::trim(text);
  const bool digits_only =
      !trimmed.empty() && trimmed.find_first_not_of("0123456789") == std::string_view::npos;
  const auto value = digits_only ? text::parse_u64(trimmed) : std::nullopt;
  const std::string range =
      "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!value || *value < min || *value > max) fail("value", text, option, range);
  return static_cast<unsigned>(*value);
}

std::vector<unsigned> parse_worker_list(std::string_view text, std::string_view option,
                                        std::span<const unsigned> auto_counts, unsigned max,
                                        std::string_view limit_reason) {
  std::vector<unsigned> out;
  for (const auto raw : text::split(text, ',')) {
    const std::string_view item = text::trim(raw);
    if (item == "auto") {
      out.insert(out.end(), auto_counts.begin(), auto_counts.end());
      continue;
    }
    const bool digits_only =
        !item.empty() && item.find_first_not_of("0123456789") == std::string_view::npos;
    const auto value = digits_only ? text::parse_u64(item) : std::nullopt;
    if (!value || *value == 0)
      fail("worker count", raw, option, "expected e.g. 1,2,4 or auto; counts start at 1");
    if (*value > max) {
      fail("worker count", raw, option,
           "at most " + std::to_string(max) + ", " + std::string(limit_reason));
    }
    out.push_back(static_cast<unsigned>(*value));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  out.erase(std::remove_if(out.begin(), out.end(), [max](unsigned n) { return n == 0 || n > max; }),
            out.end());
  if (out.empty()) fail("worker list", text, option, "expected e.g. 1,2,4 or auto");
  return out;
}

std::uint64_t parse_byte_size(std::string_view text, std::string_view option, std::uint64_t max) {
  constexpr std::string_view kExample = "expected e.g. 4096, 64KiB, 1MB";
  constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> kByteUnits{
      {{"", 1},
       {"B", 1},
       {"KB", 1000},
       {"MB", 1000 * 1000},
       {"GB", 1000 * 1000 * 1000},
       {"KiB", 1024},
       {"MiB", 1024 * 1024},
       {"GiB", 1024 * 1024 * 1024}}};
  const std::string_view trimmed = text::trim(text);
  const auto cut = trimmed.find_first_not_of("0123456789");
  const std::string_view digits = trimmed.substr(0, cut);
  const std::string_view unit =
      cut == std::string_view::npos ? std::string_view{} : text::trim(trimmed.substr(cut));
  const auto number = digits.empty() ? std::nullopt : text::parse_u64(digits);
  if (!number) fail("size", text, option, kExample);
  const auto found = std::find_if(kByteUnits.begin(), kByteUnits.end(),
                                  [&](const auto& row) { return row.first == unit; });
  if (found == kByteUnits.end()) fail("size", text, option, kExample);
  if (*number > max / found->second) {
    fail("size", text, option, "at most " + std::to_string(max) + " bytes");
  }
  return *number * found->second;
}

std::string format_duration(nanoseconds duration) {
  const std::int64_t ns = duration.count();
  constexpr std::array<std::pair<std::int64_t, std::string_view>, 3> kScales{
      {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}}};
  for (const auto& [scale, name] : kScales) {
    if (ns < scale || ns % (scale / 1000) != 0) continue;
    std::string whole = std::to_string(ns / scale);
    std::int64_t fraction = (ns % scale) / (scale / 1000);
    if (fraction == 0) return whole + std::string(name);
    std::string digits = std::to_string(fraction);
    digits.insert(0, 3 - digits.size(), '0');
    digits.erase(digits.find_last_not_of('0') + 1);
    whole += '.';
    whole += digits;
    whole += name;
    return whole;
  }
  return std::to_string(ns) + "ns";
}

}  // namespace conc_probe::units
