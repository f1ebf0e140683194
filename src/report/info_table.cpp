#include "report/info_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "report/width.hpp"

namespace conc_probe::report {
namespace {

constexpr const char* kUnknown = "unknown";

struct Row {
  std::string label;
  std::string value;
  std::string source;
};

struct Section {
  std::string title;
  std::vector<Row> rows;
};

/// Length of the valid UTF-8 sequence at the start of `s` (a printable character from
/// U+00A0 on), 0 when it is not one.
std::size_t utf8_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0FU;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07U;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) return 0;
    code = (code << 6) | (byte(i) & 0x3FU);
  }
  const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < smallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) ||
      code < 0xA0) {
    return 0;  // overlong, beyond Unicode, a surrogate, or a C1 control character
  }
  return length;
}

/// `text` safe for a terminal: control characters and bytes that are not UTF-8 (a Latin-1
/// os-release, a strange file name in a dump) are shown as \xNN.
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += text[i++];
      continue;
    }
    if (const std::size_t length = c >= 0x80 ? utf8_length(text.substr(i)) : 0; length > 0) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    out += fmt::format("\\x{:02x}", c);
    ++i;
  }
  return out;
}

std::string text_or_unknown(const std::optional<std::string>& v) { return v ? *v : kUnknown; }

template <typename T>
std::string number_or_unknown(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : kUnknown;
}

std::string bytes_text(std::optional<std::uint64_t> bytes, const char* none = kUnknown) {
  if (!bytes) return none;
  constexpr std::array<const char*, 6> kUnits{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(*bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < kUnits.size()) {
    value /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", *bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string cpu_list_text(const std::optional<CpuSet>& set) {
  if (!set) return kUnknown;
  if (set->empty()) return "none (0)";
  return fmt::format("{} ({})", set->to_string(), set->size());
}

/// A section builder that looks each row's source up by its JSON key.
class Builder {
 public:
  Builder(const PlatformReport& report, std::string title)
      : report_(report), section_{std::move(title), {}} {}

  Builder& add(const std::string& label, const std::string& value, const std::string& key = {}) {
    const auto it = report_.sources.find(key);
    section_.rows.push_back({printable(label), printable(value),
                             it == report_.sources.end() ? "" : printable(it->second)});
    return *this;
  }
  Section done() { return std::move(section_); }

 private:
  const PlatformReport& report_;
  Section section_;
};

Section cpu_section(const PlatformReport& r) {
  const auto& c = r.cpu;
  Builder b(r, "CPU count");
  b.add("possible", cpu_list_text(c.possible), "cpu.possible")
      .add("present", cpu_list_text(c.present), "cpu.present")
      .add("online", cpu_list_text(c.online), "cpu.online")
      .add("offline", cpu_list_text(c.offline), "cpu.offline")
      .add("affinity", cpu_list_text(c.affinity), "cpu.affinity")
      .add("cgroup cpuset", c.cgroup_cpuset ? cpu_list_text(c.cgroup_cpuset) : "none",
           "cpu.cgroup_cpuset")
      .add("cgroup quota",
           c.cgroup_quota ? fmt::format("{:.2f} CPUs (cgroup {})", *c.cgroup_quota,
                                        c.cgroup_quota_path.value_or("?"))
                          : "none",
           "cpu.cgroup_quota")
      .add("usable CPUs", number_or_unknown(c.usable_cpus), "cpu.usable_cpus")
      .add("usable fraction",
           c.usable_fraction ? fmt::format("{:.2f}", *c.usable_fraction) : kUnknown,
           "cpu.usable_fraction")
      .add("usable", number_or_unknown(c.usable), "cpu.usable")
      .add("workers, CPU-bound", number_or_unknown(c.recommended_cpu_workers),
           "cpu.recommended_cpu_workers")
      .add("workers, IO-bound", number_or_unknown(c.recommended_io_workers),
           "cpu.recommended_io_workers");
  for (const auto& [name, value] : c.overrides) b.add("override " + name, value, "cpu.overrides");
  return b.done();
}

Section cgroup_section(const PlatformReport& r) {
  const auto& g = r.cgroup;
  Builder b(r, "cgroup");
  b.add("version", number_or_unknown(g.version), "cgroup.version")
      .add("path", text_or_unknown(g.path), "cgroup.path")
      .add("memory limit",
           g.memory_limit_bytes ? fmt::format("{} (cgroup {})", bytes_text(g.memory_limit_bytes),
                                              g.memory_limit_path.value_or("?"))
                                : "none",
           "cgroup.memory_limit_bytes");
  return b.done();
}

std::string kind_text(const CoreKind& k) {
  std::string text = k.model_name.value_or(kUnknown);
  if (k.label) text += " [" + *k.label + "]";
  text += fmt::format(": CPUs {}, {} cores, {} threads/core", k.cpus.to_string(),
                      number_or_unknown(k.cores), number_or_unknown(k.threads_per_core));
  if (k.midr_implementer || k.midr_part) {
    text +=
        fmt::format(" (MIDR {} {})", k.midr_implementer.value_or("?"), k.midr_part.value_or("?"));
  }
  return text;
}

Section topology_section(const PlatformReport& r) {
  const auto& t = r.topology;
  Builder b(r, "Topology");
  b.add("packages", number_or_unknown(t.packages), "topology.packages")
      .add("cores", number_or_unknown(t.cores), "topology.cores")
      .add("logical CPUs", number_or_unknown(t.logical_cpus), "topology.logical_cpus");
  if (t.books) b.add("books", number_or_unknown(t.books), "topology.books");
  if (t.drawers) b.add("drawers", number_or_unknown(t.drawers), "topology.drawers");
  for (std::size_t i = 0; i < t.core_kinds.size(); ++i) {
    b.add(fmt::format("core kind {}", i), kind_text(t.core_kinds[i]), "topology.core_kinds");
  }
  if (t.numa_nodes.empty()) b.add("NUMA nodes", kUnknown, "topology.numa_nodes");
  std::uint64_t node_memory = 0;
  bool all_known = !t.numa_nodes.empty();
  for (const auto& node : t.numa_nodes) {
    b.add(fmt::format("NUMA node {}", node.id),
          fmt::format("CPUs {}, memory {}", node.cpus.to_string(), bytes_text(node.memory_bytes)),
          "topology.numa_nodes");
    all_known = all_known && node.memory_bytes.has_value();
    node_memory += node.memory_bytes.value_or(0);
  }
  // The nodes' meminfo and /proc/meminfo are separate kernel views; in a container /proc
  // may be replaced (lxcfs, a sandbox) while /sys is not. Say so rather than let one
  // silently contradict the other.
  if (all_known && r.memory.total_bytes) {
    const auto total = static_cast<double>(*r.memory.total_bytes);
    if (std::abs(static_cast<double>(node_memory) - total) > 0.1 * total) {
      b.add("NUMA memory",
            fmt::format("nodes hold {} in all, /proc/meminfo says {}: the two views disagree",
                        bytes_text(node_memory), bytes_text(r.memory.total_bytes)),
            "topology.numa_nodes");
    }
  }
  if (t.numa_consistent == std::optional<bool>(false)) {
    b.add("NUMA CPUs",
          "some CPUs are listed in more than one node: the kernel's NUMA lists are "
          "inconsistent (shown as the kernel gives them)",
          "topology.numa_consistent");
  }
  for (const auto& cache : t.caches) {
    std::string text;
    if (cache.sizes.size() > 1) {
      // Instances of different sizes: "6 x 48 KiB + 8 x 32 KiB = 544 KiB".
      for (auto it = cache.sizes.rbegin(); it != cache.sizes.rend(); ++it) {
        if (!text.empty()) text += " + ";
        text += fmt::format("{} x {}", it->instances, bytes_text(it->size_bytes));
      }
      text += " = " + bytes_text(cache.total_bytes);
    } else {
      text = fmt::format("{} x {} = {}", bytes_text(cache.size_bytes),
                         number_or_unknown(cache.instances), bytes_text(cache.total_bytes));
    }
    b.add(cache.name, text, "topology.caches");
  }
  return b.done();
}

Section identity_section(const PlatformReport& r) {
  const auto& i = r.identity;
  Builder b(r, "Identity");
  b.add("model name", text_or_unknown(i.model_name), "identity.model_name")
      .add("vendor", text_or_unknown(i.vendor), "identity.vendor")
      .add("machine", text_or_unknown(i.machine), "identity.machine")
      .add("OS bits", number_or_unknown(i.os_bits), "identity.os_bits")
      .add("this binary's bits", fmt::format("{}", i.binary_bits), "identity.binary_bits")
      .add("byte order", text_or_unknown(i.byte_order), "identity.byte_order")
      .add("ISA level", text_or_unknown(i.isa_level), "identity.isa_level")
      .add("page size", bytes_text(i.page_size), "identity.page_size");
  return b.done();
}

Section os_section(const PlatformReport& r) {
  const auto& o = r.os;
  Builder b(r, "OS");
  b.add("system", text_or_unknown(o.system), "os.system")
      .add("kernel release", text_or_unknown(o.kernel_release), "os.kernel_release")
      .add("kernel version", text_or_unknown(o.kernel_version), "os.kernel_version")
      .add("distribution", text_or_unknown(o.distribution), "os.distribution");
  return b.done();
}

Section virtualization_section(const PlatformReport& r) {
  const auto& v = r.virtualization;
  Builder b(r, "Virtualization");
  b.add("hypervisor", v.hypervisor ? *v.hypervisor : "none found", "virtualization.hypervisor")
      .add("type", text_or_unknown(v.virtualization_type), "virtualization.virtualization_type");
  for (const auto& evidence : v.hypervisor_evidence) b.add("  evidence", evidence);
  b.add("container", v.container ? *v.container : "none found", "virtualization.container");
  for (const auto& evidence : v.container_evidence) b.add("  evidence", evidence);
  return b.done();
}

Section memory_section(const PlatformReport& r) {
  const auto& m = r.memory;
  Builder b(r, "Memory");
  b.add("total", bytes_text(m.total_bytes), "memory.total_bytes")
      .add("available", bytes_text(m.available_bytes), "memory.available_bytes")
      .add("cgroup limit", bytes_text(m.cgroup_limit_bytes, "none"), "memory.cgroup_limit_bytes");
  return b.done();
}

std::string quoted_or_unknown(const std::optional<std::string>& v) {
  return v ? "'" + *v + "'" : kUnknown;
}

Section python_section(const PlatformReport& r) {
  const auto& p = r.python;
  Builder b(r, "What Python would say");
  b.add("platform.processor()", quoted_or_unknown(p.processor), "python.processor")
      .add("platform.system()", quoted_or_unknown(p.system), "python.system")
      .add("platform.architecture()[0]", quoted_or_unknown(p.architecture), "python.architecture")
      .add("multiprocessing.cpu_count()", number_or_unknown(p.cpu_count), "python.cpu_count");
  for (const auto& note : p.notes) b.add("  note", note);
  return b.done();
}

/// "[source]" or, in colour, the source dimmed.
std::string source_text(const std::string& source, const Style& style) {
  return style.color ? fmt::format("\033[2m{}\033[0m", source) : "[" + source + "]";
}

/// One row within style.width columns: the value wrapped in its column, the source wrapped
/// beside it, or on the lines below when too little room is left beside it.
void write_fitted_row(std::ostream& out, const Row& row, std::size_t label_width,
                      std::size_t value_width, const Style& style) {
  const std::size_t width = style.width;
  const std::size_t value_at = 2 + label_width + 2;
  const std::size_t value_room = std::max<std::size_t>(10, width > value_at ? width - value_at : 0);
  const auto values = wrap_text(row.value, std::min(value_width, value_room));
  const std::size_t used = std::min(value_width, value_room);
  const std::size_t source_at = value_at + used + 2;
  constexpr std::size_t kMinSource = 24;
  const bool beside = !row.source.empty() && width >= source_at + kMinSource;
  std::vector<std::string> sources;
  const std::size_t below_at = std::min<std::size_t>(value_at, 6);
  if (!row.source.empty()) {
    const std::string shown = style.color ? row.source : "[" + row.source + "]";
    sources =
        wrap_text(shown, beside ? width - source_at : std::max<std::size_t>(10, width - below_at));
    if (style.color)
      for (auto& line : sources) line = source_text(line, style);
  }
  const std::size_t lines = beside ? std::max(values.size(), sources.size()) : values.size();
  for (std::size_t i = 0; i < lines; ++i) {
    std::string line = fmt::format("  {:<{}}  ", i == 0 ? row.label : "", label_width);
    const std::string value = i < values.size() ? values[i] : "";
    line += value;
    if (beside && i < sources.size()) {
      line += std::string(used - std::min(used, display_width(value)) + 2, ' ');
      line += sources[i];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  if (!beside)
    for (const auto& source : sources) out << std::string(below_at, ' ') << source << '\n';
}

void write_section(std::ostream& out, const Section& section, const Style& style) {
  std::size_t label_width = 0;
  std::size_t value_width = 0;
  for (const auto& row : section.rows) {
    label_width = std::max(label_width, row.label.size());
    value_width = std::max(value_width, display_width(row.value));
  }
  value_width = std::min<std::size_t>(value_width, 40);
  out << (style.color ? "\033[1m" : "") << section.title << (style.color ? "\033[0m" : "") << '\n';
  for (const auto& row : section.rows) {
    if (style.width > 0) {
      write_fitted_row(out, row, label_width, value_width, style);
      continue;
    }
    std::string line =
        fmt::format("  {:<{}}  {:<{}}", row.label, label_width, row.value, value_width);
    if (!row.source.empty()) line += "  " + source_text(row.source, style);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace

void write_info_table(std::ostream& out, const PlatformReport& report, Style style) {
  const std::vector<Section> sections{cpu_section(report),      cgroup_section(report),
                                      topology_section(report), identity_section(report),
                                      os_section(report),       virtualization_section(report),
                                      memory_section(report),   python_section(report)};
  if (!report.live)
    out << "Replayed from " << printable(report.sysroot)
        << " (facts of the running machine left unknown)\n\n";
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (i > 0) out << '\n';
    write_section(out, sections[i], style);
  }
}

}  // namespace conc_probe::report
