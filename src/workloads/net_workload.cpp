// The `net` workload: a request/response round trip over a loopback TCP connection to an
// echo server, optionally delayed on the server side like a remote API.
#include <vector>

#include "workloads/echo_server.hpp"
#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

class NetSession final : public WorkerSession {
 public:
  NetSession(std::uint16_t port, std::uint64_t bytes)
      : socket_(connect_loopback(port)), payload_(static_cast<std::size_t>(bytes)) {}

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = op_seed(index, kSaltNet);
    fill_deterministic(payload_, seed);
    encode_frame(payload_, frame_);
    reply_.resize(frame_.size());
    echo_round_trip(socket_, frame_, reply_, context);
    return mix64(fnv1a(std::span(reply_).subspan(kFrameHeader)) ^ seed);
  }

 private:
  FileDescriptor socket_;
  std::vector<std::byte> payload_;
  std::vector<std::byte> frame_;
  std::vector<std::byte> reply_;
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
