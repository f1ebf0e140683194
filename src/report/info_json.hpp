#pragma once

#include <nlohmann/json.hpp>

#include "conc_probe/platform.hpp"

/// The JSON form of `conc-probe info`, shared by the info reporter and the bench report's
/// context. Described by docs/schema/info.schema.json.
namespace conc_probe::report {

/// Version of the info JSON layout; bumped on any incompatible change.
inline constexpr const char* kInfoSchemaVersion = "1.1";

/// The whole report as JSON: `schema_version` first, sections in a fixed order, numbers as
/// numbers, null for every unknown value. Never throws for any report content.
nlohmann::ordered_json info_to_json(const PlatformReport& report);

}  // namespace conc_probe::report
