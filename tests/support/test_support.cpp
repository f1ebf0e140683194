#include "support/test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace conc_probe::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "conc-probe-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(std::string_view relative, std::string_view content) const {
  const fs::path target = path_ / relative;
  fs::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + target.string());
}

fs::path test_data_dir() { return CONC_PROBE_TEST_DATA; }

fs::path binary_path() { return CONC_PROBE_BINARY; }

}  // namespace conc_probe::testing
