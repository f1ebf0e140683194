#include "workloads/echo_server.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include "conc_probe/workload.hpp"
#include "support/catch.hpp"

using conc_probe::OpContext;
using conc_probe::WorkloadParams;
using conc_probe::workloads::EchoServer;
using conc_probe::workloads::FileDescriptor;
using namespace std::chrono_literals;
namespace wl = conc_probe::workloads;

namespace {

/// One framed round trip of `payload_size` bytes; returns how long it took.
std::chrono::nanoseconds round_trip(const FileDescriptor& socket, std::size_t payload_size,
                                    std::byte fill = std::byte{0x5a}) {
  const std::vector<std::byte> payload(payload_size, fill);
  std::vector<std::byte> frame;
  wl::encode_frame(payload, frame);
  std::vector<std::byte> reply(frame.size());
  OpContext context;
  const auto start = std::chrono::steady_clock::now();
  wl::echo_round_trip(socket, frame, reply, context);
  return std::chrono::steady_clock::now() - start;
}

std::uint64_t run_net_ops(const WorkloadParams& params, std::uint64_t begin, std::uint64_t end) {
  auto workload = conc_probe::make_workload(params);
  auto session = workload->open_worker(params, 0);
  OpContext context;
  std::uint64_t total = 0;
  for (auto i = begin; i < end; ++i)
    total = conc_probe::combine_checksum(total, session->run_op(i, context));
  return total;
}

}  // namespace

TEST_CASE("Echo server: 64 concurrent clients get their own replies", "[workloads][net]") {
  WorkloadParams params;
  params.name = "net";
  params.io_latency = 0ns;
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  REQUIRE(params.server_port != 0);

  constexpr unsigned kClients = 64;
  constexpr std::uint64_t kOpsEach = 20;
  std::vector<std::uint64_t> totals(kClients);
  std::atomic<unsigned> failures{0};
  std::vector<std::thread> clients;
  for (unsigned c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      try {
        totals[c] = run_net_ops(params, c * kOpsEach, (c + 1) * kOpsEach);
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& client : clients) client.join();
  CHECK(failures == 0);
  std::uint64_t total = 0;
  for (const auto t : totals) total = conc_probe::combine_checksum(total, t);
  CHECK(total == run_net_ops(params, 0, kClients * kOpsEach));
  workload->stop_shared();
}

TEST_CASE("Echo server: replies wait for the delay without serialising clients",
          "[workloads][net]") {
  EchoServer server;
  server.start(100ms);
  {
    const auto socket = wl::connect_loopback(server.port());
    const auto took = round_trip(socket, 16);
    CHECK(took >= 99ms);
    CHECK(took < 3s);
  }
  // 16 clients at once: concurrent delays overlap (serially it would take 1.6 s).
  constexpr int kClients = 16;
  std::vector<FileDescriptor> sockets;
  for (int i = 0; i < kClients; ++i) sockets.push_back(wl::connect_loopback(server.port()));
  std::atomic<int> failures{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (auto& socket : sockets) {
    threads.emplace_back([&] {
      try {
        (void)round_trip(socket, 100);
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto wall = std::chrono::steady_clock::now() - start;
  CHECK(failures == 0);
  CHECK(wall >= 99ms);
  CHECK(wall < 800ms);
}

TEST_CASE("Echo server: a frame arriving in pieces is echoed whole", "[workloads][net]") {
  EchoServer server;
  server.start(0ns);
  const auto socket = wl::connect_loopback(server.port());
  std::vector<std::byte> frame;
  const std::vector<std::byte> payload(3000, std::byte{7});
  wl::encode_frame(payload, frame);
  REQUIRE(::send(socket.get(), frame.data(), 2, 0) == 2);
  std::this_thread::sleep_for(20ms);
  REQUIRE(::send(socket.get(), frame.data() + 2, frame.size() - 2, 0) ==
          static_cast<ssize_t>(frame.size() - 2));
  std::vector<std::byte> reply(frame.size());
  std::size_t got = 0;
  while (got < reply.size()) {
    const auto n = ::recv(socket.get(), reply.data() + got, reply.size() - got, 0);
    REQUIRE(n > 0);
    got += static_cast<std::size_t>(n);
  }
  CHECK(reply == frame);
}

TEST_CASE("Echo server: an oversized frame closes only that connection", "[workloads][net]") {
  EchoServer server;
  server.start(0ns);
  const auto bad = wl::connect_loopback(server.port());
  const std::array<unsigned char, 4> huge{0xff, 0xff, 0xff, 0xff};
  REQUIRE(::send(bad.get(), huge.data(), huge.size(), 0) == 4);
  std::array<char, 8> buffer{};
  CHECK(::recv(bad.get(), buffer.data(), buffer.size(), 0) == 0);  // closed by the server
  const auto good = wl::connect_loopback(server.port());
  CHECK(round_trip(good, 10) < 3s);
}

TEST_CASE("Echo server: nothing listens after stop", "[workloads][net]") {
  WorkloadParams params;
  params.name = "net";
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  const auto port = params.server_port;
  {
    const auto socket = wl::connect_loopback(port);
    CHECK(round_trip(socket, 1) < 3s);
    workload->stop_shared();
    // The server closed this connection too.
    CHECK_THROWS_AS(round_trip(socket, 1), std::runtime_error);
  }
  CHECK_THROWS_WITH(wl::connect_loopback(port), Catch::Contains("refused"));
  workload->stop_shared();  // idempotent
}

TEST_CASE("Echo server: serves forked children and survives their clean-up", "[workloads][net]") {
  WorkloadParams params;
  params.name = "net";
  params.io_latency = 0ns;
  auto workload = conc_probe::make_workload(params);
  workload->start_shared(params);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 0;
    try {
      // A spawned worker only knows the port: rebuild the workload from the name and port.
      WorkloadParams spawned;
      spawned.name = "net";
      spawned.server_port = params.server_port;
      status = run_net_ops(spawned, 0, 10) == 0 ? 1 : 0;
      workload->stop_shared();
    } catch (...) {
      status = 2;
    }
    ::_exit(status);
  }
  int status = -1;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const auto socket = wl::connect_loopback(params.server_port);
  CHECK(round_trip(socket, 32) < 3s);
  workload->stop_shared();
}

TEST_CASE("Echo server: out of descriptors, a client is turned away instead of left waiting",
          "[workloads][net]") {
  // In a child, so that the lowered descriptor limit stays there; a hang ends in SIGALRM.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::alarm(30);
    int status = 4;
    try {
      EchoServer server;
      server.start(0ns);
      int served = 0;
      int turned_away = 0;
      std::vector<FileDescriptor> clients;
      clients.push_back(wl::connect_loopback(server.port()));
      round_trip(clients.back(), 8);  // the serving thread has opened all its descriptors
      ++served;
      int highest = 0;
      for (int fd = 0; fd < 4096; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1) highest = fd;
      }
      // Fill the free numbers below the highest open descriptor (inherited descriptors
      // leave holes), so that the limit below really leaves room for three more.
      for (int fd = ::open("/dev/null", O_RDONLY); fd >= 0; fd = ::open("/dev/null", O_RDONLY)) {
        if (fd > highest) {
          ::close(fd);
          break;
        }
      }
      rlimit limit{};
      ::getrlimit(RLIMIT_NOFILE, &limit);
      limit.rlim_cur = static_cast<rlim_t>(highest + 1 + 3);
      ::setrlimit(RLIMIT_NOFILE, &limit);
      // Each client takes a descriptor here and its accepted socket one in the server:
      // the second client after the limit is one the server cannot accept.
      for (int i = 0; i < 20; ++i) {
        FileDescriptor client;
        try {
          client = wl::connect_loopback(server.port());
        } catch (const std::runtime_error&) {
          break;  // out of descriptors on this side too, or refused after the shutdown
        }
        try {
          round_trip(client, 8);
          ++served;
        } catch (const std::runtime_error&) {
          ++turned_away;
        }
        clients.push_back(std::move(client));
      }
      if (turned_away == 0)
        std::fprintf(stderr, "served %d, turned away %d\n", served, turned_away);
      status = served > 0 && turned_away > 0 ? 0 : 3;
    } catch (...) {
      status = 2;
    }
    ::_exit(status);
  }
  int status = -1;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("child status " << status << " (signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0)
                       << ")");
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("Echo server: a client that never reads is cut off, not buffered without bound",
          "[workloads][net]") {
  EchoServer server;
  server.start(0ns);
  const auto client = wl::connect_loopback(server.port());
  const std::vector<std::byte> payload(wl::kMaxFramePayload, std::byte{0x11});
  std::vector<std::byte> frame;
  wl::encode_frame(payload, frame);
  std::size_t sent = 0;
  bool cut_off = false;
  while (sent < (96U << 20)) {  // far beyond the server's limit plus both sockets' buffers
    const ssize_t n = ::send(client.get(), frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n < 0) {
      cut_off = true;
      break;
    }
    sent += static_cast<std::size_t>(n);
  }
  INFO("sent " << (sent >> 20) << " MiB without reading a reply");
  CHECK(cut_off);
  const auto other = wl::connect_loopback(server.port());
  CHECK(round_trip(other, 16) < 3s);  // only that connection was closed
}
