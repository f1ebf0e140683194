#include "engine/posix_util.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "engine/worker_loop.hpp"

namespace conc_probe::engine {

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void Fd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Pipe make_pipe() {
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create a pipe: ") +
                             std::generic_category().message(errno));
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::string signal_name(int signal) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = ::sigabbrev_np(signal)) return std::string("SIG") + abbrev;
#else
  switch (signal) {
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    default:
      break;
  }
#endif
  return "signal " + std::to_string(signal);
}

int poll_slice_ms(std::int64_t deadline_ns, int slice_ms) noexcept {
  const std::int64_t left_ms = (deadline_ns - monotonic_ns()) / 1'000'000;
  return static_cast<int>(std::clamp<std::int64_t>(left_ms, 0, slice_ms));
}

}  // namespace conc_probe::engine
