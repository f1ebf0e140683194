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
Action add_fork_server_command(CLI::App& app);
/// `completions SHELL` and the hidden `man`: they read the whole command line, so every
/// subcommand must be registered before their action runs.
Action add_completions_command(CLI::App& app);
Action add_man_command(CLI::App& app);
/// The hidden entry point of the ranks of mpi cells.
Action add_mpi_worker_command(CLI::App& app);

/// --color: when the table may use colour.
enum class ColorChoice { Auto, Always, Never };
/// The --color given on the command line (Auto when none).
ColorChoice color_choice() noexcept;
/// Adds `--color auto|always|never` to a subcommand whose output may be coloured.
void add_color_option(CLI::App& command);
/// A validator that refuses an empty value ("--output ''" is a mistake, not "not given").
const CLI::Validator& non_empty();

/// True when the stream is a terminal.
bool is_terminal(int fd) noexcept;
/// Colour is allowed: --color always; or --color auto (the default), the stream is a
/// terminal, TERM is not "dumb" and NO_COLOR is unset or empty.
bool color_allowed(int fd) noexcept;
/// Columns to fit text output on `fd` into: the terminal's width (TIOCGWINSZ), else the
/// COLUMNS variable, else 0 (no limit: a pipe gets whole lines).
unsigned output_width(int fd) noexcept;

}  // namespace conc_probe::cli
