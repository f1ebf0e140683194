#pragma once

namespace conc_probe::cli {

/// Parses the command line, runs the chosen subcommand and returns the exit code. Throws
/// conc_probe::Error for bad usage (the caller prints it).
int run(int argc, char** argv);

}  // namespace conc_probe::cli
