// The width text output is fitted into: the terminal's, or COLUMNS, or none.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "cli/cli_spec.hpp"
#include "cli/commands.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::cli {

namespace {

/// Set once while the command line is parsed, read by color_allowed.
ColorChoice g_color_choice = ColorChoice::Auto;

}  // namespace

ColorChoice color_choice() noexcept { return g_color_choice; }

void add_color_option(CLI::App& command) {
  command
      .add_option_function<std::string>(
          "--color",
          [](const std::string& when) {
            g_color_choice = when == "always"  ? ColorChoice::Always
                             : when == "never" ? ColorChoice::Never
                                               : ColorChoice::Auto;
          },
          "Colour the table: auto (a terminal, not TERM=dumb or NO_COLOR), always or never")
      ->type_name("WHEN")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  set_choices(command.get_option("--color"), "auto,always,never");
}

unsigned output_width(int fd) noexcept {
  winsize size{};
  if (::isatty(fd) == 1 && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  // Read on the main thread, before or after the workers run.
  const char* columns = std::getenv("COLUMNS");  // NOLINT(concurrency-mt-unsafe)
  if (columns == nullptr) return 0;
  const auto value = text::parse_u64(columns);
  // A terminal narrower than 20 columns cannot hold a table; fit into 20 then.
  if (!value || *value == 0 || *value > 10000) return 0;
  return static_cast<unsigned>(*value < 20 ? 20 : *value);
}

}  // namespace conc_probe::cli
