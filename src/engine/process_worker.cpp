#include "engine/process_worker.hpp"

#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

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

/// Reads exactly `out.size()` bytes; false at an early EOF or an error.
bool read_all(int fd, std::span<unsigned char> out) noexcept {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::read(fd, out.data() + done, out.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  return true;
}

std::int64_t minor_faults() noexcept {
  rusage usage{};
  return ::getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_minflt : 0;
}

/// Where this worker finds its input: inherited (fork) or received from the parent into
/// `received` (spawn, forkserver), which costs `moved`. False when the input did not arrive.
bool receive_input(const WorkerProcessArgs& args, std::vector<unsigned char>& received,
                   DataView& view, DataMoved& moved) {
  view.input_size = args.input_size;
  view.total_ops = args.total_ops;
  view.result_size = args.result_size;
  view.result_fd = args.data_fd;
  if (args.input_size == 0) return true;
  if (args.inherited_input != nullptr) {
    view.input = args.inherited_input;
    return true;
  }
  const ByteRange span =
      input_span(args.input_size, args.total_ops, args.range.first, args.range.last);
  const std::int64_t begin = monotonic_ns();
  received.resize(span.size());
  bool ok = read_all(args.input_fd, received);
  if (ok) {
    // Deserialised, as pickle.loads copies a bytes argument out of the message it read into
    // an object of its own; the message is freed.
    std::vector<unsigned char> object(received.begin(), received.end());
    received.swap(object);
    moved.bytes_copied += received.size();
  }
  moved.move_seconds += static_cast<double>(monotonic_ns() - begin) * 1e-9;
  view.input = received.data();
  view.input_base = span.begin;
  return ok;
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
  DataView view;
  DataMoved received_cost;
  std::vector<unsigned char> received;
  const std::int64_t faults_before = minor_faults();
  if (session) {
    try {
      if (!receive_input(args, received, view, received_cost)) {
        throw std::runtime_error("the input did not arrive whole");
      }
      session = wrap_session(std::move(session), view);
    } catch (...) {
      result.ok = false;
      result.error = describe_exception(std::current_exception());
      session.reset();
    }
  }
  if (args.input_fd >= 0) ::close(args.input_fd);
  if (session) {
    OpContext context;
    const CpuUsage before = process_usage();
    run_ops(*session, context, args.range, args.stride, result);
    if (!finish_results(*session) && result.ok) {
      result.ok = false;
      result.error = "the parent stopped reading results";
    }
    result.usage = process_usage() - before;
    result.data = data_moved(*session);
    if (result.data.active) {
      result.data.move_seconds += received_cost.move_seconds;
      result.data.bytes_copied += received_cost.bytes_copied;
      result.data.minor_faults = minor_faults() - faults_before;
    }
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
