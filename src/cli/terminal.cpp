// The width text output is fitted into: the terminal's, or COLUMNS, or none.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "cli/commands.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe::cli {

unsigned output_width(int fd) noexcept {
  winsize size{};
  if (::isatty(fd) == 1 && ::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  const char* columns = std::getenv("COLUMNS");
  if (columns == nullptr) return 0;
  const auto value = text::parse_u64(columns);
  // A terminal narrower than 20 columns cannot hold a table; fit into 20 then.
  if (!value || *value == 0 || *value > 10000) return 0;
  return static_cast<unsigned>(*value < 20 ? 20 : *value);
}

}  // namespace conc_probe::cli
