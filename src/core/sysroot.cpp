#include "conc_probe/sysroot.hpp"

#include <fstream>
#include <iterator>
#include <system_error>

#include "conc_probe/text.hpp"

namespace conc_probe {

namespace fs = std::filesystem;

SysRoot::SysRoot(fs::path root) : root_(std::move(root)) {
  std::error_code ec;
  live_ = root_.empty() || fs::equivalent(root_, "/", ec);
  if (root_.empty()) root_ = "/";
}

fs::path SysRoot::path(std::string_view absolute) const {
  while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
  return root_ / absolute;
}

std::optional<std::string> SysRoot::read(std::string_view absolute) const {
  std::ifstream in(path(absolute), std::ios::binary);
  if (!in) return std::nullopt;
  // /proc and /sys files report size 0, so read in chunks instead of asking for the size.
  std::string content;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxFileSize) return std::nullopt;
  }
  if (in.bad()) return std::nullopt;
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
