#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "conc_probe/gil.hpp"

/// Pictures of a recorded `gil` timeline (Gil::events()): a terminal rendering and an
/// export in the Chrome / Perfetto trace-event format.
namespace conc_probe {

/// Characters of the terminal timeline.
inline constexpr char kTimelineHold = '#';
inline constexpr char kTimelineWait = '.';
inline constexpr char kTimelineIo = '~';
inline constexpr char kTimelineIdle = ' ';

/// Renders `threads` rows (one per thread index 0..threads-1, events of other threads are
/// ignored) of `width` columns covering [window_start_ns, window_start_ns + window_ns),
/// followed by a time axis with labelled ticks and a legend. Each column shows what the
/// thread did most during its slice: kTimelineHold, kTimelineWait, kTimelineIo, or
/// kTimelineIdle. Throws UsageError when width < 10, window_ns <= 0 or threads == 0.
std::string render_timeline(const std::vector<GilEvent>& events, unsigned threads,
                            std::int64_t window_start_ns, std::int64_t window_ns, unsigned width);

/// Writes the events as trace-event JSON ({"traceEvents": [...]}) that chrome://tracing and
/// ui.perfetto.dev open: one "X" (complete) event per span with ts/dur in microseconds,
/// pid 1, tid = thread index + 1, plus process_name and thread_name metadata ("M") events
/// for `threads` threads. `label` names the process (JSON-escaped here).
void write_chrome_trace(std::ostream& out, const std::vector<GilEvent>& events, unsigned threads,
                        std::string_view label = "conc-probe gil");

/// "hold", "wait" or "io".
std::string_view to_string(GilEvent::Kind kind) noexcept;

}  // namespace conc_probe
