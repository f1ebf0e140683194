// write_info's dispatch and info_get: the formats of `conc-probe info` over one JSON form.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ostream>
#include <string>
#include <vector>

#include "conc_probe/error.hpp"
#include "conc_probe/reporter.hpp"
#include "conc_probe/text.hpp"
#include "report/info_json.hpp"
#include "report/info_table.hpp"

namespace conc_probe {
namespace {

using Json = nlohmann::ordered_json;

/// Every dotted key of the JSON (objects and leaves), for suggestions.
void collect_keys(const Json& node, const std::string& prefix, std::vector<std::string>& out) {
  if (!prefix.empty()) out.push_back(prefix);
  if (!node.is_object() || prefix == "sources") return;
  for (const auto& [key, child] : node.items())
    collect_keys(child, prefix.empty() ? key : fmt::format("{}.{}", prefix, key), out);
}

/// The node at a dotted key; array elements by index ("topology.caches.0.name"). The
/// sources section's own keys contain dots, so "sources.cpu.usable" is looked up whole.
const Json* find_key(const Json& root, std::string_view key) {
  if (key.starts_with("sources.")) {
    const auto& sources = root.at("sources");
    const auto it = sources.find(std::string(key.substr(8)));
    return it == sources.end() ? nullptr : &*it;
  }
  const Json* node = &root;
  for (const auto part : text::split(key, '.')) {
    if (node->is_object()) {
      const auto it = node->find(std::string(part));
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (const auto index = text::parse_u64(part);
               node->is_array() && index && *index < node->size()) {
      node = &(*node)[static_cast<std::size_t>(*index)];
    } else {
      return nullptr;
    }
  }
  return node;
}

/// Keys whose null means "there is none" (no quota, no limit, no cpuset), not "unknown".
bool null_means_none(std::string_view key) {
  constexpr std::string_view kNoneKeys[] = {"cpu.cgroup_quota",          "cpu.cgroup_quota_path",
                                            "cpu.cgroup_cpuset",         "cpu.cgroup_cpuset_count",
                                            "cgroup.memory_limit_bytes", "cgroup.memory_limit_path",
                                            "memory.cgroup_limit_bytes"};
  return std::find(std::begin(kNoneKeys), std::end(kNoneKeys), key) != std::end(kNoneKeys);
}

std::string scalar_text(const Json& node, std::string_view key) {
  if (node.is_null()) return null_means_none(key) ? "none" : "unknown";
  if (node.is_string()) return node.get<std::string>();
  return node.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

FormatTable info_formats() {
  static constexpr std::array<FormatRow, 2> kFormats{{
      {Format::Table, "table", ".txt"},
      {Format::Json, "json", ".json"},
  }};
  return kFormats;
}

void write_info(std::ostream& out, const PlatformReport& report, Format format, Style style) {
  switch (format) {
    case Format::Json:
      // Bytes that are not UTF-8 (a Latin-1 os-release, a sysroot path) become U+FFFD:
      // the output is valid JSON whatever the files hold.
      out << report::info_to_json(report).dump(2, ' ', false, Json::error_handler_t::replace)
          << '\n';
      return;
    case Format::Table:
      report::write_info_table(out, report, style);
      return;
    case Format::Markdown:
    case Format::Csv:
      break;
  }
  throw UsageError("'info' writes only the table and json formats");
}

std::string info_get(const PlatformReport& report, std::string_view key) {
  const Json json = report::info_to_json(report);
  if (key.empty()) throw UsageError("--get needs a key, e.g. 'cpu.usable'");
  if (const Json* node = find_key(json, key)) return scalar_text(*node, key);
  std::vector<std::string> keys;
  collect_keys(json, "", keys);
  std::string message = "unknown key '" + std::string(key) + "'";
  if (const auto hint = text::suggest(key, keys))
    message += " (did you mean '" + *hint + "'?)";
  else
    message += " (keys are the JSON's dotted paths, e.g. 'cpu.usable')";
  throw UsageError(message);
}

}  // namespace conc_probe
