// Fuzzes the reader of bench JSON result files (`conc-probe compare`): any input is either a
// run or a UsageError, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "conc_probe/compare.hpp"
#include "conc_probe/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto run = conc_probe::parse_run(text, "fuzz.json");
    (void)conc_probe::compare_runs(run, run, conc_probe::CompareOptions{.resamples = 20});
  } catch (const conc_probe::UsageError&) {
  }
  return 0;
}
