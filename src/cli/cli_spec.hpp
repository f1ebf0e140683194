#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "conc_probe/format.hpp"

/// The command line as plain data, read from the CLI11 definition itself, so that shell
/// completions and the man page list exactly the options the parser accepts.
namespace conc_probe::cli {

/// One option or positional argument.
struct OptionSpec {
  std::vector<std::string> shorts;  ///< "m" for -m
  std::vector<std::string> longs;   ///< "mode" for --mode
  std::string positional;           ///< "BASE" for a positional argument, else empty
  std::string value_name;           ///< "LIST"; empty for a flag
  std::string description;
  std::string default_value;         ///< as the help shows it; may be empty
  std::vector<std::string> choices;  ///< the fixed set of values, if there is one
  bool list = false;                 ///< the value is a comma-separated list of choices
  bool path = false;                 ///< the value names a file (value name FILE)
  bool directory = false;            ///< the value names a directory (value name DIR)
};

/// One (sub)command: its visible options and positionals, and (for the program) its
/// visible subcommands. Hidden ones (an empty group) are left out.
struct CommandSpec {
  std::string name;
  std::string description;
  std::string footer;
  std::vector<OptionSpec> options;
  std::vector<CommandSpec> subcommands;
};

/// Declares the fixed set of values `option` takes, for completions and the man page.
/// Parsing is unchanged (the option's own validation still applies); `list`: the value is
/// a comma-separated list of them.
CLI::Option* set_choices(CLI::Option* option, const std::vector<std::string>& choices,
                         bool list = false);
/// The same with the choices comma-separated ("table,json").
CLI::Option* set_choices(CLI::Option* option, const std::string& choices, bool list = false);

/// The same with a subcommand's table of output formats.
CLI::Option* set_choices(CLI::Option* option, FormatTable formats);

/// The names --mode takes (all_modes) and --workload takes (the workload catalog).
std::vector<std::string> mode_names();
std::vector<std::string> workload_names();

/// Reads `app` (the program with all its subcommands registered).
CommandSpec describe(CLI::App& app);

/// `conc-probe completions SHELL`: the script for bash, zsh or fish.
std::string bash_completion(const CommandSpec& program);
std::string zsh_completion(const CommandSpec& program);
std::string fish_completion(const CommandSpec& program);

/// `conc-probe man`: the manual page (roff, man(7) macros), with the workloads and modes.
std::string man_page(const CommandSpec& program);

}  // namespace conc_probe::cli
