#include "conc_probe/sysroot.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "conc_probe/text.hpp"

namespace conc_probe {

namespace fs = std::filesystem;

SysRoot::SysRoot(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  live_ = root_.empty() || fs::equivalent(root_, "/", ec);
  if (root_.empty()) root_ = "/";
}

namespace {

/// `absolute` (leading slashes dropped) under `root`, as a plain string: building a
/// std::filesystem::path for every file read cost more than reading a one-line sysfs file.
std::string under_root(const fs::path& root, std::string_view absolute) {
  while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
  std::string joined = root.native();
  if (joined.empty() || joined.back() != '/') joined += '/';
  joined += absolute;
  return joined;
}

}  // namespace

fs::path SysRoot::path(std::string_view absolute) const { return under_root(root_, absolute); }

std::optional<std::string> SysRoot::read(std::string_view absolute) const {
  // Plain open/read: the probe reads a few hundred small files and a stream per file
  // costs more than the read itself. /proc and /sys files report size 0, so read until EOF.
  // Only regular files are read (/proc and /sys files are regular too): opening a named
  // pipe in a dump would wait forever for a writer, a device could be read without end.
  // O_NONBLOCK makes the open itself return at once; it changes nothing for regular files.
  const int fd =
      ::open(under_root(root_, absolute).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string content;
  char buffer[8192];
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxFileSize) {
      ok = false;
      break;
    }
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return content;
}

std::optional<std::string> SysRoot::read_line(std::string_view absolute) const {
  auto content = read(absolute);
  if (!content) return std::nullopt;
  const auto line = text::trim(std::string_view(*content).substr(0, content->find('\n')));
  if (line.empty()) return std::nullopt;
  return std::string(line);
}

bool SysRoot::exists(std::string_view absolute) const {
  std::error_code ec;
  return fs::exists(path(absolute), ec);
}

std::vector<std::string> SysRoot::list(std::string_view absolute) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(path(absolute), ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  return names;
}

}  // namespace conc_probe
