// The cgroup part of the Linux probe: which cgroup this process is in, where its hierarchy
// is mounted, and the CPU quota, cpuset and memory limit that apply to it. Limits are the
// minimum over the process's cgroup and every ancestor up to the mount root, because the
// kernel enforces each level's limit on everything below it. See docs/cpu-count.md.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conc_probe/text.hpp"
#include "platform/probes.hpp"

namespace conc_probe::platform {
namespace {

/// One line of /proc/self/cgroup: "id:controller,list:/path" (v2: "0::/path").
struct Membership {
  std::string id;
  std::vector<std::string> controllers;
  std::string path;
};

/// One cgroup or cgroup2 line of /proc/self/mountinfo.
struct Mount {
  std::string root;         ///< the cgroup that appears at the mount point
  std::string mount_point;  ///< where it is mounted
  bool v2 = false;
  std::vector<std::string> options;  ///< super options (v1: the controllers)
  /// The cpuset files lack their "cpuset." prefix ("cpus"): a v1 mount with the noprefix
  /// option, or the legacy "cpuset" filesystem type.
  bool noprefix = false;
};

/// A hierarchy resolved for one controller: the directory of the process's cgroup.
struct Hierarchy {
  int version = 0;
  std::string mount_point;
  std::string dir;          ///< leaf directory (absolute, under the sysroot)
  std::string cgroup_path;  ///< the cgroup path the leaf directory stands for
  bool noprefix = false;
};

/// One level of the walk from the leaf up to the mount point.
struct Level {
  std::string dir;
  std::string cgroup_path;
};

constexpr std::uint64_t kNoMemoryLimit = std::uint64_t{1} << 60;  // v1 "unlimited" is ~2^63

std::vector<std::string> split_words(std::string_view text, char sep) {
  std::vector<std::string> out;
  for (const auto word : text::split(text, sep)) {
    if (!word.empty()) out.emplace_back(word);
  }
  return out;
}

std::vector<Membership> parse_proc_cgroup(std::string_view content) {
  std::vector<Membership> out;
  for (const auto line : text::split(content, '\n')) {
    const auto first = line.find(':');
    const auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const auto path = text::trim(line.substr(second + 1));
    if (path.empty() || path.front() != '/') continue;
    out.push_back({std::string(line.substr(0, first)),
                   split_words(line.substr(first + 1, second - first - 1), ','),
                   std::string(path)});
  }
  return out;
}

bool contains(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

/// mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string unescape_mount_field(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) &&
        is_octal(field[i + 2]) && is_octal(field[i + 3])) {
      out.push_back(static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                                      (field[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

/// A cgroup mount of filesystem `type`, or nullopt for any other filesystem.
std::optional<Mount> make_mount(std::string_view type, std::string root, std::string mount_point,
                                std::string_view options) {
  Mount mount{std::move(root), std::move(mount_point), type == "cgroup2", split_words(options, ','),
              false};
  if (type == "cpuset") {
    mount.options = {"cpuset"};  // the cpuset filesystem is a v1 cpuset hierarchy
    mount.noprefix = true;
  } else if (type == "cgroup") {
    mount.noprefix = contains(mount.options, "noprefix");
  } else if (type != "cgroup2") {
    return std::nullopt;
  }
  return mount;
}

std::optional<Mount> parse_mount_line(std::string_view line) {
  const auto dash = line.find(" - ");
  if (dash == std::string_view::npos) return std::nullopt;
  const auto left = split_words(line.substr(0, dash), ' ');
  const auto right = split_words(line.substr(dash + 3), ' ');
  if (left.size() < 5 || right.size() < 3) return std::nullopt;
  return make_mount(right[0], unescape_mount_field(left[3]), unescape_mount_field(left[4]),
                    right[2]);
}

/// One line of /proc/mounts ("device mount_point type options 0 0"), the only mount table
/// of kernels before 2.6.26 and of some dumps. It does not say which cgroup appears at the
/// mount point; outside a container that is the root.
std::optional<Mount> parse_mounts_line(std::string_view line) {
  const auto fields = split_words(line, ' ');
  if (fields.size() < 4) return std::nullopt;
  return make_mount(fields[2], "/", unescape_mount_field(fields[1]), fields[3]);
}

std::vector<Mount> parse_mount_table(std::string_view content, bool mountinfo) {
  std::vector<Mount> out;
  for (const auto line : text::split(content, '\n')) {
    if (auto mount = mountinfo ? parse_mount_line(line) : parse_mounts_line(line))
      out.push_back(std::move(*mount));
  }
  return out;
}

std::string join_path(std::string_view base, std::string_view rest) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!rest.empty() && rest.front() != '/') out += '/';
  out += rest;
  return out.empty() ? std::string("/") : out;
}

/// The directory of `cgroup_path` inside a mount whose root is `mount.root`. When the path
/// is not under the mount's root (a container that sees only its own cgroup mounted, while
/// /proc/self/cgroup still names the host's path), the mount point itself is the process's
/// cgroup, as the JVM and automaxprocs assume.
Hierarchy resolve(const Mount& mount, const std::string& cgroup_path, int version) {
  Hierarchy h{version, mount.mount_point, mount.mount_point, mount.root, mount.noprefix};
  if (mount.root == "/") {
    h.dir = join_path(mount.mount_point, cgroup_path);
    h.cgroup_path = cgroup_path;
  } else if (cgroup_path == mount.root) {
    h.cgroup_path = cgroup_path;
  } else if (cgroup_path.starts_with(mount.root + "/")) {
    h.dir = join_path(mount.mount_point, cgroup_path.substr(mount.root.size()));
    h.cgroup_path = cgroup_path;
  }
  return h;
}

std::optional<Hierarchy> find_v1(const std::vector<Membership>& members,
                                 const std::vector<Mount>& mounts, std::string_view controller) {
  const auto member = std::find_if(members.begin(), members.end(), [&](const Membership& m) {
    return contains(m.controllers, controller);
  });
  const auto mount = std::find_if(mounts.begin(), mounts.end(), [&](const Mount& m) {
    return !m.v2 && contains(m.options, controller);
  });
  if (member == members.end() || mount == mounts.end()) return std::nullopt;
  return resolve(*mount, member->path, 1);
}

/// A cgroup2 hierarchy offers a controller when its root's cgroup.controllers lists it (a
/// hybrid system mounts an empty cgroup2 next to the v1 controllers). A missing file is
/// taken as "offered" so minimal trees still work.
bool offers(const SysRoot& root, const Mount& mount, std::string_view controller) {
  const auto listed = root.read(join_path(mount.mount_point, "cgroup.controllers"));
  return !listed || contains(split_words(text::trim(*listed), ' '), controller);
}

std::optional<Hierarchy> find_v2(const SysRoot& root, const std::vector<Membership>& members,
                                 const std::vector<Mount>& mounts, std::string_view controller) {
  const auto member = std::find_if(members.begin(), members.end(), [](const Membership& m) {
    return m.id == "0" && m.controllers.empty();
  });
  const auto mount =
      std::find_if(mounts.begin(), mounts.end(), [](const Mount& m) { return m.v2; });
  if (member == members.end() || mount == mounts.end()) return std::nullopt;
  if (!controller.empty() && !offers(root, *mount, controller)) return std::nullopt;
  return resolve(*mount, member->path, 2);
}

/// The controller's v1 hierarchy if it has one, else the unified v2 hierarchy.
std::optional<Hierarchy> find_hierarchy(const SysRoot& root, const std::vector<Membership>& members,
                                        const std::vector<Mount>& mounts,
                                        std::string_view controller) {
  if (auto v1 = find_v1(members, mounts, controller)) return v1;
  return find_v2(root, members, mounts, controller);
}

std::string parent_path(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

/// The leaf and its ancestors up to (and including) the mount point.
std::vector<Level> levels(const Hierarchy& h) {
  std::vector<Level> out{{h.dir, h.cgroup_path}};
  std::string dir = h.dir;
  std::string path = h.cgroup_path;
  while (dir.size() > h.mount_point.size() && dir.starts_with(h.mount_point)) {
    dir = parent_path(dir);
    path = parent_path(path);
    if (dir.size() < h.mount_point.size()) break;
    out.push_back({dir, path});
  }
  return out;
}

/// A CPU quota read at one level: the fraction, or "no limit" (nullopt inside).
using QuotaReading = std::optional<std::optional<double>>;

QuotaReading read_quota_v2(const SysRoot& root, const std::string& dir) {
  const auto line = root.read_line(join_path(dir, "cpu.max"));
  if (!line) return std::nullopt;
  const auto fields = split_words(*line, ' ');
  if (fields.empty() || fields.size() > 2) return std::nullopt;
  const auto period =
      fields.size() == 2 ? text::parse_u64(fields[1]) : std::optional<std::uint64_t>{100000};
  if (!period || *period == 0) return std::nullopt;
  if (fields[0] == "max") return std::optional<double>{};
  const auto quota = text::parse_u64(fields[0]);
  if (!quota || *quota == 0) return std::nullopt;
  return std::optional<double>{static_cast<double>(*quota) / static_cast<double>(*period)};
}

QuotaReading read_quota_v1(const SysRoot& root, const std::string& dir) {
  const auto quota_line = root.read_line(join_path(dir, "cpu.cfs_quota_us"));
  const auto quota = quota_line ? text::parse_i64(*quota_line) : std::nullopt;
  if (!quota || *quota == 0 || *quota < -1) return std::nullopt;
  if (*quota == -1) return std::optional<double>{};
  const auto period_line = root.read_line(join_path(dir, "cpu.cfs_period_us"));
  const auto period = period_line ? text::parse_u64(*period_line) : std::nullopt;
  if (!period || *period == 0) return std::nullopt;
  return std::optional<double>{static_cast<double>(*quota) / static_cast<double>(*period)};
}

void probe_quota(const SysRoot& root, const Hierarchy& h, PlatformReport& report) {
  const char* file = h.version == 2 ? "cpu.max" : "cpu.cfs_quota_us";
  report.sources["cpu.cgroup_quota"] = join_path(h.dir, file) + " (and ancestors; none = no limit)";
  for (const auto& level : levels(h)) {
    const auto reading =
        h.version == 2 ? read_quota_v2(root, level.dir) : read_quota_v1(root, level.dir);
    if (!reading || !*reading) continue;
    auto& cpu = report.cpu;
    if (!cpu.cgroup_quota || **reading < *cpu.cgroup_quota) {
      cpu.cgroup_quota = **reading;
      cpu.cgroup_quota_path = level.cgroup_path;
      report.sources["cpu.cgroup_quota"] = join_path(level.dir, file);
    }
  }
}

/// The effective cpuset: the nearest level (from the leaf up) with a non-empty, valid list.
/// The kernel's effective list already includes every ancestor's restriction.
void probe_cpuset(const SysRoot& root, const Hierarchy& h, PlatformReport& report) {
  std::vector<std::string> files{"cpuset.cpus.effective"};
  if (h.version == 1 && h.noprefix) files = {"effective_cpus", "cpus"};
  if (h.version == 1 && !h.noprefix) files = {"cpuset.effective_cpus", "cpuset.cpus"};
  for (const auto& level : levels(h)) {
    for (const auto& file : files) {
      const auto content = root.read(join_path(level.dir, file));
      const auto set = content ? CpuSet::parse(*content) : std::nullopt;
      if (!set || set->empty()) continue;
      report.cpu.cgroup_cpuset = *set;
      report.sources["cpu.cgroup_cpuset"] = join_path(level.dir, file);
      return;
    }
  }
}

std::optional<std::uint64_t> read_memory_limit(const SysRoot& root, const std::string& dir,
                                               int version) {
  const auto line =
      root.read_line(join_path(dir, version == 2 ? "memory.max" : "memory.limit_in_bytes"));
  if (!line || *line == "max") return std::nullopt;
  const auto value = text::parse_u64(*line);
  if (!value || *value == 0 || *value >= kNoMemoryLimit) return std::nullopt;
  return value;
}

void probe_memory_limit(const SysRoot& root, const Hierarchy& h, PlatformReport& report) {
  const char* file = h.version == 2 ? "memory.max" : "memory.limit_in_bytes";
  report.sources["cgroup.memory_limit_bytes"] =
      join_path(h.dir, file) + " (and ancestors; none = no limit)";
  for (const auto& level : levels(h)) {
    const auto limit = read_memory_limit(root, level.dir, h.version);
    auto& cgroup = report.cgroup;
    if (limit && (!cgroup.memory_limit_bytes || *limit < *cgroup.memory_limit_bytes)) {
      cgroup.memory_limit_bytes = limit;
      cgroup.memory_limit_path = level.cgroup_path;
      report.sources["cgroup.memory_limit_bytes"] = join_path(level.dir, file);
    }
  }
  report.memory.cgroup_limit_bytes = report.cgroup.memory_limit_bytes;
  report.sources["memory.cgroup_limit_bytes"] = report.sources["cgroup.memory_limit_bytes"];
}

void record_membership(const std::optional<Hierarchy>& cpu, const std::optional<Hierarchy>& memory,
                       const std::vector<Mount>& mounts, const std::string& tables,
                       PlatformReport& report) {
  const auto& main = cpu ? cpu : memory;
  if (main) {
    report.cgroup.version = main->version;
    report.cgroup.path = main->cgroup_path;
  } else if (!mounts.empty()) {
    report.cgroup.version = mounts.front().v2 ? 2 : 1;
  }
  report.sources["cgroup.version"] = tables;
  if (report.cgroup.path) report.sources["cgroup.path"] = "/proc/self/cgroup";
}

/// Without /proc/self/cgroup (kernels before 2.6.24, some dumps) the cpuset path is still
/// in /proc/self/cpuset: the cpuset hierarchy alone can be found, v1 first, else cgroup2.
std::optional<Hierarchy> cpuset_from_proc_cpuset(const SysRoot& root,
                                                 const std::vector<Mount>& mounts) {
  const auto line = root.read_line("/proc/self/cpuset");
  if (!line || line->front() != '/') return std::nullopt;
  if (auto v1 = find_v1({Membership{"1", {"cpuset"}, *line}}, mounts, "cpuset")) return v1;
  return find_v2(root, {Membership{"0", {}, *line}}, mounts, "cpuset");
}

}  // namespace

void probe_cgroup(const SysRoot& root, PlatformReport& report) {
  const auto cgroup_text = root.read("/proc/self/cgroup");
  std::string tables = "/proc/self/mountinfo";
  auto table_text = root.read(tables);
  if (!table_text) {
    tables = "/proc/mounts";
    table_text = root.read(tables);
  }
  if (!table_text) return;
  const auto mounts = parse_mount_table(*table_text, tables == "/proc/self/mountinfo");
  if (!cgroup_text) {
    const auto cpuset = cpuset_from_proc_cpuset(root, mounts);
    if (!cpuset) return;
    report.cgroup.version = cpuset->version;
    report.sources["cgroup.version"] = tables + ", /proc/self/cpuset";
    probe_cpuset(root, *cpuset, report);
    return;
  }
  const auto members = parse_proc_cgroup(*cgroup_text);
  const auto cpu = find_hierarchy(root, members, mounts, "cpu");
  const auto cpuset = find_hierarchy(root, members, mounts, "cpuset");
  const auto memory = find_hierarchy(root, members, mounts, "memory");
  record_membership(cpu, memory, mounts, "/proc/self/cgroup, " + tables, report);
  if (cpu) probe_quota(root, *cpu, report);
  if (cpuset) probe_cpuset(root, *cpuset, report);
  if (memory) probe_memory_limit(root, *memory, report);
}

}  // namespace conc_probe::platform
