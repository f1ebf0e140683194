// Export of a recorded lock timeline in the trace-event format ("JSON Object Format" of the
// Trace Event Format document used by chrome://tracing and Perfetto).
#include <fmt/format.h>

#include <ostream>
#include <string>

#include "conc_probe/gil_timeline.hpp"

namespace conc_probe {

namespace {

constexpr int kPid = 1;

// A JSON string literal (with quotes) for arbitrary bytes.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string metadata(std::string_view what, unsigned tid, std::string_view name) {
  return fmt::format(R"({{"name":"{}","ph":"M","pid":{},"tid":{},"args":{{"name":{}}}}})", what,
                     kPid, tid, json_string(name));
}

// ts and dur in microseconds, keeping nanosecond resolution as three decimals.
std::string complete_event(const GilEvent& event) {
  const std::int64_t duration = event.end_ns > event.start_ns ? event.end_ns - event.start_ns : 0;
  return fmt::format(
      R"({{"name":"{}","cat":"gil","ph":"X","ts":{:.3f},"dur":{:.3f},"pid":{},"tid":{}}})",
      to_string(event.kind), static_cast<double>(event.start_ns) / 1e3,
      static_cast<double>(duration) / 1e3, kPid, event.thread + 1);
}

}  // namespace

void write_chrome_trace(std::ostream& out, const std::vector<GilEvent>& events, unsigned threads,
                        std::string_view label) {
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  out << metadata("process_name", 0, label);
  for (unsigned t = 0; t < threads; ++t) {
    out << ",\n" << metadata("thread_name", t + 1, fmt::format("thread {}", t));
  }
  for (const GilEvent& event : events) out << ",\n" << complete_event(event);
  out << "\n]}\n";
}

}  // namespace conc_probe
