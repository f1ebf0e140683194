// `conc-probe completions bash|zsh|fish`: the shell's completion script, from the command
// line's definition.
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::cli {
namespace {

constexpr const char* kShells = "bash,zsh,fish";

int run_completions(CLI::App& app, const std::string& shell) {
  const CommandSpec program = describe(app);
  if (shell == "bash") {
    write_stdout(bash_completion(program));
  } else if (shell == "zsh") {
    write_stdout(zsh_completion(program));
  } else if (shell == "fish") {
    write_stdout(fish_completion(program));
  } else {
    std::string message =
        "unknown shell '" + shell + "' for completions (choose bash, zsh or fish)";
    const std::vector<std::string> shells{"bash", "zsh", "fish"};
    if (auto hint = text::suggest(shell, shells))
      message = "unknown shell '" + shell + "' for completions (did you mean '" + *hint + "'?)";
    throw UsageError(message);
  }
  return 0;
}

}  // namespace

Action add_completions_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* command =
      app.add_subcommand("completions", "Print the shell completion script for bash, zsh or fish");
  command->group("Subcommands");
  set_choices(command->add_option("SHELL", *shell, "bash, zsh or fish")->required(), kShells);
  command->footer(
      "Examples:\n  source <(conc-probe completions bash)\n"
      "  conc-probe completions zsh > ~/.zfunc/_conc-probe\n"
      "  conc-probe completions fish > ~/.config/fish/completions/conc-probe.fish\n"
      "Packages install them where bash-completion, zsh and fish look.");
  return [&app, shell] { return run_completions(app, *shell); };
}

Action add_man_command(CLI::App& app) {
  auto* command = app.add_subcommand("man", "internal: print the manual page (roff)");
  command->group("");  // hidden: the build writes the page from it
  return [&app] {
    write_stdout(man_page(describe(app)));
    return 0;
  };
}

}  // namespace conc_probe::cli
