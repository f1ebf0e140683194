#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace conc_probe::testing {

/// A private temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// Writes `content` to `relative` under the directory, creating parent directories.
  void write(std::string_view relative, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

/// tests/data in the source tree.
std::filesystem::path test_data_dir();

/// The conc-probe binary built with the tests.
std::filesystem::path binary_path();

}  // namespace conc_probe::testing
