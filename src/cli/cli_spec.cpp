// The command line read back from its CLI11 definition (for completions and the man page).
#include "cli/cli_spec.hpp"

#include <algorithm>
#include <optional>

#include "conc_probe/config.hpp"
#include "conc_probe/workload.hpp"

namespace conc_probe::cli {
namespace {

// The choices ride on an inactive validator: it never refuses a value and adds nothing to
// the help text (an inactive validator has no description), but its name and text can be
// read back here.
constexpr const char* kChoices = "conc-probe-choices";
constexpr const char* kListChoices = "conc-probe-list-choices";

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

/// The text of the hidden validator `name` of `option`, if it has one.
std::optional<std::string> hidden_text(CLI::Option& option, const std::string& name) {
  try {
    CLI::Validator copy = *option.get_validator(name);
    copy.active(true);
    return copy.get_description();
  } catch (const CLI::OptionNotFound&) {
    return std::nullopt;
  }
}

OptionSpec option_spec(CLI::Option& option) {
  OptionSpec spec;
  spec.shorts = option.get_snames();
  spec.longs = option.get_lnames();
  if (option.get_positional()) spec.positional = option.get_name(true);
  spec.description = option.get_description();
  spec.default_value = option.get_default_str();
  if (option.get_items_expected_max() > 0) {
    const std::string type = option.get_type_name();
    spec.value_name = type.substr(0, type.find(':'));
  }
  spec.path = spec.value_name == "FILE";
  spec.directory = spec.value_name == "DIR";
  if (auto list = hidden_text(option, kListChoices)) {
    spec.choices = split_commas(*list);
    spec.list = true;
  } else if (auto choices = hidden_text(option, kChoices)) {
    spec.choices = split_commas(*choices);
  }
  return spec;
}

CommandSpec command_spec(CLI::App& app) {
  CommandSpec spec;
  spec.name = app.get_name();
  spec.description = app.get_description();
  spec.footer = app.get_footer();
  for (auto* option : app.get_options({})) {
    // Hidden options (an empty group) are for tests; a positional has no group to hide it.
    if (option->get_group().empty() && !option->get_positional()) continue;
    spec.options.push_back(option_spec(*option));
  }
  for (auto* sub : app.get_subcommands([](CLI::App* s) { return !s->get_group().empty(); }))
    spec.subcommands.push_back(command_spec(*sub));
  return spec;
}

}  // namespace

CLI::Option* set_choices(CLI::Option* option, const std::vector<std::string>& choices, bool list) {
  CLI::Validator note([](const std::string&) { return std::string(); }, join(choices, ","),
                      list ? kListChoices : kChoices);
  note.active(false);
  return option->check(note);
}

CLI::Option* set_choices(CLI::Option* option, FormatTable formats) {
  std::vector<std::string> names;
  names.reserve(formats.size());
  for (const FormatRow& row : formats) names.emplace_back(row.name);
  return set_choices(option, names);
}

CLI::Option* set_choices(CLI::Option* option, const std::string& choices, bool list) {
  return set_choices(option, split_commas(choices), list);
}

std::vector<std::string> mode_names() {
  std::vector<std::string> names;
  for (const Mode mode : all_modes()) names.emplace_back(to_string(mode));
  return names;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& info : workload_catalog()) names.push_back(info.name);
  return names;
}

CommandSpec describe(CLI::App& app) { return command_spec(app); }

}  // namespace conc_probe::cli
