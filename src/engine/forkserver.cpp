#include "engine/forkserver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "conc_probe/error.hpp"
#include "conc_probe/stop.hpp"
#include "conc_probe/text.hpp"
#include "engine/process_worker.hpp"
#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

constexpr int kPollSliceMs = 50;   // how often the parent's waits look at the stop flag
constexpr int kServerSliceMs = 5;  // how often the server looks for exited workers
constexpr std::size_t kMaxRequest = std::size_t{64} * 1024;

/// What the server tells the parent.
enum class ReplyKind : std::int32_t { Ready = 1, Started = 2, Exited = 3, ForkFailed = 4 };

struct Reply {
  ReplyKind kind = ReplyKind::Ready;
  std::int32_t pid = 0;
  std::int32_t value = 0;  ///< Exited: the wait status; ForkFailed: errno
};

std::string system_message(int error) { return std::generic_category().message(error); }

bool send_reply(int socket, Reply reply) noexcept {
  return ::send(socket, &reply, sizeof reply, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof reply);
}

/// The server's side: reports every worker that exited.
void report_exits(int socket) noexcept {
  int status = 0;
  pid_t pid = 0;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    send_reply(socket, Reply{ReplyKind::Exited, pid, status});
  }
}

/// Receives one request: its words and descriptors. False at EOF (the parent is done).
bool receive_request(int socket, std::vector<std::string>& words, std::vector<int>& fds) {
  std::vector<char> payload(kMaxRequest);
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * kMaxRequestFds)> control{};
  iovec io{payload.data(), payload.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();
  ssize_t got = 0;
  do {
    got = ::recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.push_back(fd);
    }
  }
  words.clear();
  std::size_t begin = 0;
  const auto size = static_cast<std::size_t>(got);
  for (std::size_t i = 0; i < size; ++i) {
    if (payload[i] != '\0') continue;
    words.emplace_back(payload.data() + begin, i - begin);
    begin = i + 1;
  }
  return true;
}

/// The descriptor in slot `slot` of the request (-1 stays -1).
int slot_fd(int slot, const std::vector<int>& fds) {
  if (slot < 0) return -1;
  if (static_cast<std::size_t>(slot) >= fds.size()) throw UsageError("missing descriptor");
  return fds[static_cast<std::size_t>(slot)];
}

/// Serves one request: forks the worker and tells the parent its pid. False at EOF.
bool serve_one(int socket, const Workload& workload, const WorkloadParams& params) {
  std::vector<std::string> words;
  std::vector<int> fds;
  if (!receive_request(socket, words, fds)) return false;
  WorkerProcessArgs args;
  WorkloadParams ignored;
  int error = 0;
  try {
    parse_spawn_arguments(words, args, ignored);
    args.ready_fd = slot_fd(args.ready_fd, fds);
    args.start_fd = slot_fd(args.start_fd, fds);
    args.result_fd = slot_fd(args.result_fd, fds);
    args.input_fd = slot_fd(args.input_fd, fds);
    args.data_fd = slot_fd(args.data_fd, fds);
  } catch (...) {
    error = EINVAL;
  }
  const pid_t server = ::getpid();
  const pid_t pid = error == 0 ? ::fork() : -1;
  if (pid == 0) {
    ::close(socket);
    if (!tie_to_parent(server)) ::_exit(1);
    ::_exit(worker_process_main(args, workload, params));
  }
  if (pid < 0 && error == 0) error = errno;
  for (const int fd : fds) ::close(fd);
  send_reply(socket,
             pid > 0 ? Reply{ReplyKind::Started, pid, 0} : Reply{ReplyKind::ForkFailed, 0, error});
  return true;
}

}  // namespace

ForkServer::ForkServer(const std::string& binary, const std::vector<std::string>& words,
                       std::int64_t deadline_ns) {
  int ends[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
    throw std::runtime_error("cannot create the fork server's socket: " + system_message(errno));
  }
  socket_ = Fd(ends[0]);
  Fd child_end(ends[1]);
  std::vector<std::string> argv_words{binary, kForkServerCommand, "--socket",
                                      std::to_string(ends[1])};
  argv_words.insert(argv_words.end(), words.begin(), words.end());
  std::vector<char*> argv;
  argv.reserve(argv_words.size() + 1);
  for (auto& word : argv_words) argv.push_back(word.data());
  argv.push_back(nullptr);

  const std::int64_t launch = monotonic_ns();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("cannot start the fork server: " + system_message(errno));
  if (pid_ == 0) {
    ::fcntl(ends[1], F_SETFD, 0);  // the one descriptor the server keeps
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  child_end.reset();
  try {
    while (!ready_) {
      if (stop_requested()) throw std::runtime_error("interrupted");
      if (monotonic_ns() >= deadline_ns) throw std::runtime_error("the fork server did not start");
      if (!read_message(poll_slice_ms(deadline_ns, kPollSliceMs)) && gone_) {
        throw std::runtime_error("the fork server exited before it was ready");
      }
    }
  } catch (...) {
    stop();  // no destructor runs for a constructor that throws
    throw;
  }
  startup_seconds_ = static_cast<double>(monotonic_ns() - launch) * 1e-9;
}

ForkServer::~ForkServer() { stop(); }

void ForkServer::stop() noexcept {
  if (pid_ <= 0) return;
  // Its workers die with it (their parent-death signal).
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

bool ForkServer::read_message(int timeout_ms) noexcept {
  if (gone_) return false;
  pollfd fd{socket_.get(), POLLIN, 0};
  if (::poll(&fd, 1, timeout_ms) <= 0) return true;
  Reply reply;
  const ssize_t got = ::recv(socket_.get(), &reply, sizeof reply, 0);
  if (got < 0 && errno == EINTR) return true;
  if (got != static_cast<ssize_t>(sizeof reply)) {
    gone_ = true;
    return false;
  }
  try {
    switch (reply.kind) {
      case ReplyKind::Ready:
        ready_ = true;
        break;
      case ReplyKind::Started:
        started_.push_back(reply.pid);
        break;
      case ReplyKind::Exited:
        statuses_[reply.pid] = reply.value;
        break;
      case ReplyKind::ForkFailed:
        fork_errors_.push_back(reply.value);
        break;
    }
  } catch (...) {  // an allocation failure: the message is lost, the waits time out
  }
  return true;
}

pid_t ForkServer::fork_worker(const std::vector<std::string>& words, std::span<const int> fds,
                              std::int64_t deadline_ns) {
  std::string payload;
  for (const auto& word : words) {
    payload += word;
    payload += '\0';
  }
  if (payload.size() > kMaxRequest || fds.size() > kMaxRequestFds) {
    throw std::runtime_error("fork server request too large");
  }
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int) * kMaxRequestFds)> control{};
  iovec io{payload.data(), payload.size()};
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(header), fds.data(), sizeof(int) * fds.size());
  ssize_t sent = 0;
  do {
    sent = ::sendmsg(socket_.get(), &message, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) throw std::runtime_error("the fork server is gone: " + system_message(errno));
  while (started_.empty() && fork_errors_.empty()) {
    if (stop_requested()) throw std::runtime_error("interrupted");
    if (monotonic_ns() >= deadline_ns) throw std::runtime_error("the fork server did not answer");
    if (!read_message(poll_slice_ms(deadline_ns, kPollSliceMs)) && gone_) {
      throw std::runtime_error("the fork server exited");
    }
  }
  if (!fork_errors_.empty()) {
    const int error = fork_errors_.front();
    fork_errors_.erase(fork_errors_.begin());
    throw std::runtime_error("the fork server cannot fork: " + system_message(error));
  }
  const pid_t pid = started_.front();
  started_.erase(started_.begin());
  return pid;
}

int ForkServer::wait_status(pid_t pid, std::int64_t deadline_ns) noexcept {
  while (true) {
    if (const auto it = statuses_.find(pid); it != statuses_.end()) return it->second;
    if (gone_ || monotonic_ns() >= deadline_ns) return -1;
    read_message(poll_slice_ms(deadline_ns, kPollSliceMs));
  }
}

int run_fork_server(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0] != "--socket") {
    throw UsageError(std::string(kForkServerCommand) + ": expected --socket FD");
  }
  const auto socket_fd = text::parse_u64(args[1]);
  if (!socket_fd || *socket_fd > 1'000'000) {
    throw UsageError(std::string(kForkServerCommand) + ": bad --socket");
  }
  const int socket = static_cast<int>(*socket_fd);
  WorkerProcessArgs base;
  WorkloadParams params;
  parse_spawn_arguments({args.begin() + 2, args.end()}, base, params);
  // Without a live parent there is nobody to serve; with it gone, the kernel kills us.
  if (!tie_to_parent(base.parent)) return 1;
  ::fcntl(socket, F_SETFD, FD_CLOEXEC);
  const std::unique_ptr<Workload> workload = recreate_workload(params);
  if (!send_reply(socket, Reply{ReplyKind::Ready, ::getpid(), 0})) return 1;
  while (true) {
    report_exits(socket);
    pollfd fd{socket, POLLIN, 0};
    const int ready = ::poll(&fd, 1, kServerSliceMs);
    if (ready < 0 && errno != EINTR) return 1;
    if (ready <= 0) continue;
    if (!serve_one(socket, *workload, params)) break;
  }
  report_exits(socket);
  return 0;
}

}  // namespace conc_probe::engine
