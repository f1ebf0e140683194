// Caches: one entry per level and type; its instances are the distinct sets of CPUs that
// share one copy (shared_cpu_list), counted over the online CPUs, as lscpu counts them.
#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "conc_probe/text.hpp"
#include "platform/topology_sysfs.hpp"

namespace conc_probe::platform::topology {
namespace {

struct CacheGroup {
  std::optional<std::uint64_t> size;  // the first instance's size
  // distinct shared-CPU sets (as cpu-list text) → that instance's size
  std::map<std::string, std::optional<std::uint64_t>> shared;
  bool shared_unknown = false;
};

int type_rank(std::string_view type) {
  if (type == "Data") return 0;
  if (type == "Instruction") return 1;
  return 2;
}

using GroupKey = std::pair<unsigned, std::string>;
using Groups = std::map<GroupKey, CacheGroup>;

void add_instance(Groups& groups, unsigned level, std::string type,
                  std::optional<std::uint64_t> size, const std::optional<CpuSet>& shared) {
  CacheGroup& group = groups[{level, std::move(type)}];
  if (!group.size) group.size = size;
  if (shared && !shared->empty())
    group.shared.emplace(shared->to_string(), size);
  else
    group.shared_unknown = true;
}

bool read_index_dirs(const SysRoot& root, unsigned cpu, Groups& groups) {
  const std::string cache_dir = cpu_path(cpu, "/cache");
  bool any = false;
  for (const auto& name : root.list(cache_dir)) {
    if (name.rfind("index", 0) != 0) continue;
    const std::string dir = cache_dir + "/" + name;
    const auto level = text::parse_u64(root.read_line(dir + "/level").value_or(""));
    const auto type = root.read_line(dir + "/type");
    if (!level || *level > 9 || !type) continue;
    const auto size = parse_cache_size(root.read_line(dir + "/size").value_or(""));
    add_instance(groups, static_cast<unsigned>(*level), *type, size,
                 read_cpu_set(root, dir + "/shared_cpu_list", dir + "/shared_cpu_map"));
    any = true;
  }
  return any;
}

// SPARC kernels publish per-CPU cache sizes in bytes instead of cache/index*.
void read_sparc_files(const SysRoot& root, unsigned cpu, Groups& groups) {
  struct File {
    std::string_view leaf;
    unsigned level;
    std::string_view type;
  };
  constexpr File kFiles[] = {{"/l1_dcache_size", 1, "Data"},
                             {"/l1_icache_size", 1, "Instruction"},
                             {"/l2_cache_size", 2, "Unified"}};
  for (const auto& file : kFiles) {
    const auto size = text::parse_u64(root.read_line(cpu_path(cpu, file.leaf)).value_or(""));
    if (!size || *size == 0) continue;
    add_instance(groups, file.level, std::string(file.type), size,
                 CpuSet(std::vector<unsigned>{cpu}));
  }
}

// s390: "cache4 : level=3 type=Unified scope=Shared size=65536K ..." in /proc/cpuinfo.
void add_cpuinfo_levels(const Cpuinfo& info, Groups& groups) {
  for (unsigned i = 0; i < 16; ++i) {
    const auto line = info.first("cache" + std::to_string(i));
    if (!line) continue;
    std::map<std::string, std::string, std::less<>> fields;
    for (const auto item : text::split(*line, ' ')) {
      const auto eq = item.find('=');
      if (eq != std::string_view::npos)
        fields[std::string(item.substr(0, eq))] = item.substr(eq + 1);
    }
    const auto level = text::parse_u64(fields["level"]);
    if (!level || *level > 9 || fields["type"].empty()) continue;
    const GroupKey key{static_cast<unsigned>(*level), fields["type"]};
    if (groups.contains(key)) continue;
    groups[key] = CacheGroup{parse_cache_size(fields["size"]), {}, true};
  }
}

std::string cache_name(unsigned level, std::string_view type) {
  std::string name = "L" + std::to_string(level);
  if (type == "Data") name += "d";
  if (type == "Instruction") name += "i";
  return name;
}

CacheInfo to_cache_info(const GroupKey& key, const CacheGroup& group) {
  CacheInfo cache;
  cache.level = key.first;
  cache.type = key.second;
  cache.name = cache_name(key.first, key.second);
  cache.size_bytes = group.size;
  if (!group.shared_unknown) cache.instances = static_cast<unsigned>(group.shared.size());
  if (!cache.instances) return cache;
  // Instances of one level may differ in size (hybrid parts: 48 KiB L1d on P-cores, 32 KiB
  // on E-cores): the total is the sum over the real instances.
  std::map<std::uint64_t, unsigned> sizes;
  std::uint64_t total = 0;
  bool known = true;
  for (const auto& [cpus, size] : group.shared) {
    if (!size || *size > std::numeric_limits<std::uint64_t>::max() - total) {
      known = false;
      continue;
    }
    total += *size;
    ++sizes[*size];
  }
  for (const auto& [size, count] : sizes) cache.sizes.push_back({size, count});
  if (known) cache.total_bytes = total;
  return cache;
}

}  // namespace

std::optional<std::uint64_t> parse_cache_size(std::string_view text) {
  text = text::trim(text);
  std::uint64_t unit = 1;
  if (!text.empty()) {
    const char suffix = text.back();
    if (suffix == 'K' || suffix == 'k') unit = 1ULL << 10;
    if (suffix == 'M' || suffix == 'm') unit = 1ULL << 20;
    if (suffix == 'G' || suffix == 'g') unit = 1ULL << 30;
    if (unit != 1) text.remove_suffix(1);
  }
  const auto value = text::parse_u64(text);
  if (!value || *value > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
  return *value * unit;
}

std::vector<CacheInfo> probe_caches(const SysRoot& root, const CpuSet& online,
                                    const Cpuinfo& info) {
  Groups groups;
  for (const unsigned cpu : online.cpus()) {
    if (!read_index_dirs(root, cpu, groups)) read_sparc_files(root, cpu, groups);
  }
  add_cpuinfo_levels(info, groups);
  std::vector<CacheInfo> caches;
  for (const auto& [key, group] : groups) caches.push_back(to_cache_info(key, group));
  std::sort(caches.begin(), caches.end(), [](const CacheInfo& a, const CacheInfo& b) {
    return std::pair(a.level, type_rank(a.type)) < std::pair(b.level, type_rank(b.type));
  });
  return caches;
}

}  // namespace conc_probe::platform::topology
