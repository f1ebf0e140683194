#include "conc_probe/stop.hpp"

#include <csignal>

namespace conc_probe {

std::atomic<int> detail::stop_signal_number{0};

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[std::size(kStopSignals)]{};

extern "C" void on_stop_signal(int signal) {
  detail::stop_signal_number.store(signal, std::memory_order_relaxed);
}

}  // namespace

StopSignals::StopSignals() {
  clear_stop_request();
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a blocking wait returns EINTR and looks at the flag
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i)
    ::sigaction(kStopSignals[i], &action, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (std::size_t i = 0; i < std::size(kStopSignals); ++i)
    ::sigaction(kStopSignals[i], &g_previous[i], nullptr);
}

void request_stop(int signal) noexcept {
  detail::stop_signal_number.store(signal, std::memory_order_relaxed);
}

void clear_stop_request() noexcept { detail::stop_signal_number.store(0); }

}  // namespace conc_probe
