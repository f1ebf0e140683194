#include "engine/poller.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <unordered_set>

#ifdef __linux__
#include <sys/epoll.h>
#endif

namespace conc_probe::engine {
namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error("event loop: " + what + ": " + std::generic_category().message(error));
}

/// poll(2)'s timeout in milliseconds, rounded up so that a timer is never woken early.
int timeout_ms(std::chrono::nanoseconds timeout) noexcept {
  if (timeout.count() <= 0) return 0;
  return static_cast<int>((timeout.count() + 999'999) / 1'000'000);
}

/// The portable poller: the watched descriptors in one array, rebuilt by each wait.
class PollPoller final : public Poller {
 public:
  void arm(int fd, bool writable, std::uint64_t token) override {
    entries_.push_back(pollfd{fd, static_cast<short>(writable ? POLLOUT : POLLIN), 0});
    tokens_.push_back(token);
  }

  void wait(std::chrono::nanoseconds timeout, std::vector<std::uint64_t>& ready) override {
    const int count =
        ::poll(entries_.data(), static_cast<nfds_t>(entries_.size()), timeout_ms(timeout));
    if (count < 0) {
      if (errno == EINTR) return;
      fail("poll", errno);
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].revents != 0) {
        ready.push_back(tokens_[i]);
        continue;
      }
      entries_[kept] = entries_[i];
      tokens_[kept] = tokens_[i];
      ++kept;
    }
    entries_.resize(kept);
    tokens_.resize(kept);
  }

  [[nodiscard]] PollerKind kind() const noexcept override { return PollerKind::Poll; }

 private:
  std::vector<pollfd> entries_;
  std::vector<std::uint64_t> tokens_;
};

#ifdef __linux__
/// epoll with one-shot interest: a descriptor stays in the set, re-armed with MOD.
class EpollPoller final : public Poller {
 public:
  EpollPoller() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) fail("epoll_create1", errno);
  }
  ~EpollPoller() override { ::close(fd_); }
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  void arm(int fd, bool writable, std::uint64_t token) override {
    epoll_event event{};
    event.events = (writable ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
    event.data.u64 = token;
    // A descriptor seen before is modified; one closed and reopened under the same number
    // has left the set (ENOENT), and a new one is added.
    const bool known = known_.contains(fd);
    if (known && ::epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &event) == 0) return;
    if (known && errno != ENOENT) fail("epoll_ctl", errno);
    if (::epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl", errno);
    known_.insert(fd);
  }

  void wait(std::chrono::nanoseconds timeout, std::vector<std::uint64_t>& ready) override {
    const int count = wait_once(timeout);
    if (count < 0) {
      if (errno == EINTR) return;
      fail("epoll_wait", errno);
    }
    for (int i = 0; i < count; ++i) ready.push_back(events_[static_cast<std::size_t>(i)].data.u64);
  }

  [[nodiscard]] PollerKind kind() const noexcept override { return PollerKind::Epoll; }

 private:
  /// epoll_pwait2 keeps a timer's nanoseconds; kernels before 5.11 lack it, and
  /// epoll_wait's milliseconds are rounded up.
  int wait_once(std::chrono::nanoseconds timeout) {
    const int capacity = static_cast<int>(events_.size());
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 35)
    if (precise_) {
      const auto ns = std::max<std::int64_t>(0, timeout.count());
      const timespec until{static_cast<time_t>(ns / 1'000'000'000),
                           static_cast<long>(ns % 1'000'000'000)};
      const int count = ::epoll_pwait2(fd_, events_.data(), capacity, &until, nullptr);
      if (count >= 0 || errno != ENOSYS) return count;
      precise_ = false;
    }
#endif
    return ::epoll_wait(fd_, events_.data(), capacity, timeout_ms(timeout));
  }

  int fd_;
  bool precise_ = true;
  std::unordered_set<int> known_;
  std::vector<epoll_event> events_ = std::vector<epoll_event>(256);
};
#endif

}  // namespace

std::string_view to_string(PollerKind kind) noexcept {
  return kind == PollerKind::Epoll ? "epoll" : "poll";
}

PollerKind default_poller() noexcept {
#ifdef __linux__
  return PollerKind::Epoll;
#else
  return PollerKind::Poll;
#endif
}

std::unique_ptr<Poller> Poller::make(PollerKind kind) {
#ifdef __linux__
  if (kind == PollerKind::Epoll) return std::make_unique<EpollPoller>();
#endif
  (void)kind;
  return std::make_unique<PollPoller>();
}

}  // namespace conc_probe::engine
