#include "engine/memory_usage.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace conc_probe::engine {
namespace {

/// The number of kilobytes on the line that starts with `key`, in bytes; 0 when absent.
std::uint64_t kilobytes_after(std::string_view text, std::string_view key) noexcept {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    std::size_t digits = key.size();
    while (digits < line.size() && (line[digits] == ' ' || line[digits] == '\t')) ++digits;
    std::uint64_t kb = 0;
    const auto parsed = std::from_chars(line.data() + digits, line.data() + line.size(), kb);
    if (parsed.ec != std::errc{} || kb > UINT64_MAX / 1024) return 0;
    return kb * 1024;
  }
  return 0;
}

/// The first 16 KiB of a /proc file (these are far shorter), or "" when unreadable. Plain
/// system calls: a forked worker process calls this, too.
std::string read_small(const char* path) noexcept {
  std::string out;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buffer[16384];
  std::size_t used = 0;
  for (ssize_t got = 1; got > 0 && used < sizeof buffer; used += static_cast<std::size_t>(got)) {
    got = ::read(fd, buffer + used, sizeof buffer - used);
    if (got <= 0) break;
  }
  ::close(fd);
  try {
    out.assign(buffer, used);
  } catch (...) {  // no memory: unknown
  }
  return out;
}

}  // namespace

std::uint64_t parse_pss(std::string_view smaps_rollup) noexcept {
  return kilobytes_after(smaps_rollup, "Pss:");
}

std::uint64_t parse_peak_rss(std::string_view status) noexcept {
  return kilobytes_after(status, "VmHWM:");
}

MemoryUsage own_memory() noexcept {
  return MemoryUsage{parse_peak_rss(read_small("/proc/self/status")),
                     parse_pss(read_small("/proc/self/smaps_rollup"))};
}

void reset_peak_rss() noexcept {
  const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  // A failed write leaves the peak at the process's lifetime peak: an overstatement the
  // documentation names.
  (void)!::write(fd, "5", 1);
  ::close(fd);
}

}  // namespace conc_probe::engine
