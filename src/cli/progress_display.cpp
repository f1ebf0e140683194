// The progress line of `conc-probe bench` on a terminal's stderr.
#include "cli/progress_display.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "report/width.hpp"

namespace conc_probe::cli {
namespace {

/// Cursor control is allowed unless the terminal says it has none or the user said never.
bool escapes_allowed() {
  if (color_choice() == ColorChoice::Never) return false;
  // Read on the main thread, before the workers run.
  const char* term = std::getenv("TERM");  // NOLINT(concurrency-mt-unsafe)
  return term == nullptr || std::string_view(term) != "dumb";
}

/// One column short of the terminal: writing into the last column makes some terminals
/// wrap, and a wrapped line can no longer be redrawn with a carriage return.
std::size_t line_width() {
  const unsigned columns = output_width(STDERR_FILENO);
  return columns == 0 ? 79 : columns - 1;
}

}  // namespace

ProgressDisplay::ProgressDisplay(bool enabled)
    : enabled_(enabled), escapes_(enabled && escapes_allowed()) {}

ProgressDisplay::~ProgressDisplay() { clear(); }

void ProgressDisplay::show(const RunProgress& progress) {
  // The width is asked each time: the terminal may have been resized since.
  if (enabled_) draw(progress_text(progress, line_width()));
}

void ProgressDisplay::clear() {
  if (!enabled_ || shown_ == 0) return;
  if (escapes_) {
    std::cerr << "\r\x1b[K" << std::flush;
  } else {
    std::cerr << '\r' << std::string(shown_, ' ') << '\r' << std::flush;
  }
  shown_ = 0;
}

void ProgressDisplay::draw(const std::string& text) {
  const std::size_t columns = report::display_width(text);
  if (escapes_) {
    std::cerr << "\r\x1b[K" << text << std::flush;
    shown_ = columns;
    return;
  }
  // Without escapes, spaces cover what is left of a longer previous line.
  const std::size_t pad = shown_ > columns ? shown_ - columns : 0;
  std::cerr << '\r' << text << std::string(pad, ' ') << std::flush;
  shown_ = columns + pad;
}

}  // namespace conc_probe::cli
