// `conc-probe list`: the workloads and modes bench can run, one line each.
#include <algorithm>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "conc_probe/config.hpp"
#include "conc_probe/output.hpp"
#include "conc_probe/workload.hpp"

namespace conc_probe::cli {
namespace {

int run_list() {
  std::ostringstream out;
  std::size_t width = 10;  // "forkserver"
  for (const auto& info : workload_catalog()) width = std::max(width, info.name.size());
  out << "Workloads:\n";
  for (const auto& info : workload_catalog()) {
    out << "  " << info.name << std::string(width - info.name.size() + 2, ' ')
        << to_string(info.kind) << std::string(7 - to_string(info.kind).size(), ' ')
        << info.description << '\n';
  }
  out << "Modes:\n";
  for (const ModeInfo& mode : mode_catalog()) {
    out << "  " << mode.name << std::string(width - mode.name.size() + 2, ' ') << mode.description
        << '\n';
  }
  out << "Start methods of process mode (--start-method):\n";
  for (const StartMethodInfo& method : start_method_catalog()) {
    out << "  " << method.name << std::string(width - std::min(width, method.name.size()) + 2, ' ')
        << method.description << '\n';
  }
  write_stdout(out.str());
  return 0;
}

}  // namespace

Action add_list_command(CLI::App& app) {
  auto* command = app.add_subcommand("list", "List the workloads and modes of 'conc-probe bench'");
  command->group("Subcommands");
  command->footer(
      "Example:\n  conc-probe list\n  conc-probe bench --workload primes,net --mode threads,gil");
  return [] { return run_list(); };
}

}  // namespace conc_probe::cli
