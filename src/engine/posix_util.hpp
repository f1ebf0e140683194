#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

/// Small POSIX helpers of the process executor: owned file descriptors, pipes, signal
/// names.
namespace conc_probe::engine {

/// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  /// Closes the descriptor (if any).
  void reset() noexcept;

 private:
  int fd_ = -1;
};

/// Both ends of a pipe, close-on-exec.
struct Pipe {
  Fd read;
  Fd write;
};

/// Creates a close-on-exec pipe; throws std::runtime_error when the system refuses.
Pipe make_pipe();

/// "SIGKILL", "SIGSEGV", ... or "signal 42".
std::string signal_name(int signal);

/// Milliseconds left until `deadline_ns` (monotonic), clamped to [0, slice_ms].
int poll_slice_ms(std::int64_t deadline_ns, int slice_ms) noexcept;

}  // namespace conc_probe::engine
