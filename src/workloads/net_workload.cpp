// The `net` workload: a request/response round trip over a loopback TCP connection to an
// echo server, optionally delayed on the server side like a remote API.
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "conc_probe/op_steps.hpp"
#include "workloads/echo_server.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

class NetSession final : public WorkerSession, public SteppedOps {
 public:
  NetSession(std::uint16_t port, std::uint64_t bytes)
      : socket_(connect_loopback(port)), payload_(static_cast<std::size_t>(bytes)) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = prepare(index);
    echo_round_trip(socket_, frame_, reply_, context);
    return checksum(seed);
  }

  // Stepped: the same round trip on the socket without blocking (MSG_DONTWAIT), waiting
  // on the loop whenever the socket is not ready.
  OpStep start_op(std::uint64_t index, OpContext&) override {
    seed_ = prepare(index);
    sent_ = 0;
    received_ = 0;
    return exchange();
  }
  OpStep resume_op(OpContext&) override { return exchange(); }

 private:
  std::uint64_t prepare(std::uint64_t index) {
    const std::uint64_t seed = op_seed(index, kSaltNet);
    fill_deterministic(payload_, seed);
    encode_frame(payload_, frame_);
    reply_.resize(frame_.size());
    return seed;
  }

  [[nodiscard]] std::uint64_t checksum(std::uint64_t seed) const {
    return mix64(fnv1a(std::span(reply_).subspan(kFrameHeader)) ^ seed);
  }

  /// Sends, then receives, what the socket takes now; says what to wait for next.
  OpStep exchange() {
    const int fd = socket_.get();
    while (sent_ < frame_.size()) {
      const ssize_t n =
          ::send(fd, frame_.data() + sent_, frame_.size() - sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return OpStep::writable(fd);
      if (n <= 0) throw system_failure("net workload: cannot send to the echo server", errno);
      sent_ += static_cast<std::size_t>(n);
    }
    while (received_ < reply_.size()) {
      const ssize_t n =
          ::recv(fd, reply_.data() + received_, reply_.size() - received_, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return OpStep::readable(fd);
      if (n < 0) throw system_failure("net workload: cannot receive from the echo server", errno);
      if (n == 0) throw std::runtime_error("net workload: the echo server closed the connection");
      received_ += static_cast<std::size_t>(n);
    }
    if (!std::equal(frame_.begin(), frame_.end(), reply_.begin())) {
      throw std::runtime_error("net workload: the echo server's reply differs from the request");
    }
    return OpStep::done(checksum(seed_));
  }

  FileDescriptor socket_;
  std::vector<std::byte> payload_;
  std::vector<std::byte> frame_;
  std::vector<std::byte> reply_;
  std::uint64_t seed_ = 0;
  std::size_t sent_ = 0;
  std::size_t received_ = 0;
};

class NetWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  ~NetWorkload() override { server_.stop(); }
  NetWorkload(const NetWorkload&) = delete;
  NetWorkload& operator=(const NetWorkload&) = delete;

  void start_shared(WorkloadParams& params) override {
    server_.start(params.io_latency);
    params.server_port = server_.port();
  }
  void stop_shared() noexcept override { server_.stop(); }

  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    if (params.server_port == 0) {
      throw std::runtime_error("net workload: no echo server (start_shared not called)");
    }
    const std::uint64_t bytes = or_default(params.op_size, kDefaultNetBytes);
    return std::make_unique<NetSession>(params.server_port, bytes);
  }

 private:
  EchoServer server_;
};

}  // namespace

std::unique_ptr<Workload> make_net_workload(WorkloadInfo info) {
  return std::make_unique<NetWorkload>(std::move(info));
}

}  // namespace conc_probe::workloads
