#include "report/info_json.hpp"

#include <optional>
#include <string>

namespace conc_probe::report {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json value(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json cpu_list(const std::optional<CpuSet>& set) {
  return set ? Json(set->to_string()) : Json(nullptr);
}

Json cpu_count(const std::optional<CpuSet>& set) { return set ? Json(set->size()) : Json(nullptr); }

Json string_map(const std::map<std::string, std::string>& map) {
  Json out = Json::object();
  for (const auto& [key, text] : map) out[key] = text;
  return out;
}

Json cpu_json(const CpuCounts& c) {
  Json j;
  j["usable"] = value(c.usable);
  j["usable_fraction"] = value(c.usable_fraction);
  j["usable_cpus"] = value(c.usable_cpus);
  j["recommended_cpu_workers"] = value(c.recommended_cpu_workers);
  j["recommended_io_workers"] = value(c.recommended_io_workers);
  for (const auto& [name, set] :
       {std::pair{"possible", &c.possible}, std::pair{"present", &c.present},
        std::pair{"online", &c.online}, std::pair{"offline", &c.offline},
        std::pair{"affinity", &c.affinity}, std::pair{"cgroup_cpuset", &c.cgroup_cpuset}}) {
    j[name] = cpu_list(*set);
    j[std::string(name) + "_count"] = cpu_count(*set);
  }
  j["cgroup_quota"] = value(c.cgroup_quota);
  j["cgroup_quota_path"] = value(c.cgroup_quota_path);
  j["overrides"] = string_map(c.overrides);
  return j;
}

Json cgroup_json(const CgroupInfo& c) {
  return Json{{"version", value(c.version)},
              {"path", value(c.path)},
              {"memory_limit_bytes", value(c.memory_limit_bytes)},
              {"memory_limit_path", value(c.memory_limit_path)}};
}

Json core_kind_json(const CoreKind& k) {
  return Json{{"model_name", value(k.model_name)},
              {"label", value(k.label)},
              {"cpus", k.cpus.to_string()},
              {"cpu_count", k.cpus.size()},
              {"cores", value(k.cores)},
              {"threads_per_core", value(k.threads_per_core)},
              {"sockets", value(k.sockets)},
              {"capacity", value(k.capacity)},
              {"midr_implementer", value(k.midr_implementer)},
              {"midr_part", value(k.midr_part)},
              {"family", value(k.family)},
              {"model", value(k.model)},
              {"stepping", value(k.stepping)}};
}

Json cache_json(const CacheInfo& c) {
  Json sizes = Json::array();
  for (const auto& size : c.sizes)
    sizes.push_back(Json{{"size_bytes", size.size_bytes}, {"instances", size.instances}});
  return Json{{"name", c.name},
              {"level", c.level},
              {"type", c.type},
              {"size_bytes", value(c.size_bytes)},
              {"instances", value(c.instances)},
              {"total_bytes", value(c.total_bytes)},
              {"sizes", sizes}};
}

Json topology_json(const Topology& t) {
  Json kinds = Json::array();
  for (const auto& kind : t.core_kinds) kinds.push_back(core_kind_json(kind));
  Json nodes = Json::array();
  for (const auto& node : t.numa_nodes) {
    nodes.push_back(Json{{"id", node.id},
                         {"cpus", node.cpus.to_string()},
                         {"memory_bytes", value(node.memory_bytes)}});
  }
  Json caches = Json::array();
  for (const auto& cache : t.caches) caches.push_back(cache_json(cache));
  return Json{{"packages", value(t.packages)},
              {"cores", value(t.cores)},
              {"logical_cpus", value(t.logical_cpus)},
              {"core_kinds", kinds},
              {"numa_nodes", nodes},
              {"numa_consistent", value(t.numa_consistent)},
              {"caches", caches},
              {"books", value(t.books)},
              {"drawers", value(t.drawers)}};
}

Json identity_json(const Identity& i) {
  return Json{{"model_name", value(i.model_name)}, {"vendor", value(i.vendor)},
              {"machine", value(i.machine)},       {"os_bits", value(i.os_bits)},
              {"binary_bits", i.binary_bits},      {"byte_order", value(i.byte_order)},
              {"isa_level", value(i.isa_level)},   {"page_size", value(i.page_size)}};
}

Json os_json(const OsInfo& o) {
  return Json{{"system", value(o.system)},
              {"kernel_release", value(o.kernel_release)},
              {"kernel_version", value(o.kernel_version)},
              {"distribution", value(o.distribution)},
              {"distribution_id", value(o.distribution_id)},
              {"distribution_version", value(o.distribution_version)}};
}

Json virtualization_json(const Virtualization& v) {
  return Json{{"hypervisor", value(v.hypervisor)},
              {"virtualization_type", value(v.virtualization_type)},
              {"hypervisor_evidence", v.hypervisor_evidence},
              {"container", value(v.container)},
              {"container_evidence", v.container_evidence}};
}

Json memory_json(const Memory& m) {
  return Json{{"total_bytes", value(m.total_bytes)},
              {"available_bytes", value(m.available_bytes)},
              {"cgroup_limit_bytes", value(m.cgroup_limit_bytes)}};
}

Json python_json(const PythonView& p) {
  return Json{{"processor", value(p.processor)},
              {"system", value(p.system)},
              {"architecture", value(p.architecture)},
              {"cpu_count", value(p.cpu_count)},
              {"notes", p.notes}};
}

}  // namespace

nlohmann::ordered_json info_to_json(const PlatformReport& report) {
  Json j;
  j["schema_version"] = kInfoSchemaVersion;
  j["live"] = report.live;
  j["sysroot"] = report.sysroot;
  j["cpu"] = cpu_json(report.cpu);
  j["cgroup"] = cgroup_json(report.cgroup);
  j["topology"] = topology_json(report.topology);
  j["identity"] = identity_json(report.identity);
  j["os"] = os_json(report.os);
  j["virtualization"] = virtualization_json(report.virtualization);
  j["memory"] = memory_json(report.memory);
  j["python"] = python_json(report.python);
  j["sources"] = string_map(report.sources);
  return j;
}

}  // namespace conc_probe::report
