#include <atomic>
#include <csignal>

#include "conc_probe/engine.hpp"

namespace conc_probe {
namespace {

// Written by the signal handler: a lock-free atomic is async-signal-safe.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

extern "C" void on_stop_signal(int signal) {
  g_stop_signal.store(signal, std::memory_order_relaxed);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and looks at the flag
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

bool stop_requested() noexcept { return g_stop_signal.load(std::memory_order_relaxed) != 0; }

int stop_signal() noexcept { return g_stop_signal.load(std::memory_order_relaxed); }

void clear_stop_request() noexcept { g_stop_signal.store(0); }

}  // namespace conc_probe
