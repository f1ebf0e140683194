#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// Small text helpers shared by every parser of outside input. None of them throws on
/// malformed text: they return std::nullopt (or an empty result) instead.
namespace conc_probe::text {

/// Removes leading and trailing ASCII white space and NUL bytes.
std::string_view trim(std::string_view s) noexcept;

/// Splits on one character; keeps empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);

/// Parses a whole string (after trimming) as a non-negative integer in base 10 (or 16 with
/// a 0x prefix). std::nullopt on anything else, including overflow.
std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept;

/// Parses a whole string (after trimming) as a signed integer in base 10.
std::optional<std::int64_t> parse_i64(std::string_view s) noexcept;

/// Parses a whole string (after trimming) as a finite double.
std::optional<double> parse_double(std::string_view s) noexcept;

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely
/// typo (distance at most a third of the word's length, and at least 1..2); else nullopt.
std::optional<std::string> suggest(std::string_view word, std::span<const std::string> candidates);

/// `s` with every control character (newline, ESC, DEL, ...) written as an escape (\n,
/// \t, \x1b), so that outside text cannot break a one-line message or drive a terminal.
std::string printable(std::string_view s);

/// Levenshtein distance between two strings.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace conc_probe::text
