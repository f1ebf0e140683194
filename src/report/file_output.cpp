// Output files: checked before any work, written atomically (temporary file + rename) so
// that a reader never sees a partial file and a crash leaves the previous version.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"

namespace conc_probe {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

fs::path directory_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

/// Opens a new, uniquely named file next to `path` (O_EXCL, mode 0666 minus the umask).
/// Returns the descriptor and fills `temp`; -1 with errno set on failure.
int open_temporary(const fs::path& path, fs::path& temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = directory_of(path) /
           ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter.fetch_add(1)));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

[[noreturn]] void fail_write(const fs::path& path, int error) {
  throw Error(ExitCode::RunFailed, "cannot write " + quoted(path) + ": " + std::strerror(error));
}

/// Refuses paths that rename() must not replace: directories, devices, fifos.
void check_target(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (fs::is_directory(status))
    throw UsageError("cannot write output file " + quoted(path) + ": it is a directory");
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    throw UsageError("cannot write output file " + quoted(path) + ": not a regular file");
  }
}

}  // namespace

void write_file_atomically(const fs::path& path, std::string_view content) {
  fs::path temp;
  const int fd = open_temporary(path, temp);
  if (fd < 0) fail_write(path, errno);
  const bool ok = write_all(fd, content) && ::fsync(fd) == 0;
  const int write_error = errno;
  if (::close(fd) != 0 || !ok) {
    const int error = ok ? errno : write_error;
    ::unlink(temp.c_str());
    fail_write(path, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail_write(path, error);
  }
}

void check_writable(const fs::path& path) {
  if (path.empty()) throw UsageError("empty output file name");
  check_target(path);
  fs::path temp;
  const int fd = open_temporary(path, temp);
  if (fd < 0) {
    throw UsageError("cannot write output file " + quoted(path) + ": " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(temp.c_str());
}

}  // namespace conc_probe
