// write_info's dispatch and info_get: the formats of `conc-probe info` over one JSON form.
#include <algorithm>
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
    collect_keys(child, prefix.empty() ? key : prefix + "." + key, out);
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

std::string scalar_text(const Json& node) {
  if (node.is_null()) return "unknown";
  if (node.is_string()) return node.get<std::string>();
  return node.dump();
}

}  // namespace

void write_info(std::ostream& out, const PlatformReport& report, Format format, Style style) {
  switch (format) {
    case Format::Json:
      out << report::info_to_json(report).dump(2) << '\n';
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
  if (const Json* node = find_key(json, key)) return scalar_text(*node);
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
