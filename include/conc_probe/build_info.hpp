#pragma once

#include <string_view>

namespace conc_probe {

/// Facts about this binary, fixed when it was configured.
struct BuildInfo {
  std::string_view version;       ///< semantic version, e.g. "0.1.0"
  std::string_view git_revision;  ///< short commit id, or "unknown" outside a git checkout
  std::string_view build_type;    ///< CMake build type, plus sanitizers if any
  std::string_view compiler;      ///< compiler id and version
};

/// Returns the build facts of this binary.
const BuildInfo& build_info() noexcept;

}  // namespace conc_probe
