#include "report/width.hpp"

#include <algorithm>

namespace conc_probe::report {
namespace {

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// Bytes of the longest prefix of `text` that takes at most `columns`.
std::size_t prefix_bytes(std::string_view text, std::size_t columns) {
  std::size_t used = 0, at = 0;
  while (at < text.size()) {
    std::size_t next = at + 1;
    while (next < text.size() && continuation(text[next])) ++next;
    if (used + 1 > columns) break;
    ++used;
    at = next;
  }
  return at;
}

/// Splits a word wider than `width` into pieces, preferring a break after '/', ',' or '-'.
std::vector<std::string> split_word(std::string_view word, std::size_t width) {
  std::vector<std::string> pieces;
  while (display_width(word) > width) {
    std::size_t cut = prefix_bytes(word, width);
    const auto soft = word.substr(0, cut).find_last_of("/,-");
    if (soft != std::string_view::npos && soft > 0) cut = soft + 1;
    pieces.emplace_back(word.substr(0, cut));
    word.remove_prefix(cut);
  }
  if (!word.empty()) pieces.emplace_back(word);
  return pieces;
}

}  // namespace

std::size_t display_width(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && (text[i] < '@' || text[i] > '~')) ++i;
      continue;
    }
    if (!continuation(text[i])) ++columns;
  }
  return columns;
}

std::vector<std::string> wrap_text(std::string_view text, std::size_t width) {
  if (width == 0) return {std::string(text)};
  std::vector<std::string> lines(1);
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    for (const auto& piece : split_word(word, width)) {
      std::string& line = lines.back();
      const std::size_t needed =
          display_width(line) + (line.empty() ? 0 : 1) + display_width(piece);
      if (!line.empty() && needed > width) {
        lines.push_back(piece);
      } else {
        line += (line.empty() ? "" : " ") + piece;
      }
    }
  }
  return lines;
}

std::string abbreviate(std::string_view text, std::size_t width) {
  if (display_width(text) <= width) return std::string(text);
  if (width == 0) return {};
  return std::string(text.substr(0, prefix_bytes(text, width - 1))) + "\xE2\x80\xA6";  // …
}

}  // namespace conc_probe::report
