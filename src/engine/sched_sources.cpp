#include "engine/sched_sources.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "conc_probe/text.hpp"

namespace conc_probe::engine {
namespace {

std::string read_small(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  if (!in) return text;
  char buffer[4096];
  in.read(buffer, sizeof buffer);
  text.assign(buffer, static_cast<std::size_t>(in.gcount()));
  return text;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  for (const auto field : text::split(line, ' ')) {
    if (!field.empty()) fields.push_back(field);
  }
  return fields;
}

/// A cgroup path joined under its hierarchy's mount, with each ancestor up to the mount.
void add_with_ancestors(const std::filesystem::path& mount, std::string_view mount_root,
                        std::string_view cgroup_path, std::vector<std::filesystem::path>& out) {
  std::string relative(cgroup_path);
  // A mount of a sub-tree (a container's view) shows paths below its root.
  if (mount_root != "/" && relative.starts_with(mount_root)) relative.erase(0, mount_root.size());
  std::filesystem::path dir = mount / std::filesystem::path(relative).relative_path();
  for (;;) {
    out.push_back(dir / "cpu.stat");
    if (dir == mount || !dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
    if (dir.string().size() < mount.string().size()) break;
  }
}

}  // namespace

std::optional<SchedStat> parse_schedstat(std::string_view text) {
  const auto fields = fields_of(text::trim(text.substr(0, text.find('\n'))));
  if (fields.size() < 2) return std::nullopt;
  const auto run = text::parse_u64(fields[0]);
  const auto wait = text::parse_u64(fields[1]);
  if (!run || !wait) return std::nullopt;
  return SchedStat{*run, *wait};
}

std::optional<SchedStat> read_thread_schedstat() {
  return parse_schedstat(read_small("/proc/thread-self/schedstat"));
}

std::optional<Throttling> parse_cpu_stat(std::string_view text) {
  Throttling out;
  bool throttled_count = false, throttled_time = false;
  for (const auto raw : text::split(text, '\n')) {
    const auto fields = fields_of(text::trim(raw));
    if (fields.size() != 2) continue;
    const auto value = text::parse_u64(fields[1]);
    if (!value) continue;
    if (fields[0] == "nr_periods") out.periods = *value;
    if (fields[0] == "nr_throttled") {
      out.throttled_periods = *value;
      throttled_count = true;
    }
    if (fields[0] == "throttled_usec") {
      out.throttled_seconds = static_cast<double>(*value) * 1e-6;
      throttled_time = true;
    }
    if (fields[0] == "throttled_time") {
      out.throttled_seconds = static_cast<double>(*value) * 1e-9;
      throttled_time = true;
    }
  }
  if (!throttled_count || !throttled_time) return std::nullopt;
  return out;
}

std::vector<std::filesystem::path> cpu_stat_files(std::string_view proc_self_cgroup,
                                                  std::string_view proc_self_mountinfo) {
  struct Mount {
    std::string point, root;
    bool v2 = false, cpu = false;
  };
  std::vector<Mount> mounts;
  for (const auto raw : text::split(proc_self_mountinfo, '\n')) {
    const auto fields = fields_of(raw);
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || dash + 3 > fields.end()) continue;
    const std::string_view type = *(dash + 1);
    Mount mount{std::string(fields[4]), std::string(fields[3]), type == "cgroup2", false};
    if (type == "cgroup") {
      for (const auto option : text::split(*(dash + 3), ','))
        mount.cpu = mount.cpu || option == "cpu";
    }
    if (mount.v2 || mount.cpu) mounts.push_back(std::move(mount));
  }
  std::vector<std::filesystem::path> out;
  for (const auto raw : text::split(proc_self_cgroup, '\n')) {
    const auto first = raw.find(':');
    const auto second = first == std::string_view::npos ? first : raw.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view controllers = raw.substr(first + 1, second - first - 1);
    const std::string_view path = text::trim(raw.substr(second + 1));
    bool cpu = false;
    for (const auto controller : text::split(controllers, ',')) cpu = cpu || controller == "cpu";
    for (const auto& mount : mounts) {
      if ((controllers.empty() && mount.v2) || (cpu && mount.cpu)) {
        add_with_ancestors(mount.point, mount.root, path, out);
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::filesystem::path> live_cpu_stat_files() {
  auto files = cpu_stat_files(read_small("/proc/self/cgroup"), [] {
    std::ifstream in("/proc/self/mountinfo");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }());
  std::erase_if(files, [](const std::filesystem::path& file) {
    std::error_code ec;
    return !std::filesystem::is_regular_file(file, ec);
  });
  return files;
}

std::vector<std::optional<Throttling>> read_throttling(
    const std::vector<std::filesystem::path>& files) {
  std::vector<std::optional<Throttling>> out;
  out.reserve(files.size());
  for (const auto& file : files) out.push_back(parse_cpu_stat(read_small(file)));
  return out;
}

std::optional<Throttling> throttling_between(const std::vector<std::optional<Throttling>>& before,
                                             const std::vector<std::optional<Throttling>>& after) {
  std::optional<Throttling> total;
  for (std::size_t i = 0; i < std::min(before.size(), after.size()); ++i) {
    if (!before[i] || !after[i]) continue;
    const Throttling& from = *before[i];
    const Throttling& to = *after[i];
    if (!total) total = Throttling{};
    total->periods = std::max(total->periods, to.periods - std::min(to.periods, from.periods));
    total->throttled_periods =
        std::max(total->throttled_periods,
                 to.throttled_periods - std::min(to.throttled_periods, from.throttled_periods));
    total->throttled_seconds = std::max(
        total->throttled_seconds, std::max(0.0, to.throttled_seconds - from.throttled_seconds));
  }
  return total;
}

}  // namespace conc_probe::engine
