#include "cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "conc_probe/build_info.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::cli {
namespace {

constexpr const char* kFooter = R"(Exit codes:
  0  success
  1  a run failed (workload error, IO error, worker died)
  2  bad usage or bad input file
  3  regression beyond the threshold (compare, bench --baseline)

Run 'conc-probe SUBCOMMAND --help' for a subcommand's options.)";

std::string version_text() {
  const auto& build = build_info();
  return std::string("conc-probe ") + std::string(build.version) + " (git " +
         std::string(build.git_revision) + ", " + std::string(build.build_type) + ", " +
         std::string(build.compiler) + ")";
}

std::vector<std::string> names_of(const CLI::App& app, bool subcommands) {
  std::vector<std::string> names;
  if (subcommands) {
    for (const auto* sub :
         app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
      names.push_back(sub->get_name());
    }
    return names;
  }
  for (const auto* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

/// Turns a CLI11 parse error into our one-line message, with a suggestion for a mistyped
/// subcommand or flag.
std::string describe(const CLI::ParseError& error, const CLI::App& app,
                     const std::vector<std::string>& args) {
  const CLI::App* chosen = &app;
  for (const auto* sub : app.get_subcommands()) chosen = sub;
  std::string message = error.what();
  const auto subcommands = names_of(app, true);
  if (chosen == &app && !args.empty() && !args.front().starts_with("-") &&
      std::find(subcommands.begin(), subcommands.end(), args.front()) == subcommands.end()) {
    message = "unknown subcommand '" + args.front() + "'";
    if (auto hint = text::suggest(args.front(), subcommands))
      message += " (did you mean '" + *hint + "'?)";
    return message;
  }
  if (chosen == &app && !args.empty() && args.front().starts_with("-")) {
    message = "unknown option '" + args.front() + "'";
    if (auto hint = text::suggest(args.front(), names_of(app, false)))
      message += " (did you mean '" + *hint + "'?)";
    return message;
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    const auto& extras = chosen->remaining();
    const std::string word = extras.empty() ? std::string() : extras.front();
    const bool is_flag = word.starts_with("-");
    if (chosen == &app && !is_flag && !word.empty()) {
      message = "unknown subcommand '" + word + "'";
    } else if (!word.empty()) {
      message = "unknown " + std::string(is_flag ? "option" : "argument") + " '" + word + "'";
    }
    const auto candidates = names_of(*chosen, chosen == &app && !is_flag);
    const auto bare = word.substr(0, word.find('='));
    if (auto hint = text::suggest(bare, candidates)) message += " (did you mean '" + *hint + "'?)";
  }
  return message;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "conc-probe: what machine am I really on, and how do threads, a GIL-style lock and\n"
      "processes behave on it for CPU-bound and IO-bound work?",
      "conc-probe"};
  app.footer(kFooter);
  app.set_version_flag("-V,--version", version_text());
  app.require_subcommand(1);
  std::map<const CLI::App*, Action> actions;
  const auto add = [&](Action (*registrar)(CLI::App&)) {
    const auto before = app.get_subcommands({}).size();
    Action action = registrar(app);
    const auto subs = app.get_subcommands({});
    if (subs.size() > before) actions[subs.back()] = std::move(action);
  };
  // When the first word names a subcommand, only that one is built: the others' options
  // cost start-up time (most visible in `conc-probe info`) and cannot apply anyway.
  // Anything else (help, a typo, a flag) builds them all for the help text and suggestions.
  struct Entry {
    std::string_view name;
    Action (*registrar)(CLI::App&);
    bool whole = false;  ///< reads the whole command line: every subcommand is built
  };
  static constexpr Entry kCommands[] = {{"info", add_info_command},
                                        {"bench", add_bench_command},
                                        {"compare", add_compare_command},
                                        {"list", add_list_command},
                                        {"report", add_report_command},
                                        {"show", add_show_command},
                                        {"completions", add_completions_command, true},
                                        {"man", add_man_command, true},
                                        {"__worker", add_worker_command},
                                        {"__forkserver", add_fork_server_command},
                                        {"__mpi-worker", add_mpi_worker_command}};
  const std::string_view first = argc > 1 ? std::string_view(argv[1]) : std::string_view();
  const auto named = std::find_if(std::begin(kCommands), std::end(kCommands),
                                  [&](const Entry& entry) { return entry.name == first; });
  if (named != std::end(kCommands) && !named->whole) {
    add(named->registrar);
  } else {
    for (const auto& entry : kCommands) add(entry.registrar);
  }

  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    throw UsageError(describe(e, app, args));
  }
  for (const auto* sub : app.get_subcommands()) {
    if (auto it = actions.find(sub); it != actions.end()) return it->second();
  }
  throw UsageError("no subcommand given (try 'conc-probe --help')");
}

const CLI::Validator& non_empty() {
  static const CLI::Validator validator(
      [](const std::string& value) { return value.empty() ? std::string("empty value") : ""; }, "",
      "NON_EMPTY");
  return validator;
}

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

bool color_allowed(int fd) noexcept {
  if (color_choice() == ColorChoice::Always) return true;
  if (color_choice() == ColorChoice::Never) return false;
  // The environment is read on the main thread, before or after the workers run.
  const char* term = std::getenv("TERM");  // NOLINT(concurrency-mt-unsafe)
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  const char* no_color = std::getenv("NO_COLOR");  // NOLINT(concurrency-mt-unsafe)
  if (no_color != nullptr && *no_color != '\0') return false;
  return is_terminal(fd);
}

}  // namespace conc_probe::cli
