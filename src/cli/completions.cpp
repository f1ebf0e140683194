// Shell completions for bash, zsh and fish, written from the command line's definition.
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli_spec.hpp"

namespace conc_probe::cli {
namespace {

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

/// "-m|--mode": the words that name an option, for a shell `case` pattern.
std::vector<std::string> flag_words(const OptionSpec& option) {
  std::vector<std::string> words;
  for (const auto& s : option.shorts) words.push_back("-" + s);
  for (const auto& l : option.longs) words.push_back("--" + l);
  return words;
}

std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// --- bash -------------------------------------------------------------------------

/// The `case "$prev"` arm that completes the value of one option.
void bash_value_arm(std::ostream& out, const OptionSpec& option) {
  out << "        " << join(flag_words(option), "|") << ")\n          ";
  if (!option.choices.empty()) {
    out << (option.list ? "_conc_probe_list " : "_conc_probe_words ")
        << single_quoted(join(option.choices, " "));
  } else if (option.directory) {
    out << "COMPREPLY=($(compgen -d -- \"$cur\"))";
  } else if (option.path) {
    out << "COMPREPLY=($(compgen -f -- \"$cur\"))";
  } else {
    out << "COMPREPLY=()";  // a number, a duration, a key: nothing to offer
  }
  out << "\n          return ;;\n";
}

void bash_command(std::ostream& out, const CommandSpec& command, const std::string& label) {
  std::vector<std::string> flags;
  std::vector<const OptionSpec*> positionals;
  out << "    " << label << ")\n      case \"$prev\" in\n";
  for (const auto& option : command.options) {
    if (!option.positional.empty()) {
      positionals.push_back(&option);
      continue;
    }
    for (const auto& word : flag_words(option)) flags.push_back(word);
    if (!option.value_name.empty()) bash_value_arm(out, option);
  }
  out << "      esac\n      if [[ \"$cur\" == -* ]]; then\n        _conc_probe_words "
      << single_quoted(join(flags, " ")) << "\n";
  if (!command.subcommands.empty()) {
    std::vector<std::string> names;
    for (const auto& sub : command.subcommands) names.push_back(sub.name);
    out << "      else\n        _conc_probe_words " << single_quoted(join(names, " ")) << "\n";
  } else if (!positionals.empty()) {
    const OptionSpec& first = *positionals.front();
    out << "      else\n        ";
    if (!first.choices.empty()) {
      out << "_conc_probe_words " << single_quoted(join(first.choices, " "));
    } else {
      out << "COMPREPLY=($(compgen -f -- \"$cur\"))";
    }
    out << "\n";
  }
  out << "      fi ;;\n";
}

// --- zsh --------------------------------------------------------------------------

/// Text inside a single-quoted zsh word; `in_brackets`: an _arguments description, where
/// a bracket would end it; `message`: an _arguments message, where a colon would end it.
std::string zsh_text(const std::string& text, bool in_brackets = false, bool message = false) {
  std::string out;
  for (const char c : text) {
    if (in_brackets && (c == '[' || c == ']')) {
      out += c == '[' ? '(' : ')';
    } else if (message && c == ':') {
      out += "\\:";
    } else if (c == '\'') {
      out += "'\\''";
    } else {
      out += c == '\n' ? ' ' : c;
    }
  }
  return out;
}

std::string zsh_action(const OptionSpec& option) {
  if (!option.choices.empty()) {
    if (option.list) return "_sequence compadd - " + join(option.choices, " ");
    return "(" + join(option.choices, " ") + ")";
  }
  if (option.directory) return "_files -/";
  if (option.path) return "_files";
  return " ";
}

void zsh_arguments(std::ostream& out, const CommandSpec& command, const char* indent) {
  out << indent << "_arguments -s -S";
  int position = 0;
  for (const auto& option : command.options) {
    out << " \\\n" << indent << "  ";
    if (!option.positional.empty()) {
      out << "'" << ++position << ":" << zsh_text(option.positional, false, true) << ":"
          << zsh_text(zsh_action(option)) << "'";
      continue;
    }
    const auto words = flag_words(option);
    const std::string value =
        option.value_name.empty()
            ? std::string()
            : ":" + zsh_text(option.value_name, false, true) + ":" + zsh_text(zsh_action(option));
    const std::string body = "[" + zsh_text(option.description, true) + "]" + value + "'";
    if (words.size() == 1) {
      out << "'" << words.front() << (option.value_name.empty() ? "" : "=") << body;
    } else {
      out << "'(" << join(words, " ") << ")'{" << join(words, ",") << "}'" << body;
    }
  }
  out << "\n";
}

// --- fish -------------------------------------------------------------------------

std::string fish_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "'";
}

void fish_option(std::ostream& out, const std::string& condition, const OptionSpec& option) {
  out << "complete -c conc-probe -n " << fish_quoted(condition);
  for (const auto& s : option.shorts) out << " -s " << s;
  for (const auto& l : option.longs) out << " -l " << l;
  if (!option.value_name.empty()) {
    if (!option.choices.empty()) {
      out << " -x -a " << fish_quoted(join(option.choices, " "));
    } else if (option.path || option.directory) {
      out << " -r -F";
    } else {
      out << " -x";
    }
  }
  out << " -d " << fish_quoted(option.description) << "\n";
}

}  // namespace

std::string bash_completion(const CommandSpec& program) {
  std::ostringstream out;
  out << "# bash completion for conc-probe, written by `conc-probe completions bash`.\n"
         "_conc_probe_words() {\n"
         "  COMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))\n"
         "}\n"
         "# A comma-separated list: complete its last item.\n"
         "_conc_probe_list() {\n"
         "  local done=\"\" last=\"$cur\"\n"
         "  if [[ \"$cur\" == *,* ]]; then done=\"${cur%,*},\"; last=\"${cur##*,}\"; fi\n"
         "  COMPREPLY=($(compgen -P \"$done\" -W \"$1\" -- \"$last\"))\n"
         "}\n"
         "_conc_probe() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"\" command=\"\" i\n"
         "  (( COMP_CWORD > 0 )) && prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
         "  # --option=value: bash splits it at '='.\n"
         "  if [[ \"$cur\" == \"=\" ]]; then cur=\"\"; fi\n"
         "  if [[ \"$prev\" == \"=\" ]] && (( COMP_CWORD > 1 )); then "
         "prev=\"${COMP_WORDS[COMP_CWORD-2]}\"; fi\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case \"${COMP_WORDS[i]}\" in\n";
  for (const auto& sub : program.subcommands)
    out << "      " << sub.name << ") command=" << sub.name << "; break ;;\n";
  out << "    esac\n  done\n  case \"$command\" in\n";
  bash_command(out, program, "\"\"");
  for (const auto& sub : program.subcommands) bash_command(out, sub, sub.name);
  out << "  esac\n}\ncomplete -F _conc_probe conc-probe\n";
  return out.str();
}

std::string zsh_completion(const CommandSpec& program) {
  std::ostringstream out;
  out << "#compdef conc-probe\n"
         "# zsh completion for conc-probe, written by `conc-probe completions zsh`.\n"
         "_conc_probe() {\n"
         "  local curcontext=\"$curcontext\" state line\n"
         "  typeset -A opt_args\n"
         "  _arguments -C -s \\\n";
  for (const auto& option : program.options) {
    const auto words = flag_words(option);
    out << "    '(- *)'{" << join(words, ",") << "}'[" << zsh_text(option.description, true)
        << "]' \\\n";
  }
  out << "    '1:subcommand:->command' \\\n    '*:: :->args'\n"
         "  case $state in\n    command)\n      local -a commands\n      commands=(\n";
  for (const auto& sub : program.subcommands)
    out << "        '" << sub.name << ":" << zsh_text(sub.description) << "'\n";
  out << "      )\n      _describe -t commands 'conc-probe subcommand' commands ;;\n"
         "    args)\n      case $words[1] in\n";
  for (const auto& sub : program.subcommands) {
    out << "        " << sub.name << ")\n";
    zsh_arguments(out, sub, "          ");
    out << "          ;;\n";
  }
  out << "      esac ;;\n  esac\n}\n_conc_probe \"$@\"\n";
  return out.str();
}

std::string fish_completion(const CommandSpec& program) {
  std::ostringstream out;
  std::vector<std::string> names;
  for (const auto& sub : program.subcommands) names.push_back(sub.name);
  const std::string none = "not __fish_seen_subcommand_from " + join(names, " ");
  out << "# fish completion for conc-probe, written by `conc-probe completions fish`.\n"
         "complete -c conc-probe -f\n";
  for (const auto& option : program.options) fish_option(out, none, option);
  for (const auto& sub : program.subcommands) {
    out << "complete -c conc-probe -n " << fish_quoted(none) << " -a " << sub.name << " -d "
        << fish_quoted(sub.description) << "\n";
  }
  for (const auto& sub : program.subcommands) {
    const std::string seen = "__fish_seen_subcommand_from " + sub.name;
    for (const auto& option : sub.options) {
      if (option.positional.empty()) {
        fish_option(out, seen, option);
      } else if (!option.choices.empty()) {
        out << "complete -c conc-probe -n " << fish_quoted(seen) << " -a "
            << fish_quoted(join(option.choices, " ")) << "\n";
      } else {
        out << "complete -c conc-probe -n " << fish_quoted(seen) << " -F\n";
      }
    }
  }
  return out.str();
}

}  // namespace conc_probe::cli
