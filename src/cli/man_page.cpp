// The manual page, written from the command line's definition and the workload catalog.
#include <sstream>
#include <string>
#include <string_view>

#include "cli/cli_spec.hpp"
#include "conc_probe/build_info.hpp"
#include "conc_probe/mode.hpp"
#include "conc_probe/workload.hpp"

namespace conc_probe::cli {
namespace {

/// Text safe in a roff line: backslashes and hyphens escaped, no line starting a request.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

/// "\fB\-m\fR, \fB\-\-mode\fR \fILIST\fR"
std::string option_title(const OptionSpec& option) {
  if (!option.positional.empty()) return "\\fI" + roff(option.positional) + "\\fR";
  std::string title;
  for (const auto& s : option.shorts)
    title += (title.empty() ? "" : ", ") + ("\\fB\\-" + s + "\\fR");
  for (const auto& l : option.longs)
    title += (title.empty() ? "" : ", ") + ("\\fB\\-\\-" + roff(l) + "\\fR");
  if (!option.value_name.empty()) title += " \\fI" + roff(option.value_name) + "\\fR";
  return title;
}

void write_option(std::ostream& out, const OptionSpec& option) {
  out << ".TP\n" << option_title(option) << "\n" << roff(option.description);
  if (!option.choices.empty()) {
    std::string values;
    for (const auto& choice : option.choices) values += (values.empty() ? "" : ", ") + choice;
    out << (option.list ? ". A comma\\-separated list of: " : ". One of: ") << "\\%"
        << roff(values);
  }
  // \% keeps a value from being hyphenated.
  if (!option.default_value.empty()) out << ". Default: \\%" << roff(option.default_value);
  out << ".\n";
}

/// A footer's lines as they are (examples keep their layout).
void write_verbatim(std::ostream& out, const std::string& text) {
  if (text.empty()) return;
  out << ".PP\n.nf\n" << roff(text) << "\n.fi\n";
}

void write_synopsis(std::ostream& out, const CommandSpec& program) {
  out << ".SH SYNOPSIS\n";
  for (const auto& sub : program.subcommands) {
    out << ".B conc\\-probe " << roff(sub.name) << "\n[\\fIOPTIONS\\fR]";
    for (const auto& option : sub.options)
      if (!option.positional.empty()) out << " \\fI" << roff(option.positional) << "\\fR";
    out << "\n.br\n";
  }
  out << ".B conc\\-probe\n[\\fB\\-h\\fR|\\fB\\-V\\fR]\n";
}

void write_commands(std::ostream& out, const CommandSpec& program) {
  out << ".SH COMMANDS\n";
  for (const auto& sub : program.subcommands) {
    out << ".SS conc\\-probe " << roff(sub.name) << "\n" << roff(sub.description) << ".\n";
    for (const auto& option : sub.options) write_option(out, option);
    write_verbatim(out, sub.footer);
  }
}

void write_catalog(std::ostream& out) {
  out << ".SH WORKLOADS\nThe names \\fB\\-\\-workload\\fR takes (\\fBconc\\-probe list\\fR "
         "prints them too).\n";
  for (const auto& info : workload_catalog()) {
    out << ".TP\n.B " << roff(info.name) << "\n(" << roff(to_string(info.kind))
        << (info.convoy ? ", convoy" : "") << ") " << roff(info.description) << ".\n";
  }
  out << ".SH MODES\nThe names \\fB\\-\\-mode\\fR takes.\n";
  for (const ModeInfo& mode : mode_catalog())
    out << ".TP\n.B " << roff(mode.name) << "\n" << roff(mode.description) << ".\n";
  out << ".SH START METHODS\nThe names \\fB\\-\\-start\\-method\\fR takes (process mode).\n";
  for (const StartMethodInfo& method : start_method_catalog())
    out << ".TP\n.B " << roff(method.name) << "\n" << roff(method.description) << ".\n";
}

}  // namespace

std::string man_page(const CommandSpec& program) {
  std::ostringstream out;
  const std::string version(build_info().version);
  out << ".\\\" The manual page of conc-probe, written by `conc-probe man` from its own\n"
         ".\\\" command-line definition: edit the options' help texts, not this file.\n"
      << ".TH CONC\\-PROBE 1 \"\" \"conc\\-probe " << roff(version) << "\" \"User Commands\"\n"
      << ".SH NAME\nconc\\-probe \\- what machine am I really on, and how do concurrency "
         "models behave on it\n";
  write_synopsis(out, program);
  out << ".SH DESCRIPTION\n" << roff(program.description) << "\n";
  out << ".SH OPTIONS\n";
  for (const auto& option : program.options) write_option(out, option);
  write_commands(out, program);
  write_catalog(out);
  out << ".SH EXIT STATUS\n";
  write_verbatim(out, program.footer);
  out << ".SH ENVIRONMENT\n"
         ".TP\n.B NO_COLOR\nWhen set and not empty, no colour (as with \\fB\\-\\-color "
         "never\\fR).\n"
         ".TP\n.B TERM\n\\fBdumb\\fR: no colour and no cursor movement in the progress line.\n"
         ".TP\n.B COLUMNS\nThe width to fit tables into when the output is not a terminal.\n"
         ".SH SEE ALSO\n.BR nproc (1),\n.BR lscpu (1),\n.BR taskset (1)\n";
  return out.str();
}

}  // namespace conc_probe::cli
