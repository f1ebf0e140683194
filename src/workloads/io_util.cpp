#include "workloads/io_util.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace conc_probe::workloads {

namespace {

timespec to_timespec(std::int64_t ns) noexcept {
  return timespec{static_cast<std::time_t>(ns / 1'000'000'000),
                  static_cast<long>(ns % 1'000'000'000)};
}

std::int64_t monotonic_now_ns() noexcept {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

void blocking_sleep(std::chrono::nanoseconds duration, OpContext& context) noexcept {
  const std::int64_t count = duration.count() < 0 ? 0 : duration.count();
  BlockingSection section(context);
  if (count <= kStopPollSlice.count()) {  // the common case: one plain call
    timespec remaining = to_timespec(count);
    while (::nanosleep(&remaining, &remaining) != 0 && errno == EINTR && !stop_requested()) {
    }
    return;
  }
  // A long wait sleeps to an absolute deadline in slices, looking at the stop flag between.
  const std::int64_t deadline = monotonic_now_ns() + count;
  while (!stop_requested()) {
    const std::int64_t now = monotonic_now_ns();
    if (now >= deadline) return;
    const timespec until = to_timespec(std::min(deadline, now + kStopPollSlice.count()));
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr);
  }
}

bool wait_readable(int fd, OpContext& context) {
  BlockingSection section(context);
  return poll_readable(fd);
}

bool poll_readable(int fd) noexcept {
  const int slice_ms = static_cast<int>(kStopPollSlice.count() / 1'000'000);
  while (!stop_requested()) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, slice_ms);
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // let the read report the error
  }
  return false;
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int FileDescriptor::release() noexcept { return std::exchange(fd_, -1); }

void FileDescriptor::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::runtime_error system_failure(const std::string& what, int error) {
  return std::runtime_error(what + ": " + std::generic_category().message(error));
}

}  // namespace conc_probe::workloads
