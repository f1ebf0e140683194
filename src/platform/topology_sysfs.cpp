#include "platform/topology_sysfs.hpp"

#include <algorithm>
#include <cctype>

#include "conc_probe/text.hpp"

namespace conc_probe::platform::topology {
namespace {

constexpr std::string_view kCpuDir = "/sys/devices/system/cpu";
constexpr std::string_view kNodeDir = "/sys/devices/system/node";

std::optional<unsigned> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<unsigned>(c - 'A' + 10);
  return std::nullopt;
}

// "cpu12" → 12, "node3" → 3; nullopt for "cpufreq", "cpu", "node".
std::optional<unsigned> numbered_entry(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return std::nullopt;
  const auto digits = name.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return std::nullopt;
  }
  const auto n = text::parse_u64(digits);
  if (!n || *n > CpuSet::kMaxCpu) return std::nullopt;
  return static_cast<unsigned>(*n);
}

std::optional<std::uint64_t> node_memory(const SysRoot& root, const std::string& dir) {
  const auto meminfo = root.read(dir + "/meminfo");
  if (!meminfo) return std::nullopt;
  for (const auto line : text::split(*meminfo, '\n')) {
    const auto at = line.find("MemTotal:");
    if (at == std::string_view::npos) continue;
    auto value = text::trim(line.substr(at + 9));
    if (value.size() > 2 && value.substr(value.size() - 2) == "kB") {
      const auto kib = text::parse_u64(value.substr(0, value.size() - 2));
      if (kib && *kib < (UINT64_MAX >> 10)) return *kib << 10;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string cpu_path(unsigned cpu, std::string_view leaf) {
  return std::string(kCpuDir) + "/cpu" + std::to_string(cpu) + std::string(leaf);
}

CpuDirectories cpu_directories(const SysRoot& root) {
  std::vector<unsigned> all;
  std::vector<unsigned> online;
  for (const auto& name : root.list(kCpuDir)) {
    const auto cpu = numbered_entry(name, "cpu");
    if (!cpu) continue;
    all.push_back(*cpu);
    // cpu0 often has no "online" file: it cannot be taken offline, so it is online.
    const auto state = root.read(cpu_path(*cpu, "/online"));
    if (!state || text::trim(*state) != "0") online.push_back(*cpu);
  }
  return {CpuSet(std::move(all)), CpuSet(std::move(online))};
}

std::optional<CpuSet> parse_cpu_mask(std::string_view text) {
  std::vector<unsigned> cpus;
  unsigned base = 0;
  bool any_digit = false;
  for (auto it = text.rbegin(); it != text.rend(); ++it) {
    const char c = *it;
    if (c == ',' || std::isspace(static_cast<unsigned char>(c)) != 0) continue;
    const auto digit = hex_digit(c);
    if (!digit) return std::nullopt;
    any_digit = true;
    for (unsigned bit = 0; bit < 4; ++bit) {
      if ((*digit & (1U << bit)) == 0) continue;
      if (base + bit > CpuSet::kMaxCpu) return std::nullopt;
      cpus.push_back(base + bit);
    }
    if (base <= CpuSet::kMaxCpu) base += 4;
  }
  if (!any_digit) return std::nullopt;
  return CpuSet(std::move(cpus));
}

std::optional<CpuSet> read_cpu_set(const SysRoot& root, const std::string& list_path,
                                   const std::string& mask_path) {
  if (const auto list = root.read(list_path)) {
    if (auto set = CpuSet::parse(*list)) return set;
  }
  if (const auto mask = root.read(mask_path)) return parse_cpu_mask(*mask);
  return std::nullopt;
}

CpuSet online_cpus(const SysRoot& root, const PlatformReport& report, const Cpuinfo& info,
                   std::string& source) {
  if (report.cpu.online) {
    source = "cpu.online";
    return *report.cpu.online;
  }
  const std::string online_file = std::string(kCpuDir) + "/online";
  if (const auto text = root.read(online_file)) {
    if (auto set = CpuSet::parse(*text); set && !set->empty()) {
      source = online_file;
      return *set;
    }
  }
  if (auto dirs = cpu_directories(root); !dirs.online.empty()) {
    source = std::string(kCpuDir) + "/cpu*/online";
    return dirs.online;
  }
  source = "/proc/cpuinfo";
  return CpuSet(info.cpus());
}

std::vector<NumaNode> probe_numa(const SysRoot& root) {
  std::vector<NumaNode> nodes;
  for (const auto& name : root.list(kNodeDir)) {
    const auto id = numbered_entry(name, "node");
    if (!id) continue;
    const std::string dir = std::string(kNodeDir) + "/" + name;
    NumaNode node;
    node.id = *id;
    node.cpus = read_cpu_set(root, dir + "/cpulist", dir + "/cpumap").value_or(CpuSet{});
    node.memory_bytes = node_memory(root, dir);
    nodes.push_back(std::move(node));
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const NumaNode& a, const NumaNode& b) { return a.id < b.id; });
  return nodes;
}

}  // namespace conc_probe::platform::topology
