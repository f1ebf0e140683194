#pragma once

#include <cstddef>

#include "conc_probe/progress.hpp"

namespace conc_probe::cli {

/// The bench progress line on stderr. Drawn only when enabled (stderr is a terminal and
/// --quiet is not given): one line, redrawn in place, never wider than the terminal, and
/// cleared when the display is destroyed, so every way out of a run (the end, Ctrl-C, an
/// error) leaves the terminal clean. Cursor escapes are used unless TERM=dumb or
/// --color never; then the line is overwritten with spaces instead.
class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool enabled);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  /// True when it draws anything at all.
  bool enabled() const noexcept { return enabled_; }
  /// Replaces the line with `progress`.
  void show(const RunProgress& progress);
  /// Removes the line (nothing when none is shown).
  void clear();

 private:
  void draw(const std::string& text);

  bool enabled_;
  bool escapes_;
  std::size_t shown_ = 0;  ///< columns of the line on screen
};

}  // namespace conc_probe::cli
