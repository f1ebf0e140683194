#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conc_probe/result.hpp"

/// Helpers shared by the bench reporters (one file per format): the text of a cell's name,
/// human units, and the JSON form that the json reporter and `-o` files use.
namespace conc_probe::report {

/// "count", "threads×2", "gil×2 @5ms": how the table names a cell's mode column.
std::string cell_mode_label(const CellKey& key);

/// A duration in seconds with 3 significant digits and a unit: "1.23 s", "45.6 ms",
/// "812 us", "95 ns"; "-" when not finite.
std::string human_seconds(double seconds);

/// A rate with 3 significant digits and a k/M/G suffix: "12.3k", "950", "1.20M".
std::string human_rate(double per_second);

/// A size in bytes with 3 significant digits and a binary unit: "812 B", "5.20 MiB".
std::string human_bytes(double bytes);

/// The data a cell moved (--input-size, --result-size): "1.00 MiB in 2.31 ms", "0 B", or
/// "-" when it moved none.
std::string data_moved_text(const CellResult& cell);
/// The start-up median; with a fork server its own start-up apart: "srv 3.10 ms + 412 us/w".
std::string startup_text(const CellResult& cell);

/// A plain number with `decimals` decimals ("1.93"); "-" when not finite.
std::string fixed(double value, int decimals);

/// "1.93× [1.80, 2.01]" or "-" when absent.
std::string speedup_text(const std::optional<Ratio>& speedup);

/// The marks of a cell: "FAILED: <error>", "CHECKSUM MISMATCH", "BUSY: others took 0.4 of
/// the 2 CPUs this cell needed", "QUOTA: throttled 38 ms of 200 ms", "note: ..."; empty
/// when clean.
std::vector<std::string> cell_marks(const CellResult& cell);

/// How the report's intervals are labelled: "95% CI" when every cell's intervals reach
/// 95%, else the lowest real coverage ("93.8% CI") — never a level they do not have.
std::string interval_label(const BenchReport& report);

/// The preamble's line about repetitions: "6 repetitions each" or "6-30 repetitions
/// (adaptive, to ±2%)".
std::string repetitions_text(const BenchReport& report);

/// The run's CPU quota line ("CPU quota: 1.2 CPUs (cgroup /x); throttling is shown per
/// cell and not counted as interference"), or "" without a quota.
std::string quota_text(const BenchReport& report);

/// The line naming the CPython whose lock the gil cells model ("gil cells: CPython 2.7's
/// lock (legacy: released every 100 ticks, no drop requests)"), or "" when the run named none
/// or has no gil cell.
std::string python_lock_text(const BenchReport& report);

/// The whole bench report as JSON (schema docs/schema/bench.schema.json, version
/// kBenchSchemaVersion). Never throws for any report content; non-finite numbers are null.
nlohmann::ordered_json bench_to_json(const BenchReport& report);

/// Version of the bench JSON layout.
inline constexpr const char* kBenchSchemaVersion = "1.4";

}  // namespace conc_probe::report
