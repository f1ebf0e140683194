// Fuzzes the /proc/stat parser of the noise check: any text is ticks or nothing, never a
// crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/noise.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)conc_probe::engine::parse_proc_stat(text);
  return 0;
}
