// Terminal rendering of a recorded lock timeline: one row per thread, one character per
// time slice, and a labelled time axis underneath.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/gil_timeline.hpp"

namespace conc_probe {

namespace {

// Time each kind (Hold, Wait, Io) covers in one column, in ns.
using Coverage = std::array<double, 3>;

struct Window {
  double start = 0;
  double length = 0;
  unsigned width = 0;
  [[nodiscard]] double column_start(unsigned column) const {
    return start + length * column / width;
  }
  [[nodiscard]] unsigned column_of(double t) const {
    const double c = std::floor((t - start) * width / length);
    return static_cast<unsigned>(std::clamp(c, 0.0, static_cast<double>(width - 1)));
  }
};

void validate(unsigned threads, std::int64_t window_ns, unsigned width) {
  if (width < 10)
    throw UsageError(fmt::format("timeline width {} is too small (minimum 10)", width));
  if (window_ns <= 0) throw UsageError("timeline window must be longer than 0 ns");
  if (threads == 0) throw UsageError("timeline needs at least one thread");
}

void add_event(std::vector<Coverage>& row, const Window& w, const GilEvent& event) {
  const double begin = std::max(static_cast<double>(event.start_ns), w.start);
  const double end = std::min(static_cast<double>(event.end_ns), w.start + w.length);
  if (end <= begin) return;
  const auto kind = static_cast<std::size_t>(event.kind);
  for (unsigned c = w.column_of(begin); c <= w.column_of(end) && c < w.width; ++c) {
    const double from = std::max(begin, w.column_start(c));
    const double to = std::min(end, w.column_start(c + 1));
    if (to > from) row[c][kind] += to - from;
  }
}

char column_char(const Coverage& coverage) {
  // Ties go to the first in this order: holding matters most, then IO, then waiting.
  constexpr std::array<std::pair<GilEvent::Kind, char>, 3> kOrder{{
      {GilEvent::Kind::Hold, kTimelineHold},
      {GilEvent::Kind::Io, kTimelineIo},
      {GilEvent::Kind::Wait, kTimelineWait},
  }};
  char best = kTimelineIdle;
  double best_time = 0;
  for (const auto& [kind, symbol] : kOrder) {
    const double t = coverage[static_cast<std::size_t>(kind)];
    if (t > best_time) {
      best_time = t;
      best = symbol;
    }
  }
  return best;
}

// The smallest 1, 2 or 5 times a power of ten that is at least `ns`.
double nice_step(double ns) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(ns, 1.0))));
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * magnitude >= ns) return factor * magnitude;
  }
  return 10.0 * magnitude;
}

std::string format_time(double ns, double step) {
  if (step >= 1e9) return fmt::format("{:g}s", ns / 1e9);
  if (step >= 1e6) return fmt::format("{:g}ms", ns / 1e6);
  if (step >= 1e3) return fmt::format("{:g}us", ns / 1e3);
  return fmt::format("{:g}ns", ns);
}

std::string render_axis(const Window& w, std::size_t indent) {
  const double step = nice_step(w.length * 10.0 / w.width);
  std::string ticks(w.width, '-');
  std::string labels(w.width, ' ');
  std::size_t free_from = 0;  // first column a new label may use
  for (double t = std::ceil(w.start / step) * step; t < w.start + w.length; t += step) {
    const unsigned column = w.column_of(t);
    ticks[column] = '+';
    const std::string label = format_time(std::round(t / step) * step, step);
    if (column < free_from || column + label.size() > w.width) continue;
    labels.replace(column, label.size(), label);
    free_from = column + label.size() + 1;
  }
  const std::string pad(indent, ' ');
  return pad + ticks + "\n" + pad + labels + "\n";
}

std::string render_legend(const Window& w) {
  return fmt::format(
      "{} holding  {} waiting  {} io  '{}' idle   window {:.3f} ms, {:.3f} ms/column\n",
      kTimelineHold, kTimelineWait, kTimelineIo, kTimelineIdle, w.length / 1e6,
      w.length / 1e6 / w.width);
}

}  // namespace

std::string_view to_string(GilEvent::Kind kind) noexcept {
  switch (kind) {
    case GilEvent::Kind::Hold:
      return "hold";
    case GilEvent::Kind::Wait:
      return "wait";
    case GilEvent::Kind::Io:
      return "io";
  }
  return "unknown";
}

std::string render_timeline(const std::vector<GilEvent>& events, unsigned threads,
                            std::int64_t window_start_ns, std::int64_t window_ns, unsigned width) {
  validate(threads, window_ns, width);
  const Window w{static_cast<double>(window_start_ns), static_cast<double>(window_ns), width};
  std::vector<std::vector<Coverage>> rows(threads, std::vector<Coverage>(width, Coverage{}));
  for (const GilEvent& event : events) {
    if (event.thread < threads) add_event(rows[event.thread], w, event);
  }
  const std::string last_label = fmt::format("T{}", threads - 1);
  std::string out;
  for (unsigned t = 0; t < threads; ++t) {
    out += fmt::format("{:>{}} |", fmt::format("T{}", t), last_label.size());
    for (const Coverage& coverage : rows[t]) out += column_char(coverage);
    out += "|\n";
  }
  out += render_axis(w, last_label.size() + 2);
  out += render_legend(w);
  return out;
}

}  // namespace conc_probe
