#include "workloads/io_util.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <utility>

namespace conc_probe::workloads {

void blocking_sleep(std::chrono::nanoseconds duration, OpContext& context) noexcept {
  const auto count = duration.count() < 0 ? 0 : duration.count();
  timespec remaining{static_cast<std::time_t>(count / 1'000'000'000),
                     static_cast<long>(count % 1'000'000'000)};
  BlockingSection section(context);
  while (::nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
  }
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
  return std::runtime_error(what + ": " + std::strerror(error));
}

}  // namespace conc_probe::workloads
