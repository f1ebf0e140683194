#include "workloads/private_dir.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "workloads/io_util.hpp"

namespace conc_probe::workloads {

std::string temp_root() {
  const char* env = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe)
  return env != nullptr && *env != '\0' ? std::string(env) : std::string("/tmp");
}

void PrivateDir::create() {
  remove();
  const std::string root = temp_root();
  std::string pattern = root + "/conc-probe-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw system_failure("cannot create a temporary directory in '" + root + "'", errno);
  }
  path_ = pattern;
  owner_ = ::getpid();
}

void PrivateDir::remove() noexcept {
  if (path_.empty()) return;
  if (owner_ == ::getpid()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  path_.clear();
}

}  // namespace conc_probe::workloads
