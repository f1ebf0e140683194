// Fuzzes the cpu-list parser with long lists: the input's bytes choose ranges anywhere up to
// CpuSet::kMaxCpu and how often the list repeats, up to a 64 KB text. The parser must give
// exactly the set a bitmap gives, and its memory must stay bounded by the input (libFuzzer's
// -rss_limit_mb catches a list that is expanded range by range).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"

using conc_probe::CpuSet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  const std::size_t repeats = 1 + data[0] % 64;
  std::string piece;
  std::vector<bool> expected(CpuSet::kMaxCpu + 1);
  for (std::size_t i = 1; i + 4 <= size && i < 1 + 4 * 256; i += 4) {
    const unsigned a = (data[i] | (data[i + 1] << 8U)) % (CpuSet::kMaxCpu + 1);
    const unsigned b = (data[i + 2] | (data[i + 3] << 8U)) % (CpuSet::kMaxCpu + 1);
    const unsigned lo = a < b ? a : b;
    const unsigned hi = a < b ? b : a;
    if (!piece.empty()) piece += ',';
    piece += lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
    for (unsigned cpu = lo; cpu <= hi; ++cpu) expected[cpu] = true;
  }
  std::string text;
  for (std::size_t r = 0; r < repeats && text.size() < 64 * 1024; ++r) {
    if (!text.empty()) text += ',';
    text += piece;
  }
  const auto set = CpuSet::parse(text);
  if (!set) std::abort();  // every piece is well formed
  std::size_t count = 0;
  for (unsigned cpu = 0; cpu <= CpuSet::kMaxCpu; ++cpu) {
    if (expected[cpu] != set->contains(cpu)) std::abort();
    count += expected[cpu] ? 1 : 0;
  }
  if (count != set->size()) std::abort();
  return 0;
}
