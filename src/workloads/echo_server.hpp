#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "conc_probe/op_context.hpp"
#include "workloads/io_util.hpp"

/// A loopback TCP echo server and its client side, used by the `net` workload (and meant
/// to be reused by workloads that need a remote peer).
///
/// Wire format: a frame is a 4-byte big-endian payload length followed by the payload; the
/// server answers every complete frame with the same frame, after `delay`.
namespace conc_probe::workloads {

/// Largest payload a frame may carry; a longer announced length closes the connection.
inline constexpr std::uint32_t kMaxFramePayload = 1U << 20;
/// Bytes of the length prefix of a frame.
inline constexpr std::size_t kFrameHeader = 4;

/// An echo server on 127.0.0.1 (ephemeral port), served by one thread with epoll so that
/// any number of connections are handled at once, each reply held back by `delay` without
/// blocking the others (a remote API's latency).
class EchoServer {
 public:
  EchoServer() = default;
  ~EchoServer() { stop(); }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  /// Listens and starts the serving thread (stopping a previous one first). Throws
  /// std::runtime_error with the reason when a socket cannot be set up.
  void start(std::chrono::nanoseconds delay);
  /// Stops the thread and closes every socket, so nothing listens on port() afterwards.
  /// Idempotent. In a process other than the one that started the server (a forked child)
  /// it only drops this process's copies of the descriptors: the parent's server runs on.
  void stop() noexcept;
  /// The port listened on; 0 when not running.
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  FileDescriptor listener_;
  FileDescriptor wake_;  ///< eventfd: written by stop() to end the serving thread
  std::unique_ptr<std::thread> thread_;
  pid_t owner_ = 0;
  std::uint16_t port_ = 0;
};

/// Connects to 127.0.0.1:`port` with TCP_NODELAY. Throws std::runtime_error on failure.
FileDescriptor connect_loopback(std::uint16_t port);

/// Writes a frame carrying `payload` into `frame` (resized to fit).
void encode_frame(std::span<const std::byte> payload, std::vector<std::byte>& frame);

/// Sends `frame` on `socket` and receives the echoed frame into `reply` (same size),
/// each send and receive inside a BlockingSection. Throws std::runtime_error when the
/// connection fails or the reply differs from the request.
void echo_round_trip(const FileDescriptor& socket, std::span<const std::byte> frame,
                     std::span<std::byte> reply, OpContext& context);

}  // namespace conc_probe::workloads
