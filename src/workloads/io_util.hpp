#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "conc_probe/op_context.hpp"

/// Blocking-call helpers of the IO workloads. Each helper wraps exactly one kind of
/// blocking call in a BlockingSection, so a `gil` context releases the lock around it.
namespace conc_probe::workloads {

/// The longest a blocking wait goes without looking at stop_requested().
inline constexpr std::chrono::nanoseconds kStopPollSlice = std::chrono::milliseconds(50);

/// Sleeps for `duration` (resumed after signals); a zero duration still makes the call, as
/// a zero-length sleep does in Python. Returns early, within kStopPollSlice, once a stop is
/// requested.
void blocking_sleep(std::chrono::nanoseconds duration, OpContext& context) noexcept;

/// Waits until `fd` is readable (or in error), inside a BlockingSection. Returns false when
/// a stop was requested first (seen within kStopPollSlice).
bool wait_readable(int fd, OpContext& context);
/// The same wait, for a caller already inside a BlockingSection.
bool poll_readable(int fd) noexcept;

/// Owns a file descriptor; closes it on destruction (not a blocking call for the files and
/// sockets used here).
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  /// Gives up ownership and returns the descriptor.
  int release() noexcept;
  /// Closes the descriptor (if any) and takes `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// A std::runtime_error "<what>: <strerror(error)>".
[[nodiscard]] std::runtime_error system_failure(const std::string& what, int error);

}  // namespace conc_probe::workloads
