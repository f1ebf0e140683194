// The client side of the echo protocol (see echo_server.hpp).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "workloads/echo_server.hpp"

namespace conc_probe::workloads {

namespace {

void send_all(const FileDescriptor& socket, std::span<const std::byte> data, OpContext& context) {
  while (!data.empty()) {
    ssize_t sent = 0;
    {
      BlockingSection section(context);
      sent = ::send(socket.get(), data.data(), data.size(), MSG_NOSIGNAL);
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) throw system_failure("net workload: cannot send to the echo server", errno);
    data = data.subspan(static_cast<std::size_t>(sent));
  }
}

void receive_all(const FileDescriptor& socket, std::span<std::byte> data, OpContext& context) {
  while (!data.empty()) {
    ssize_t got = 0;
    {
      // The wait and the read release the lock once, as CPython's sock.recv on a blocking
      // socket does: a second release would cost the IO thread a second wait for the lock
      // beside a CPU-bound thread (the convoy's round trip is two such waits, not three).
      // The server answers after the IO latency, which may be long: the wait is in slices
      // so that a stop request is seen.
      BlockingSection section(context);
      if (!poll_readable(socket.get())) throw std::runtime_error("interrupted");
      got = ::recv(socket.get(), data.data(), data.size(), 0);
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw system_failure("net workload: cannot receive from the echo server", errno);
    if (got == 0) throw std::runtime_error("net workload: the echo server closed the connection");
    data = data.subspan(static_cast<std::size_t>(got));
  }
}

}  // namespace

FileDescriptor connect_loopback(std::uint16_t port) {
  FileDescriptor socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!socket.valid()) throw system_failure("net workload: cannot create a socket", errno);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  int result = 0;
  do {
    result = ::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    throw system_failure("net workload: cannot connect to 127.0.0.1:" + std::to_string(port),
                         errno);
  }
  const int on = 1;
  if (::setsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) {
    throw system_failure("net workload: cannot set TCP_NODELAY", errno);
  }
  return socket;
}

void encode_frame(std::span<const std::byte> payload, std::vector<std::byte>& frame) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  frame.resize(kFrameHeader + payload.size());
  for (std::size_t i = 0; i < kFrameHeader; ++i) {
    frame[i] = static_cast<std::byte>((length >> (8 * (kFrameHeader - 1 - i))) & 0xffU);
  }
  std::copy(payload.begin(), payload.end(), frame.begin() + kFrameHeader);
}

void echo_round_trip(const FileDescriptor& socket, std::span<const std::byte> frame,
                     std::span<std::byte> reply, OpContext& context) {
  send_all(socket, frame, context);
  receive_all(socket, reply.first(frame.size()), context);
  if (!std::equal(frame.begin(), frame.end(), reply.begin())) {
    throw std::runtime_error("net workload: the echo server's reply differs from the request");
  }
}

}  // namespace conc_probe::workloads
