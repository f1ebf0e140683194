#include "engine/data_move.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "engine/worker_loop.hpp"

namespace conc_probe::engine {
namespace {

__extension__ using Wide = unsigned __int128;  // size * op without overflow

constexpr std::uint64_t kMix = 0x9e3779b97f4a7c15ULL;
constexpr std::size_t kFlushBytes =
    std::size_t{64} * 1024;  // results are written to a pipe in pieces

std::uint64_t splitmix(std::uint64_t x) noexcept {
  x += kMix;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Fills `out` with the words splitmix(seed + k), k = 0, 1, ...
void fill_pattern(std::uint64_t seed, std::span<unsigned char> out) noexcept {
  std::size_t pos = 0;
  for (std::uint64_t k = 0; pos < out.size(); ++k) {
    const std::uint64_t word = splitmix(seed + k);
    const std::size_t n = std::min(sizeof word, out.size() - pos);
    std::memcpy(out.data() + pos, &word, n);
    pos += n;
  }
}

/// The workload's session plus the data: op i reads its input slice (its digest joins the
/// checksum, so the read cannot be skipped) and returns result_size bytes.
class DataSession final : public WorkerSession {
 public:
  DataSession(std::unique_ptr<WorkerSession> inner, const DataView& view)
      : inner_(std::move(inner)), view_(view), result_(view.result_size) {
    moved_.active = true;
    if (view_.result_fd >= 0) pending_.reserve(kFlushBytes + view.result_size);
  }
  ~DataSession() override {
    if (view_.result_fd >= 0) ::close(view_.result_fd);
  }
  DataSession(const DataSession&) = delete;
  DataSession& operator=(const DataSession&) = delete;

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    std::uint64_t checksum = inner_->run_op(index, context);
    if (view_.input_size > 0) {
      const ByteRange slice = input_span(view_.input_size, view_.total_ops, index, index + 1);
      checksum += digest({view_.input + (slice.begin - view_.input_base), slice.size()});
    }
    if (view_.result_size == 0) return checksum;
    fill_result(index, result_);
    if (view_.result_fd < 0) {
      // In place: the result is copied into the caller's buffer, which reads it back.
      const std::int64_t begin = monotonic_ns();
      std::memcpy(returned_.data(), result_.data(), result_.size());
      moved_.move_seconds += static_cast<double>(monotonic_ns() - begin) * 1e-9;
      moved_.bytes_copied += result_.size();
      return checksum + digest(returned_);
    }
    // Through the pipe: the parent digests what it reads.
    pending_.insert(pending_.end(), result_.begin(), result_.end());
    if (pending_.size() >= kFlushBytes && !flush()) {
      throw std::runtime_error("the parent stopped reading results");
    }
    return checksum;
  }

  bool finish() noexcept {
    if (view_.result_fd < 0) return true;
    const bool ok = flush();
    ::close(view_.result_fd);
    view_.result_fd = -1;
    return ok;
  }

  [[nodiscard]] const DataMoved& moved() const noexcept { return moved_; }

 private:
  bool flush() noexcept {
    const std::int64_t begin = monotonic_ns();
    const unsigned char* data = pending_.data();
    std::size_t left = pending_.size();
    while (left > 0) {
      const ssize_t written = ::write(view_.result_fd, data, left);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) return false;
      data += written;
      left -= static_cast<std::size_t>(written);
    }
    pending_.clear();
    moved_.move_seconds += static_cast<double>(monotonic_ns() - begin) * 1e-9;
    return true;
  }

  std::unique_ptr<WorkerSession> inner_;
  DataView view_;
  std::vector<unsigned char> result_;
  std::vector<unsigned char> returned_ = std::vector<unsigned char>(result_.size());
  std::vector<unsigned char> pending_;
  DataMoved moved_;
};

}  // namespace

std::shared_ptr<const InputBytes> shared_input(std::uint64_t size) {
  static std::mutex mutex;
  static std::weak_ptr<const InputBytes> last;
  const std::lock_guard lock(mutex);
  if (auto input = last.lock(); input && input->size() == size) return input;
  auto input = std::make_shared<InputBytes>(size);
  fill_pattern(0x1f1e5c0de, *input);
  last = input;
  return input;
}

ByteRange input_span(std::uint64_t input_size, std::uint64_t total_ops, std::uint64_t first,
                     std::uint64_t last) noexcept {
  if (total_ops == 0) return {};
  const auto at = [&](std::uint64_t op) {
    return static_cast<std::uint64_t>(static_cast<Wide>(input_size) * op / total_ops);
  };
  return {at(first), at(last)};
}

std::uint64_t digest(std::span<const unsigned char> bytes) noexcept {
  std::uint64_t hash = bytes.size() * kMix;
  std::size_t pos = 0;
  for (; pos + 8 <= bytes.size(); pos += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + pos, 8);
    hash = (hash ^ word) * 0x100000001b3ULL;
  }
  for (; pos < bytes.size(); ++pos) hash = (hash ^ bytes[pos]) * 0x100000001b3ULL;
  return splitmix(hash);
}

void fill_result(std::uint64_t index, std::span<unsigned char> out) noexcept {
  fill_pattern(splitmix(index), out);
}

std::unique_ptr<WorkerSession> wrap_session(std::unique_ptr<WorkerSession> inner,
                                            const DataView& view) {
  if (!view.active()) return inner;
  return std::make_unique<DataSession>(std::move(inner), view);
}

std::unique_ptr<WorkerSession> open_session(const Workload& workload, const WorkloadParams& params,
                                            unsigned index, const DataView& view) {
  return wrap_session(workload.open_worker(params, index), view);
}

DataMoved data_moved(const WorkerSession& session) noexcept {
  const auto* data = dynamic_cast<const DataSession*>(&session);
  return data != nullptr ? data->moved() : DataMoved{};
}

bool finish_results(WorkerSession& session) noexcept {
  auto* data = dynamic_cast<DataSession*>(&session);
  return data == nullptr || data->finish();
}

bool ResultReader::read_from(int fd) {
  const std::int64_t begin = monotonic_ns();
  std::size_t room = piece_.size() - filled_;
  unsigned char scratch[1];
  unsigned char* into = room > 0 ? piece_.data() + filled_ : scratch;
  if (room == 0) room = sizeof scratch;  // results of 0 bytes: only EOF is expected
  const ssize_t got = ::read(fd, into, room);
  if (got < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (got <= 0) return false;
  bytes_ += static_cast<std::uint64_t>(got);
  filled_ += piece_.empty() ? 0 : static_cast<std::size_t>(got);
  if (!piece_.empty() && filled_ == piece_.size()) {
    checksum_ += digest(piece_);
    ++results_;
    filled_ = 0;
  }
  seconds_ += static_cast<double>(monotonic_ns() - begin) * 1e-9;
  return true;
}

}  // namespace conc_probe::engine
