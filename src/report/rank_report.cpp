#include "conc_probe/rank_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace conc_probe {
namespace {

using Json = nlohmann::ordered_json;

std::string join(const std::vector<unsigned>& values) {
  std::string out;
  for (const unsigned value : values) out += (out.empty() ? "" : ",") + std::to_string(value);
  return out;
}

std::string or_unknown(const std::optional<unsigned>& value) {
  return value ? std::to_string(*value) : "unknown";
}

/// Ranks of one host whose affinity overlaps another's, as "ranks 0,1 share CPUs 0-1".
void sharing_warnings(const std::string& host, const std::vector<const RankPlacement*>& ranks,
                      std::vector<std::string>& out) {
  std::vector<unsigned> sharing;
  std::set<unsigned> shared_cpus;
  for (const auto* a : ranks) {
    for (const auto* b : ranks) {
      if (a == b || !a->affinity || !b->affinity) continue;
      bool overlap = false;
      for (const unsigned cpu : a->affinity->cpus()) {
        if (b->affinity->contains(cpu)) {
          overlap = true;
          shared_cpus.insert(cpu);
        }
      }
      if (overlap && std::find(sharing.begin(), sharing.end(), a->rank) == sharing.end())
        sharing.push_back(a->rank);
    }
  }
  if (sharing.empty()) return;
  std::sort(sharing.begin(), sharing.end());
  out.push_back("ranks " + join(sharing) + " share CPUs " +
                CpuSet(std::vector<unsigned>(shared_cpus.begin(), shared_cpus.end())).to_string() +
                " on " + host +
                " (they timeshare; bind them apart with --map-by core --bind-to core)");
}

void oversubscription_warning(const std::string& host,
                              const std::vector<const RankPlacement*>& ranks,
                              std::vector<std::string>& out) {
  std::optional<unsigned> usable;
  unsigned threads = 0;
  for (const auto* rank : ranks) {
    threads += rank->threads;
    if (rank->usable) usable = std::min(usable.value_or(*rank->usable), *rank->usable);
  }
  if (!usable || threads <= *usable) return;
  out.push_back(std::to_string(ranks.size()) + " ranks × threads = " + std::to_string(threads) +
                " exceed the " + std::to_string(*usable) + " usable CPUs of " + host +
                " (oversubscribed: CPU-bound ranks slow each other down)");
}

void write_table(std::ostream& out, const std::vector<RankPlacement>& ranks) {
  out << "MPI ranks: " << ranks.size() << "\n";
  out << "rank  host              pid       affinity      usable  online  NUMA    threads\n";
  for (const auto& r : ranks) {
    const std::string affinity = r.affinity ? r.affinity->to_string() : "unknown";
    const std::string numa = r.numa_nodes.empty() ? "unknown" : join(r.numa_nodes);
    char line[256];
    std::snprintf(line, sizeof line, "%-5u %-17s %-9ld %-13s %-7s %-7s %-7s %u\n", r.rank,
                  r.host.c_str(), r.pid, affinity.c_str(), or_unknown(r.usable).c_str(),
                  or_unknown(r.online).c_str(), numa.c_str(), r.threads);
    out << line;
  }
  const auto warnings = placement_warnings(ranks);
  for (const auto& warning : warnings) out << "warning: " << warning << "\n";
  if (warnings.empty()) out << "No placement warnings.\n";
}

Json optional_json(const std::optional<unsigned>& value) {
  return value ? Json(*value) : Json(nullptr);
}

/// The CPUs of the host this rank's container may use, whatever the rank's own binding:
/// online ∩ cgroup cpuset, capped by the quota (rounded up, as `usable` is).
std::optional<unsigned> host_usable(const CpuCounts& cpu) {
  if (!cpu.online) return cpu.usable;
  const CpuSet allowed =
      cpu.cgroup_cpuset ? cpu.online->intersect(*cpu.cgroup_cpuset) : *cpu.online;
  auto count = static_cast<unsigned>(allowed.size());
  if (cpu.cgroup_quota)
    count = std::min(count, std::max(1U, static_cast<unsigned>(std::ceil(*cpu.cgroup_quota))));
  return count;
}

}  // namespace

RankPlacement placement_of(const PlatformReport& report, unsigned rank, std::string host, long pid,
                           unsigned threads) {
  RankPlacement placement;
  placement.rank = rank;
  placement.host = std::move(host);
  placement.pid = pid;
  placement.affinity = report.cpu.affinity;
  placement.usable = host_usable(report.cpu);
  placement.online = report.topology.logical_cpus;
  placement.threads = threads;
  for (const auto& node : report.topology.numa_nodes) {
    if (!placement.affinity) break;
    const auto& cpus = placement.affinity->cpus();
    if (std::any_of(cpus.begin(), cpus.end(),
                    [&](unsigned cpu) { return node.cpus.contains(cpu); }))
      placement.numa_nodes.push_back(node.id);
  }
  return placement;
}

std::vector<std::string> placement_warnings(const std::vector<RankPlacement>& ranks) {
  std::map<std::string, std::vector<const RankPlacement*>> hosts;
  for (const auto& rank : ranks) hosts[rank.host].push_back(&rank);
  std::vector<std::string> out;
  for (const auto& [host, members] : hosts) {
    sharing_warnings(host, members, out);
    oversubscription_warning(host, members, out);
  }
  return out;
}

void write_rank_report(std::ostream& out, const std::vector<RankPlacement>& ranks, Format format) {
  if (format != Format::Json) {
    write_table(out, ranks);
    return;
  }
  Json rows = Json::array();
  for (const auto& r : ranks) rows.push_back(Json::parse(placement_to_json(r)));
  Json report{{"schema_version", "1.0"}, {"ranks", rows}, {"warnings", placement_warnings(ranks)}};
  out << report.dump(2) << "\n";
}

std::string placement_to_json(const RankPlacement& r) {
  Json j{{"rank", r.rank},
         {"host", r.host},
         {"pid", r.pid},
         {"affinity", r.affinity ? Json(r.affinity->to_string()) : Json(nullptr)},
         {"usable_cpus", optional_json(r.usable)},
         {"online_cpus", optional_json(r.online)},
         {"numa_nodes", r.numa_nodes},
         {"threads", r.threads}};
  return j.dump();
}

RankPlacement placement_from_json(const std::string& text) {
  try {
    const Json j = Json::parse(text);
    RankPlacement r;
    r.rank = j.at("rank").get<unsigned>();
    r.host = j.at("host").get<std::string>();
    r.pid = j.at("pid").get<long>();
    if (!j.at("affinity").is_null())
      r.affinity = CpuSet::parse(j.at("affinity").get<std::string>());
    if (!j.at("usable_cpus").is_null()) r.usable = j.at("usable_cpus").get<unsigned>();
    if (!j.at("online_cpus").is_null()) r.online = j.at("online_cpus").get<unsigned>();
    r.numa_nodes = j.at("numa_nodes").get<std::vector<unsigned>>();
    r.threads = j.at("threads").get<unsigned>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed rank placement: ") + e.what());
  }
}

}  // namespace conc_probe
