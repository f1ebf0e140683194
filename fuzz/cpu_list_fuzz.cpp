// Fuzzes the kernel cpu-list parser: it must never crash, and what it accepts must survive a
// round trip through its own text form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "conc_probe/cpu_set.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto set = conc_probe::CpuSet::parse(text);
  if (set) {
    const auto again = conc_probe::CpuSet::parse(set->to_string());
    if (!again || !(*again == *set)) std::abort();
  }
  return 0;
}
