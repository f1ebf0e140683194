#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "conc_probe/format.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/result.hpp"

namespace conc_probe {

/// The formats of `conc-probe info`: table, json.
FormatTable info_formats();
/// The formats of `conc-probe bench` (and `show`): table, json, markdown, csv.
FormatTable bench_formats();

/// Writes `conc-probe info` output.
void write_info(std::ostream& out, const PlatformReport& report, Format format, Style style = {});

/// Looks up one dotted key of the info JSON (e.g. "cpu.usable"); throws UsageError with a
/// suggestion for an unknown key. Scalars print bare (no quotes), null as "unknown".
std::string info_get(const PlatformReport& report, std::string_view key);

/// Writes a `conc-probe bench` report.
void write_bench(std::ostream& out, const BenchReport& report, Format format, Style style = {});

/// Writes the terminal timeline (who held the simulated lock, who waited, who was in IO) of
/// every `gil` cell that recorded one (bench --timeline), `width` columns wide.
void write_bench_timelines(std::ostream& out, const BenchReport& report, unsigned width = 100);

/// Writes every recorded `gil` cell's timeline as one Chrome trace-event JSON document
/// (one trace process per cell), which ui.perfetto.dev and chrome://tracing open.
void write_bench_trace(std::ostream& out, const BenchReport& report);

}  // namespace conc_probe
