#pragma once

#include <cstdint>
#include <optional>
#include <string>

/// Names for the ids of the ARM Main ID Register (MIDR_EL1) that Linux prints in
/// /proc/cpuinfo as "CPU implementer" and "CPU part". The tables are the project's own,
/// built from vendors' public documentation (sources in docs/topology.md).
namespace conc_probe::platform {

/// The implementer's name ("ARM" for 0x41, "Apple" for 0x61, ...), nullopt when unknown.
std::optional<std::string> arm_implementer_name(std::uint64_t implementer);

/// The core's name ("Cortex-A76", "Neoverse-N1", "Apple M1 Firestorm", ...) for an
/// implementer and part number, nullopt when the pair is not in the tables.
std::optional<std::string> arm_part_name(std::uint64_t implementer, std::uint64_t part);

}  // namespace conc_probe::platform
