#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// Strict parsers for option values with units. Each takes the option's name (e.g.
/// "--duration") for its message and throws UsageError, naming the bad text, the option and
/// an example of what is expected, e.g.
/// `invalid duration '5 parsecs' for --duration (expected e.g. 300ms, 1.5s)`.
namespace conc_probe::units {

/// Largest duration any option accepts (one day): anything longer is a typo.
inline constexpr std::chrono::hours kMaxDuration{24};

/// Parses a positive duration: a decimal number and a unit ns, us (or µs), ms, s, m/min or
/// h — "300ms", "1.5s", "100us". Zero, negative, unit-less, non-finite, below one
/// nanosecond or above kMaxDuration values are rejected.
std::chrono::nanoseconds parse_duration(std::string_view text, std::string_view option);

/// Parses a comma-separated list of durations ("5ms,1ms,100us"), each as parse_duration;
/// duplicates removed, order kept. An empty list or empty item is rejected.
std::vector<std::chrono::nanoseconds> parse_duration_list(std::string_view text,
                                                          std::string_view option);

/// Parses a percentage "10%" (or "2.5%") into a fraction (0.10). The '%' is required;
/// values outside (0, 1000] % are rejected.
double parse_percentage(std::string_view text, std::string_view option);

/// Parses a fraction strictly between 0 and 1, written "0.9" or "90%".
double parse_fraction(std::string_view text, std::string_view option);

/// Parses a whole number in [min, max] ("5"); rejects signs, fractions, units and
/// anything out of range, saying which range is allowed.
unsigned parse_count(std::string_view text, std::string_view option, unsigned min, unsigned max);

/// Parses a worker list "1,2,4", where the word "auto" stands for `auto_counts`. Each count
/// must lie in [1, max]; the result is sorted and duplicates removed. The message for a
/// count above `max` ends with `limit_reason` (e.g. "the process limit").
std::vector<unsigned> parse_worker_list(std::string_view text, std::string_view option,
                                        std::span<const unsigned> auto_counts, unsigned max,
                                        std::string_view limit_reason);

/// Parses a byte size: a whole number and an optional unit B, KB, MB, GB (powers of 1000)
/// or KiB, MiB, GiB (powers of 1024) — "4096", "64KiB", "1MB". Zero is allowed (= none);
/// signs, fractions, unknown units and values above `max` bytes are rejected.
std::uint64_t parse_byte_size(std::string_view text, std::string_view option, std::uint64_t max);

/// Formats a duration the way the parsers read it, shortest exact unit: "5ms", "1.5s",
/// "100us", "250ns".
std::string format_duration(std::chrono::nanoseconds duration);

}  // namespace conc_probe::units
