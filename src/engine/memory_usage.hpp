#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

/// The memory a worker costs: its peak resident set and its proportional set size (PSS:
/// each page's size divided by the processes that share it, so the PSS of processes forked
/// from one parent adds up to what they really take).
namespace conc_probe::engine {

struct MemoryUsage {
  std::uint64_t peak_rss_bytes = 0;  ///< VmHWM of /proc/PID/status; 0 = unknown
  std::uint64_t pss_bytes = 0;       ///< Pss of /proc/PID/smaps_rollup; 0 = unknown
};

/// Parses the "Pss:" line of smaps_rollup text ("Pss:  1234 kB"); 0 when absent.
std::uint64_t parse_pss(std::string_view smaps_rollup) noexcept;
/// Parses the "VmHWM:" line of status text; 0 when absent.
std::uint64_t parse_peak_rss(std::string_view status) noexcept;

/// This process's memory now (and its peak since the last reset_peak_rss). Unknown fields
/// stay 0 where /proc does not have them (not Linux, a kernel before 4.14 for smaps_rollup).
MemoryUsage own_memory() noexcept;

/// Resets this process's peak resident set to its current size (clear_refs "5", Linux 4.0
/// and later), so the next own_memory() reports the peak of what runs in between. Does
/// nothing where that is not possible.
void reset_peak_rss() noexcept;

}  // namespace conc_probe::engine
