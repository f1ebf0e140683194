#pragma once

#include <iosfwd>

#include "conc_probe/platform.hpp"
#include "conc_probe/reporter.hpp"

namespace conc_probe::report {

/// Writes the human-readable `conc-probe info`: one group per section, each value with the
/// place it came from; "unknown" where the probe could not tell.
void write_info_table(std::ostream& out, const PlatformReport& report, Style style);

}  // namespace conc_probe::report
