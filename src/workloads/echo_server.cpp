#include "workloads/echo_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <optional>
#include <unordered_map>

namespace conc_probe::workloads {

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC on Linux, as the timerfd uses

/// Most bytes one connection may have waiting to be echoed (pending and unsent). A client
/// that keeps sending without reading would otherwise grow the server without bound.
constexpr std::size_t kMaxQueuedBytes = 16U << 20;

/// A frame received and waiting for its delay to pass before it is echoed.
struct PendingReply {
  Clock::time_point due;
  std::vector<std::byte> frame;
};

/// One client connection's buffers.
struct Connection {
  FileDescriptor socket;
  std::vector<std::byte> input;
  std::vector<std::byte> output;
  std::deque<PendingReply> pending;  ///< in arrival order, so `due` is non-decreasing
  std::size_t pending_bytes = 0;     ///< the frames' bytes in `pending`
  bool watching_output = false;
};

std::uint32_t read_length(const std::byte* header) noexcept {
  std::uint32_t length = 0;
  for (std::size_t i = 0; i < kFrameHeader; ++i) {
    length = (length << 8) | static_cast<std::uint32_t>(header[i]);
  }
  return length;
}

/// The serving thread's state: the epoll set, the connections and the reply timer.
class EchoLoop {
 public:
  EchoLoop(int listener, int wake, std::chrono::nanoseconds delay)
      : listener_(listener), wake_(wake), delay_(delay) {}

  /// Serves until the wake descriptor is written. Gives up (closing everything) if the
  /// epoll set cannot be built: clients then see connection errors, not a hang.
  void run() noexcept {
    if (!set_up()) return;
    std::array<epoll_event, 64> events{};
    while (true) {
      const int ready =
          ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return;
      for (int i = 0; i < ready; ++i) {
        const int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == wake_) return;
        handle(fd, events[static_cast<std::size_t>(i)].events);
      }
      release_due_replies();
    }
  }

 private:
  bool set_up() noexcept {
    spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    return epoll_.valid() && timer_.valid() && watch(listener_, EPOLLIN) && watch(wake_, EPOLLIN) &&
           watch(timer_.get(), EPOLLIN);
  }

  bool watch(int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) noexcept {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    return ::epoll_ctl(epoll_.get(), op, fd, &event) == 0;
  }

  void handle(int fd, std::uint32_t events) noexcept {
    if (fd == listener_) return accept_all();
    if (fd == timer_.get()) {
      std::uint64_t expirations = 0;
      [[maybe_unused]] const auto ignored = ::read(fd, &expirations, sizeof expirations);
      return;
    }
    const auto found = connections_.find(fd);
    if (found == connections_.end()) return;
    Connection& connection = found->second;
    const bool ok = ((events & EPOLLOUT) == 0 || flush(connection)) &&
                    ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0 || receive(connection));
    if (!ok) close_connection(fd);
  }

  void accept_all() noexcept {
    while (true) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        if (turn_away_one()) continue;
        // Nothing left to give up: stop listening. Shutting the listener down resets the
        // clients still waiting to be accepted (they fail instead of waiting forever) and
        // refuses new ones; it also stops level-triggered epoll reporting it ready, which
        // would make this thread spin. Connections already accepted are served on.
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_, nullptr);
        ::shutdown(listener_, SHUT_RDWR);
        return;
      }
      if (fd < 0) return;  // EAGAIN: all accepted; other errors: the client sees them
      try {
        connections_[fd].socket.reset(fd);
      } catch (...) {
        ::close(fd);
        return;
      }
      if (!watch(fd, EPOLLIN)) close_connection(fd);
    }
  }

  /// Out of descriptors, a waiting client would never be accepted and would wait for its
  /// reply forever. The spare descriptor is given up for a moment to accept that client and
  /// close it at once: it sees the connection closed and fails its op with that reason.
  bool turn_away_one() noexcept {
    if (!spare_.valid()) return false;
    spare_.reset();
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    spare_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    return fd >= 0;
  }

  /// Reads what is available and queues every complete frame. False: close the connection.
  bool receive(Connection& connection) noexcept {
    std::array<std::byte, std::size_t{16} * 1024> chunk{};
    while (true) {
      const ssize_t got = ::recv(connection.socket.get(), chunk.data(), chunk.size(), 0);
      if (got == 0) return false;
      if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      try {
        connection.input.insert(connection.input.end(), chunk.begin(),
                                chunk.begin() + static_cast<std::ptrdiff_t>(got));
      } catch (...) {
        return false;
      }
      if (!queue_frames(connection)) return false;
    }
  }

  bool queue_frames(Connection& connection) noexcept {
    std::size_t offset = 0;
    const auto due = Clock::now() + delay_;
    auto& input = connection.input;
    while (input.size() - offset >= kFrameHeader) {
      const std::uint32_t length = read_length(input.data() + offset);
      if (length > kMaxFramePayload) return false;
      const std::size_t size = kFrameHeader + length;
      if (input.size() - offset < size) break;
      if (connection.pending_bytes + connection.output.size() + size > kMaxQueuedBytes)
        return false;
      const auto first = input.begin() + static_cast<std::ptrdiff_t>(offset);
      try {
        connection.pending.push_back(
            {due, std::vector<std::byte>(first, first + static_cast<std::ptrdiff_t>(size))});
      } catch (...) {
        return false;
      }
      connection.pending_bytes += size;
      offset += size;
    }
    input.erase(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(offset));
    return true;
  }

  /// Moves every reply whose delay has passed to its connection's output and sends it;
  /// arms the timer for the earliest reply still waiting.
  void release_due_replies() noexcept {
    const auto now = Clock::now();
    std::optional<Clock::time_point> next;
    std::vector<int> broken;
    for (auto& [fd, connection] : connections_) {
      if (!move_due(connection, now) || !flush(connection)) broken.push_back(fd);
      if (!connection.pending.empty()) {
        next =
            std::min(next.value_or(connection.pending.front().due), connection.pending.front().due);
      }
    }
    for (const int fd : broken) close_connection(fd);
    arm_timer(next);
  }

  static bool move_due(Connection& connection, Clock::time_point now) noexcept {
    try {
      while (!connection.pending.empty() && connection.pending.front().due <= now) {
        const auto& frame = connection.pending.front().frame;
        connection.output.insert(connection.output.end(), frame.begin(), frame.end());
        connection.pending_bytes -= frame.size();
        connection.pending.pop_front();
      }
    } catch (...) {
      return false;
    }
    return true;
  }

  /// Sends as much output as the socket takes; watches for writability when some is left.
  bool flush(Connection& connection) noexcept {
    std::size_t sent = 0;
    auto& output = connection.output;
    while (sent < output.size()) {
      const ssize_t n =
          ::send(connection.socket.get(), output.data() + sent, output.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n < 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    output.erase(output.begin(), output.begin() + static_cast<std::ptrdiff_t>(sent));
    const bool want_output = !output.empty();
    if (want_output != connection.watching_output) {
      connection.watching_output = want_output;
      return watch(connection.socket.get(), want_output ? EPOLLIN | EPOLLOUT : EPOLLIN,
                   EPOLL_CTL_MOD);
    }
    return true;
  }

  void arm_timer(std::optional<Clock::time_point> due) noexcept {
    itimerspec spec{};
    if (due) {
      const auto ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(due->time_since_epoch()).count();
      // An all-zero it_value disarms the timer; a due time of 0 cannot happen in practice.
      spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
      spec.it_value.tv_nsec = static_cast<long>(std::max<std::int64_t>(ns % 1'000'000'000, 1));
    }
    ::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr);
  }

  void close_connection(int fd) noexcept {
    // Remove from the epoll set explicitly: a forked child may still hold a copy of the
    // descriptor, and then closing it would not remove it from the set.
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    connections_.erase(fd);
  }

  int listener_;
  int wake_;
  std::chrono::nanoseconds delay_;
  FileDescriptor epoll_;
  FileDescriptor timer_;
  FileDescriptor spare_;  ///< /dev/null, held to be given up when out of descriptors
  std::unordered_map<int, Connection> connections_;
};

FileDescriptor listen_loopback() {
  FileDescriptor listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!listener.valid()) throw system_failure("echo server: cannot create a socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    throw system_failure("echo server: cannot bind 127.0.0.1", errno);
  }
  if (::listen(listener.get(), SOMAXCONN) != 0) {
    throw system_failure("echo server: cannot listen", errno);
  }
  return listener;
}

std::uint16_t local_port(const FileDescriptor& socket) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  if (::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    throw system_failure("echo server: cannot read the port", errno);
  }
  return ntohs(address.sin_port);
}

}  // namespace

void EchoServer::start(std::chrono::nanoseconds delay) {
  stop();
  FileDescriptor listener = listen_loopback();
  const std::uint16_t port = local_port(listener);
  FileDescriptor wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) throw system_failure("echo server: cannot create an eventfd", errno);
  thread_ = std::make_unique<std::thread>(
      [fd = listener.get(), wake_fd = wake.get(), delay] { EchoLoop(fd, wake_fd, delay).run(); });
  listener_ = std::move(listener);
  wake_ = std::move(wake);
  owner_ = ::getpid();
  port_ = port;
}

void EchoServer::stop() noexcept {
  if (!thread_) return;
  if (owner_ == ::getpid()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto ignored = ::write(wake_.get(), &one, sizeof one);
    thread_->join();
    thread_.reset();
  } else {
    // The serving thread does not exist in a forked child: its handle cannot be joined or
    // destroyed, only forgotten.
    [[maybe_unused]] auto* leaked = thread_.release();
  }
  listener_.reset();
  wake_.reset();
  port_ = 0;
}

}  // namespace conc_probe::workloads
