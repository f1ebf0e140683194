// `conc-probe info`: what machine this process is really on.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>

#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/mpi.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/reporter.hpp"
#include "engine/mpi_launch.hpp"

namespace conc_probe::cli {
namespace {

/// The options of `conc-probe info`, filled by CLI11.
struct InfoOptions {
  std::string format = "table";
  std::string get;
  std::string sysroot;
  CLI::Option* get_option = nullptr;
  CLI::Option* sysroot_option = nullptr;
};

SysRoot checked_sysroot(const std::string& dir, bool given) {
  if (!given) return SysRoot{"/"};
  if (dir.empty()) throw UsageError("--sysroot needs a directory (an empty name is none)");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw UsageError("--sysroot '" + dir +
                     "' is not a directory (give the root of a dumped /proc and /sys)");
  }
  return SysRoot{dir};
}

int run_info(const InfoOptions& options) {
  const Format format = parse_format(options.format, info_formats());
  const bool get = options.get_option->count() > 0;
  if (get && options.get.empty())
    throw UsageError("--get needs a key, e.g. 'cpu.usable' (keys are the JSON's dotted paths)");
  ProbeOptions probe{checked_sysroot(options.sysroot, options.sysroot_option->count() > 0),
                     std::nullopt};
  // `--get cpu.…` is an nproc that knows about containers: it reads only the CPU lists and
  // the cgroup, not the whole machine.
  const bool counts_only = get && options.get.starts_with("cpu.");
  const PlatformReport report = counts_only ? probe_cpu_counts(probe) : probe_platform(probe);
  if (get) {
    write_stdout(info_get(report, options.get) + '\n');
    return 0;
  }
  // Under mpirun: every rank's placement, gathered and written by rank 0.
  if (engine::mpi_built_in() && engine::under_mpi_launcher() && report.live)
    return mpi::run_rank_info(report, format);
  std::ostringstream out;
  write_info(
      out, report, format,
      Style{format == Format::Table && color_allowed(STDOUT_FILENO), output_width(STDOUT_FILENO)});
  write_stdout(out.str());
  return 0;
}

}  // namespace

Action add_info_command(CLI::App& app) {
  auto options = std::make_shared<InfoOptions>();
  auto* command =
      app.add_subcommand("info",
                         "Report the CPU count ladder (affinity, cgroup quota), topology, "
                         "model, OS, memory and container: what this process can really use");
  command->group("Subcommands");
  set_choices(command
                  ->add_option("-f,--format", options->format,
                               "Output format: " + format_names(info_formats()))
                  ->type_name("FORMAT")
                  ->capture_default_str()
                  ->check(non_empty()),
              info_formats());
  add_color_option(*command);
  options->get_option = command
                            ->add_option("--get", options->get,
                                         "Print one value by its JSON key, e.g. cpu.usable (an "
                                         "nproc that knows about containers)")
                            ->type_name("KEY");
  options->sysroot_option =
      command
          ->add_option("-s,--sysroot", options->sysroot,
                       "Read /proc and /sys below DIR instead of this machine (replays a dump)")
          ->type_name("DIR");
  command->footer(
      "Examples:\n  conc-probe info\n  conc-probe info --get cpu.usable\n"
      "  conc-probe info -f json | jq .cpu\n  conc-probe info -s ./dump   # another machine's "
      "/proc, /sys\n"
      "The usable count rounds a fractional cgroup quota up (ceil), at least 1; see "
      "docs/cpu-count.md.");
  return [options]() -> int { return run_info(*options); };
}

}  // namespace conc_probe::cli
