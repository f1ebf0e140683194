#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace conc_probe {

/// Reads Linux's /proc and /sys through a root directory, so that tests (and
/// `conc-probe info --sysroot DIR`) can replay another machine's files. With the root "/",
/// it reads this machine.
class SysRoot {
 public:
  /// A root of "/" (or empty) means the live system.
  explicit SysRoot(std::filesystem::path root = "/");

  /// True when this reads the running machine (root "/"): only then may the probe ask the
  /// kernel directly (sched_getaffinity, uname, CPUID).
  [[nodiscard]] bool is_live() const noexcept { return live_; }

  /// The path under the root for an absolute path such as "/proc/cpuinfo".
  [[nodiscard]] std::filesystem::path path(std::string_view absolute) const;

  /// The whole file, or std::nullopt when it is missing, unreadable or not a regular file
  /// (a named pipe or device in a dump is never read). Files larger than
  /// kMaxFileSize are refused (nullopt) so a hostile input cannot exhaust memory.
  [[nodiscard]] std::optional<std::string> read(std::string_view absolute) const;

  /// The file's first line without its newline, trimmed; nullopt when unreadable or empty.
  [[nodiscard]] std::optional<std::string> read_line(std::string_view absolute) const;

  /// True when the path exists under the root.
  [[nodiscard]] bool exists(std::string_view absolute) const;

  /// Names of the directory's entries (not sorted), empty when it is missing.
  [[nodiscard]] std::vector<std::string> list(std::string_view absolute) const;

  /// The root directory as given.
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  static constexpr std::size_t kMaxFileSize = 16U << 20;

 private:
  std::filesystem::path root_;
  bool live_;
};

}  // namespace conc_probe
