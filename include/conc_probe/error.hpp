#pragma once

#include <stdexcept>
#include <string>

namespace conc_probe {

/// Exit codes of the conc-probe binary (documented in --help and docs/exit-codes.md).
enum class ExitCode : int {
  Success = 0,     ///< everything ran
  RunFailed = 1,   ///< a cell failed: workload error, IO error, worker died
  Usage = 2,       ///< bad usage or bad input file
  Regression = 3,  ///< compare found a regression beyond the threshold
  Interrupted = 130,
};

/// The one error type of the project: a message (without the "conc-probe: error: " prefix)
/// and the exit code the program ends with. Thrown for bad invocations and bad input, caught
/// once in main.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

  /// The exit code this error ends the program with.
  [[nodiscard]] ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

/// A usage or input error (exit code 2).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(ExitCode::Usage, message) {}
};

}  // namespace conc_probe
