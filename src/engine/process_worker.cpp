#include "engine/process_worker.hpp"

#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <csignal>
#include <memory>

#include "engine/memory_usage.hpp"
#include "engine/result_frame.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

bool write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= static_cast<std::size_t>(written);
  }
  return true;
}

/// Blocks until the parent closes its end of the start pipe.
void wait_for_start(int fd) noexcept {
  char byte = 0;
  while (true) {
    const ssize_t got = ::read(fd, &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;  // EOF: the start signal (or the parent is gone)
  }
}

/// The bytes to send, after the test-only message fault of this worker.
std::string message_for(const WorkerResult& result, MessageFault fault) {
  std::string frame = encode_result_frame(result);
  switch (fault) {
    case MessageFault::None:
      return frame;
    case MessageFault::Garbage:
      return std::string(frame.size(), '\x5a');
    case MessageFault::Short:
      return frame.substr(0, frame.size() / 2);
    case MessageFault::Nothing:
      return {};
  }
  return frame;
}

}  // namespace

bool tie_to_parent(pid_t parent) noexcept {
#ifdef __linux__
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  // The parent may have died between fork and prctl; then we were re-parented already.
  return ::getppid() == parent;
}

int worker_process_main(const WorkerProcessArgs& args, const Workload& workload,
                        const WorkloadParams& params) noexcept {
  WorkerResult result;
  std::unique_ptr<WorkerSession> session;
  try {
    session = workload.open_worker(params, args.worker_index);
  } catch (...) {
    result.ok = false;
    result.error = describe_exception(std::current_exception());
  }
  const char ready = 'r';
  write_all(args.ready_fd, &ready, 1);
  ::close(args.ready_fd);
  wait_for_start(args.start_fd);
  ::close(args.start_fd);
  if (session) {
    OpContext context;
    const CpuUsage before = process_usage();
    run_ops(*session, context, args.range, args.stride, result);
    result.usage = process_usage() - before;
    const MemoryUsage memory = own_memory();
    result.peak_rss_bytes = memory.peak_rss_bytes;
    result.pss_bytes = memory.pss_bytes;
  }
  result.end_ns = monotonic_ns();
  try {
    const std::string message = message_for(result, args.fault);
    const bool sent = write_all(args.result_fd, message.data(), message.size());
    ::close(args.result_fd);
    return sent ? 0 : 3;
  } catch (...) {
    return 4;
  }
}

}  // namespace conc_probe::engine
