#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

/// Readiness of file descriptors for one thread's event loop: epoll on Linux, poll(2)
/// elsewhere (and on request, so that both are tested on Linux).
namespace conc_probe::engine {

enum class PollerKind { Epoll, Poll };

/// Returns "epoll" or "poll".
std::string_view to_string(PollerKind kind) noexcept;

/// The best poller of this system: epoll on Linux, poll elsewhere.
PollerKind default_poller() noexcept;

/// Waits for descriptors to become ready. Interest is one-shot: a descriptor reported
/// ready is forgotten until armed again. Not thread-safe: one loop thread uses it.
class Poller {
 public:
  Poller() = default;
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  virtual ~Poller() = default;

  /// Creates a poller of `kind` (poll where epoll does not exist). Throws
  /// std::runtime_error when the system refuses.
  static std::unique_ptr<Poller> make(PollerKind kind);

  /// Reports `token` once `fd` is readable (or writable), or in error. Throws
  /// std::runtime_error when the descriptor cannot be watched.
  virtual void arm(int fd, bool writable, std::uint64_t token) = 0;
  /// Waits at most `timeout` (0: just looks) and appends the tokens of ready descriptors
  /// to `ready`; an interrupted wait returns with none. Throws std::runtime_error on
  /// failure of the wait itself.
  virtual void wait(std::chrono::nanoseconds timeout, std::vector<std::uint64_t>& ready) = 0;
  [[nodiscard]] virtual PollerKind kind() const noexcept = 0;
};

}  // namespace conc_probe::engine
