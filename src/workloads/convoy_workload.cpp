// The convoy scenario's IO side (bpo-7946): short blocking round trips by one thread while
// CPU-bound threads run beside it. `convoy` does loopback TCP round trips to the echo server
// (no server delay); `convoy-ready` reads from an always-ready descriptor (/dev/zero), which
// still releases and re-takes the lock around the call.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "workloads/kernels.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {
namespace {

inline constexpr std::uint64_t kSaltConvoyReady = 0x7265616479ULL;
inline constexpr std::uint64_t kDefaultReadyBytes = 64;

class ConvoyNetWorkload final : public BasicWorkload {
 public:
  explicit ConvoyNetWorkload(WorkloadInfo info)
      : BasicWorkload(info), net_(make_net_workload(std::move(info))) {}

  void start_shared(WorkloadParams& params) override {
    // The round trip itself must be short: the server answers at once, whatever --io-latency.
    const auto saved = params.io_latency;
    params.io_latency = std::chrono::nanoseconds(0);
    net_->start_shared(params);
    params.io_latency = saved;
  }
  void stop_shared() noexcept override { net_->stop_shared(); }
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned index) const override {
    return net_->open_worker(params, index);
  }

 private:
  std::unique_ptr<Workload> net_;
};

class ReadySession final : public WorkerSession {
 public:
  explicit ReadySession(std::uint64_t bytes)
      : fd_(::open("/dev/zero", O_RDONLY | O_CLOEXEC)), buffer_(static_cast<std::size_t>(bytes)) {
    if (fd_ < 0)
      throw std::runtime_error(std::string("convoy-ready: cannot open /dev/zero: ") +
                               std::generic_category().message(errno));
  }
  ~ReadySession() override { ::close(fd_); }
  ReadySession(const ReadySession&) = delete;
  ReadySession& operator=(const ReadySession&) = delete;

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    ssize_t got = 0;
    {
      const BlockingSection blocking(context);
      got = ::read(fd_, buffer_.data(), buffer_.size());
    }
    if (got != static_cast<ssize_t>(buffer_.size()))
      throw std::runtime_error("convoy-ready: short read from /dev/zero");
    return mix64(op_seed(index, kSaltConvoyReady) ^
                 (buffer_.size() + static_cast<std::uint64_t>(buffer_.front())));
  }

 private:
  int fd_;
  std::vector<char> buffer_;
};

class ConvoyReadyWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned) const override {
    return std::make_unique<ReadySession>(or_default(params.op_size, kDefaultReadyBytes));
  }
};

}  // namespace

std::unique_ptr<Workload> make_convoy_workload(WorkloadInfo info) {
  return std::make_unique<ConvoyNetWorkload>(std::move(info));
}

std::unique_ptr<Workload> make_convoy_ready_workload(WorkloadInfo info) {
  return std::make_unique<ConvoyReadyWorkload>(std::move(info));
}

}  // namespace conc_probe::workloads
