#pragma once

#include <sys/types.h>

#include <string>

namespace conc_probe::workloads {

/// A private temporary directory (mkdtemp, "conc-probe-XXXXXX" under $TMPDIR or /tmp),
/// removed with its contents by remove() or the destructor -- but only in the process that
/// created it, so a forked child never removes its parent's directory.
class PrivateDir {
 public:
  PrivateDir() = default;
  ~PrivateDir() { remove(); }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;

  /// Creates the directory (removing a previous one first). Throws std::runtime_error with
  /// the reason when it cannot be created.
  void create();
  /// Removes the directory and everything in it; does nothing when there is none or when
  /// called in another process than the creator. Safe to call any number of times.
  void remove() noexcept;
  /// The directory's path; empty when there is none.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
  pid_t owner_ = 0;
};

/// The directory temporary files go to: $TMPDIR when set and not empty, else /tmp.
std::string temp_root();

}  // namespace conc_probe::workloads
