// The `file` workload: write a small file in a private directory, fsync it, read it back,
// check it, delete it -- a program persisting small records.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <string>
#include <vector>

#include "conc_probe/op_steps.hpp"
#include "workloads/io_util.hpp"
#include "workloads/kernels.hpp"
#include "workloads/private_dir.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe::workloads {

namespace {

/// Distinguishes sessions of one process that share a worker index.
std::atomic<unsigned> session_counter{0};

FileDescriptor open_file(const std::string& path, int flags, OpContext& context) {
  int fd = -1;
  {
    BlockingSection section(context);
    do {
      fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
  }
  if (fd < 0) throw system_failure("file workload: cannot open '" + path + "'", errno);
  return FileDescriptor(fd);
}

void write_all(const FileDescriptor& file, std::span<const std::byte> data, const std::string& path,
               OpContext& context) {
  while (!data.empty()) {
    ssize_t written = 0;
    {
      BlockingSection section(context);
      written = ::write(file.get(), data.data(), data.size());
    }
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw system_failure("file workload: cannot write '" + path + "'", errno);
    data = data.subspan(static_cast<std::size_t>(written));
  }
}

void sync_file(const FileDescriptor& file, const std::string& path, OpContext& context) {
  int result = 0;
  {
    BlockingSection section(context);
    result = ::fsync(file.get());
  }
  if (result != 0) throw system_failure("file workload: cannot fsync '" + path + "'", errno);
}

void read_all(const FileDescriptor& file, std::span<std::byte> data, const std::string& path,
              OpContext& context) {
  while (!data.empty()) {
    ssize_t got = 0;
    {
      BlockingSection section(context);
      got = ::read(file.get(), data.data(), data.size());
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw system_failure("file workload: cannot read '" + path + "'", errno);
    if (got == 0) throw std::runtime_error("file workload: '" + path + "' is shorter than written");
    data = data.subspan(static_cast<std::size_t>(got));
  }
}

void close_file(FileDescriptor& file, const std::string& path, OpContext& context) {
  int result = 0;
  {
    BlockingSection section(context);
    result = ::close(file.release());
  }
  if (result != 0 && errno != EINTR) {
    throw system_failure("file workload: cannot close '" + path + "'", errno);
  }
}

void remove_file(const std::string& path, OpContext& context) {
  int result = 0;
  {
    BlockingSection section(context);
    result = ::unlink(path.c_str());
  }
  if (result != 0) throw system_failure("file workload: cannot delete '" + path + "'", errno);
}

class FileSession final : public WorkerSession, public SteppedOps {
 public:
  FileSession(const std::string& dir, unsigned worker_index, std::uint64_t bytes)
      : path_(dir + "/w" + std::to_string(worker_index) + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(session_counter++) + ".dat"),
        written_(static_cast<std::size_t>(bytes)),
        read_(static_cast<std::size_t>(bytes)) {}
  ~FileSession() override { ::unlink(path_.c_str()); }
  FileSession(const FileSession&) = delete;
  FileSession& operator=(const FileSession&) = delete;

  std::uint64_t run_op(std::uint64_t index, OpContext& context) override {
    const std::uint64_t seed = op_seed(index, kSaltFile);
    fill_deterministic(written_, seed);
    write_file(context);
    read_file(context);
    if (!std::equal(written_.begin(), written_.end(), read_.begin())) {
      throw std::runtime_error("file workload: '" + path_ +
                               "' read back differs from what was written");
    }
    remove_file(path_, context);
    return mix64(fnv1a(read_) ^ seed);
  }

  // Stepped: files have no readiness to wait for; the whole op goes to a thread, as
  // asyncio.to_thread does with blocking file calls.
  OpStep start_op(std::uint64_t, OpContext&) override { return OpStep::offload(); }
  OpStep resume_op(OpContext&) override {
    throw std::logic_error("file workload: an offloaded op has no further steps");
  }

 private:
  void write_file(OpContext& context) {
    FileDescriptor file = open_file(path_, O_WRONLY | O_CREAT | O_TRUNC, context);
    write_all(file, written_, path_, context);
    sync_file(file, path_, context);
    close_file(file, path_, context);
  }

  void read_file(OpContext& context) {
    std::fill(read_.begin(), read_.end(), std::byte{0});
    FileDescriptor file = open_file(path_, O_RDONLY, context);
    read_all(file, read_, path_, context);
    close_file(file, path_, context);
  }

  std::string path_;
  std::vector<std::byte> written_;
  std::vector<std::byte> read_;
};

class FileWorkload final : public BasicWorkload {
 public:
  using BasicWorkload::BasicWorkload;
  ~FileWorkload() override { dir_.remove(); }
  FileWorkload(const FileWorkload&) = delete;
  FileWorkload& operator=(const FileWorkload&) = delete;

  void start_shared(WorkloadParams& params) override {
    dir_.create();
    params.temp_dir = dir_.path();
  }
  void stop_shared() noexcept override { dir_.remove(); }

  [[nodiscard]] std::unique_ptr<WorkerSession> open_worker(const WorkloadParams& params,
                                                           unsigned worker_index) const override {
    if (params.temp_dir.empty()) {
      throw std::runtime_error("file workload: no temporary directory (start_shared not called)");
    }
    const std::uint64_t bytes = or_default(params.op_size, kDefaultFileBytes);
    return std::make_unique<FileSession>(params.temp_dir, worker_index, bytes);
  }

 private:
  PrivateDir dir_;
};

}  // namespace

std::unique_ptr<Workload> make_file_workload(WorkloadInfo info) {
  return std::make_unique<FileWorkload>(std::move(info));
}

}  // namespace conc_probe::workloads
