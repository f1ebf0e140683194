// Fuzzes the parsers of option values (durations, lists, percentages, counts, worker lists):
// any text is a value or a UsageError, never a crash or another exception.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "conc_probe/error.hpp"
#include "conc_probe/units.hpp"

namespace {

template <class F>
void accept_or_refuse(F&& parse) {
  try {
    parse();
  } catch (const conc_probe::UsageError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace conc_probe::units;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::array<unsigned, 2> auto_counts{2, 8};
  accept_or_refuse([&] {
    const auto duration = parse_duration(text, "--duration");
    (void)parse_duration(format_duration(duration), "--duration");  // what it prints, it reads
  });
  accept_or_refuse([&] { (void)parse_duration_list(text, "--switch-interval"); });
  accept_or_refuse([&] { (void)parse_percentage(text, "--threshold"); });
  accept_or_refuse([&] { (void)parse_count(text, "--repetitions", 1, 1000); });
  accept_or_refuse(
      [&] { (void)parse_worker_list(text, "--workers", auto_counts, 1024, "the cap"); });
  return 0;
}
