// The output path: stdout written with every error checked, and files written through a
// temporary file renamed over the link's target, so that a reader never sees a partial
// file, a crash leaves the previous version and a symbolic link stays a link.
#include "conc_probe/output.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>

#ifdef __linux__
#include <linux/fs.h>
#endif

namespace conc_probe {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

fs::path directory_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

/// Opens a new, uniquely named file in `directory` (O_EXCL, mode 0666 minus the umask). The
/// name is short so that a target name of up to NAME_MAX bytes still works. Returns the
/// descriptor and fills `temp`; -1 with errno set on failure.
int open_temporary(const fs::path& directory, fs::path& temp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    temp = directory / (".conc-probe-" + std::to_string(::getpid()) + "-" +
                        std::to_string(counter.fetch_add(1)) + ".tmp");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

/// Writes all of `content`; returns 0 or the errno of the failed write.
int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) return errno;
    if (written == 0) return EIO;
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

[[noreturn]] void fail_stdout(int error) {
  if (error == EPIPE) throw ClosedPipe();
  throw Error(ExitCode::RunFailed, std::string("cannot write to stdout: ") + std::strerror(error));
}

[[noreturn]] void fail_write(const fs::path& path, int error) {
  throw Error(ExitCode::RunFailed, "cannot write " + quoted(path) + ": " + std::strerror(error));
}

[[noreturn]] void refuse(const fs::path& path, const std::string& why) {
  throw UsageError("cannot write output file " + quoted(path) + ": " + why);
}

/// True when the file's attributes forbid replacing it (chattr +i or +a).
bool is_immutable(const fs::path& target) {
#ifdef FS_IOC_GETFLAGS
  const int fd = ::open(target.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  int flags = 0;
  const bool known = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  ::close(fd);
  return known && (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) != 0;
#else
  (void)target;
  return false;
#endif
}

/// Refuses targets that rename() must not replace (directories, devices, fifos) or cannot
/// (immutable or append-only files, another user's file in a sticky directory).
void check_replaceable(const fs::path& path, const fs::path& target) {
  struct stat file {};
  // The kernel's view first: it follows links /proc's way (/dev/stdout to a pipe).
  if (::stat(path.c_str(), &file) == 0 && !S_ISREG(file.st_mode) && !S_ISDIR(file.st_mode))
    refuse(path, "not a regular file");
  if (::stat(target.c_str(), &file) != 0) return;  // missing: created
  if (S_ISDIR(file.st_mode)) refuse(path, "it is a directory");
  if (!S_ISREG(file.st_mode)) refuse(path, "not a regular file");
  if (is_immutable(target)) refuse(path, "the file is immutable or append-only (chattr)");
  struct stat dir {};
  const uid_t me = ::geteuid();
  if (::stat(directory_of(target).c_str(), &dir) == 0 && (dir.st_mode & S_ISVTX) != 0 && me != 0 &&
      file.st_uid != me && dir.st_uid != me) {
    refuse(path, "it belongs to another user in a sticky directory");
  }
}

}  // namespace

void write_stdout(std::string_view text) {
  std::cout.flush();
  if (std::fflush(stdout) != 0) fail_stdout(errno);
  if (const int error = write_all(STDOUT_FILENO, text); error != 0) fail_stdout(error);
}

void finish_stdout() {
  errno = 0;
  std::cout.flush();
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (!flushed || std::ferror(stdout) != 0 || std::cout.bad())
    fail_stdout(error != 0 ? error : EIO);
}

fs::path link_target(const fs::path& path) {
  fs::path current = path;
  for (int hop = 0; hop < 40; ++hop) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(current, ec))) return current;
    const fs::path next = fs::read_symlink(current, ec);
    if (ec) return current;
    current = next.is_absolute() ? next : directory_of(current) / next;
  }
  throw UsageError("cannot write output file " + quoted(path) + ": too many symbolic links");
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  const fs::path target = link_target(path);
  fs::path temp;
  const int fd = open_temporary(directory_of(target), temp);
  if (fd < 0) fail_write(path, errno);
  int error = write_all(fd, content);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temp.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    fail_write(path, error);
  }
}

void check_writable(const fs::path& path) {
  if (path.empty()) throw UsageError("empty output file name");
  const fs::path target = link_target(path);
  check_replaceable(path, target);
  fs::path temp;
  const int fd = open_temporary(directory_of(target), temp);
  if (fd < 0) refuse(path, std::strerror(errno));
  ::close(fd);
  ::unlink(temp.c_str());
}

bool same_target(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  const fs::path ta = fs::weakly_canonical(fs::absolute(link_target(a), ec), ec);
  const fs::path tb = fs::weakly_canonical(fs::absolute(link_target(b), ec), ec);
  if (ta == tb) return true;
  return fs::equivalent(ta, tb, ec);
}

}  // namespace conc_probe
