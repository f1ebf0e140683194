// The mode catalog: one row per mode. Adding a mode is its enum value in mode.hpp, its row
// here, its executor (one file in src/engine/ and one line in executor_factory.cpp).
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/mode.hpp"
#include "conc_probe/text.hpp"

namespace conc_probe {
namespace {

const std::vector<ModeInfo> kModes{
    {Mode::Single, "single",
     "all ops on one thread, one after another: the baseline of every speed-up", "#555555"},
    {Mode::Threads, "threads",
     "N OS threads sharing memory, no global lock (native code, free-threaded Python)", "#0072b2"},
    {Mode::Gil, "gil",
     "N threads that must hold one simulated interpreter lock to compute (CPython's GIL)",
     "#d62728"},
    {Mode::Process, "process",
     "N worker processes, no shared memory, results over a pipe (--start-method)", "#009e73"},
    {Mode::Async, "async",
     "N tasks on one thread's event loop: waits overlap, compute does not (asyncio)", "#e69f00"},
    {Mode::Mpi, "mpi",
     "N MPI ranks started by mpirun (--ranks), results gathered at rank 0; needs an MPI build",
     "#cc79a7"},
};

const std::vector<StartMethodInfo> kStartMethods{
    {StartMethod::Fork, "fork",
     "each worker is a fork of conc-probe: the input is inherited copy-on-write"},
    {StartMethod::Spawn, "spawn",
     "each worker re-executes conc-probe: the input is sent through a pipe"},
    {StartMethod::Forkserver, "forkserver",
     "one server process re-executes conc-probe, then forks each worker on request; the input "
     "is sent through a pipe"},
};

/// The usage error for an unknown name, with a suggestion when one is close.
[[noreturn]] void throw_unknown(std::string_view what, std::string_view name,
                                const std::vector<std::string>& names) {
  std::string message = "unknown " + std::string(what) + " '" + std::string(name) + "'";
  if (auto hint = text::suggest(name, names)) {
    message += " (did you mean '" + *hint + "'?)";
  } else {
    message += " (choose from:";
    for (const auto& candidate : names) message += " " + candidate;
    message += ")";
  }
  throw UsageError(message);
}

}  // namespace

const std::vector<StartMethodInfo>& start_method_catalog() { return kStartMethods; }

std::string_view to_string(StartMethod method) noexcept {
  for (const StartMethodInfo& info : kStartMethods) {
    if (info.method == method) return info.name;
  }
  return "unknown";
}

StartMethod parse_start_method(std::string_view name) {
  std::vector<std::string> names;
  for (const StartMethodInfo& info : kStartMethods) {
    if (info.name == name) return info.method;
    names.emplace_back(info.name);
  }
  throw_unknown("start method", name, names);
}

const std::vector<ModeInfo>& mode_catalog() { return kModes; }

const ModeInfo& mode_info(Mode mode) noexcept {
  static const ModeInfo kUnknown{Mode::Single, "unknown", "", "#000000"};
  for (const ModeInfo& info : kModes) {
    if (info.mode == mode) return info;
  }
  return kUnknown;
}

std::string_view to_string(Mode mode) noexcept { return mode_info(mode).name; }

const std::vector<Mode>& all_modes() {
  static const std::vector<Mode> modes = [] {
    std::vector<Mode> out;
    out.reserve(kModes.size());
    for (const ModeInfo& info : kModes) out.push_back(info.mode);
    return out;
  }();
  return modes;
}

Mode parse_mode(std::string_view name) {
  std::vector<std::string> names;
  for (const ModeInfo& info : kModes) {
    if (info.name == name) return info.mode;
    names.emplace_back(info.name);
  }
  throw_unknown("mode", name, names);
}

}  // namespace conc_probe
