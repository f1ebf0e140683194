#pragma once

#include <CLI/CLI.hpp>
#include <functional>

/// One registration function per subcommand, one file each. A registration adds the
/// subcommand and its options to `app` and returns the action to run when it was chosen;
/// the action returns the exit code.
namespace conc_probe::cli {

using Action = std::function<int()>;

Action add_info_command(CLI::App& app);
Action add_bench_command(CLI::App& app);
Action add_list_command(CLI::App& app);
Action add_compare_command(CLI::App& app);
Action add_report_command(CLI::App& app);
Action add_show_command(CLI::App& app);
/// The hidden entry point of spawned worker processes.
Action add_worker_command(CLI::App& app);

/// True when the stream is a terminal.
bool is_terminal(int fd) noexcept;
/// Colour is allowed: stdout is a terminal and NO_COLOR is unset or empty.
bool color_allowed(int fd) noexcept;
/// Columns to fit text output on `fd` into: the terminal's width (TIOCGWINSZ), else the
/// COLUMNS variable, else 0 (no limit: a pipe gets whole lines).
unsigned output_width(int fd) noexcept;

}  // namespace conc_probe::cli
