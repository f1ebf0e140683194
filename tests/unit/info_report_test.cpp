// The `conc-probe info` reporters: JSON layout, --get lookups, table, format names.
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "conc_probe/compare.hpp"
#include "conc_probe/error.hpp"
#include "conc_probe/platform.hpp"
#include "conc_probe/reporter.hpp"
#include "support/catch.hpp"

using conc_probe::CpuSet;
using conc_probe::Format;
using conc_probe::PlatformReport;
using conc_probe::UsageError;

namespace {

/// A hand-made report: 4 online CPUs, a 1.5 CPU quota, one unknown model name.
PlatformReport sample_report() {
  PlatformReport r;
  r.cpu.online = CpuSet{{0, 1, 2, 3}};
  r.cpu.cgroup_quota = 1.5;
  r.cpu.cgroup_quota_path = "/app";
  r.cpu.usable_cpus = 4;
  r.cpu.usable_fraction = 1.5;
  r.cpu.usable = 2;
  r.cpu.overrides["OMP_NUM_THREADS"] = "3";
  r.memory.total_bytes = 8ULL << 30;
  r.virtualization.container = "docker";
  r.virtualization.container_evidence = {"/.dockerenv exists"};
  r.sources["cpu.usable"] = "ceil(usable_fraction)";
  r.sources["cpu.online"] = "/sys/devices/system/cpu/online";
  return r;
}

std::string render(const PlatformReport& r, Format format, bool color = false) {
  std::ostringstream out;
  conc_probe::write_info(out, r, format, conc_probe::Style{color});
  return out.str();
}

}  // namespace

TEST_CASE("info JSON: schema_version first, sections in order, numbers and nulls", "[info]") {
  const auto text = render(sample_report(), Format::Json);
  const auto json = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  const std::vector<std::string> expected{"schema_version", "live",     "sysroot",  "cpu",
                                          "cgroup",         "topology", "identity", "os",
                                          "virtualization", "memory",   "python",   "sources"};
  CHECK(keys == expected);
  CHECK(json["cpu"]["usable"] == 2);
  CHECK(json["cpu"]["usable_fraction"].is_number_float());
  CHECK(json["cpu"]["cgroup_quota"] == 1.5);
  CHECK(json["cpu"]["online"] == "0-3");
  CHECK(json["cpu"]["online_count"] == 4);
  CHECK(json["cpu"]["affinity"].is_null());
  CHECK(json["identity"]["model_name"].is_null());
  CHECK(json["memory"]["total_bytes"] == 8ULL << 30);
  CHECK(json["cpu"]["overrides"]["OMP_NUM_THREADS"] == "3");
  CHECK(json["sources"]["cpu.usable"] == "ceil(usable_fraction)");
  CHECK(text == render(sample_report(), Format::Json));  // deterministic
}

TEST_CASE("info --get: scalars bare, null as unknown, sources by whole key", "[info]") {
  const auto r = sample_report();
  CHECK(conc_probe::info_get(r, "cpu.usable") == "2");
  CHECK(conc_probe::info_get(r, "cpu.cgroup_quota") == "1.5");
  CHECK(conc_probe::info_get(r, "cpu.online") == "0-3");
  CHECK(conc_probe::info_get(r, "identity.model_name") == "unknown");
  CHECK(conc_probe::info_get(r, "virtualization.container_evidence.0") == "/.dockerenv exists");
  CHECK(conc_probe::info_get(r, "sources.cpu.online") == "/sys/devices/system/cpu/online");
  CHECK(conc_probe::info_get(r, "schema_version") == "1.1");
}

TEST_CASE("info --get: unknown keys are usage errors with a suggestion", "[info]") {
  const auto r = sample_report();
  CHECK_THROWS_AS(conc_probe::info_get(r, "cpu.usabel"), UsageError);
  CHECK_THROWS_WITH(conc_probe::info_get(r, "cpu.usabel"),
                    Catch::Contains("did you mean 'cpu.usable'"));
  CHECK_THROWS_AS(conc_probe::info_get(r, "virtualization.container_evidence.7"), UsageError);
  CHECK_THROWS_AS(conc_probe::info_get(r, ""), UsageError);
  CHECK_THROWS_AS(conc_probe::info_get(r, "cpu..usable"), UsageError);
}

TEST_CASE("info table: grouped, values with sources, colour only when asked", "[info]") {
  const auto plain = render(sample_report(), Format::Table);
  CHECK(plain.find("CPU count\n") != std::string::npos);
  CHECK(plain.find("Memory\n") != std::string::npos);
  CHECK(plain.find("[ceil(usable_fraction)]") != std::string::npos);
  CHECK(plain.find("1.50 CPUs (cgroup /app)") != std::string::npos);
  CHECK(plain.find("override OMP_NUM_THREADS") != std::string::npos);
  CHECK(plain.find("8.0 GiB") != std::string::npos);
  CHECK(plain.find("unknown") != std::string::npos);
  CHECK(plain.find('\033') == std::string::npos);
  const auto colored = render(sample_report(), Format::Table, true);
  CHECK(colored.find('\033') != std::string::npos);
}

TEST_CASE("info table: NUMA memory that disagrees with /proc/meminfo is pointed out", "[info]") {
  auto r = sample_report();
  r.topology.numa_nodes.push_back({0, CpuSet{{0, 1}}, 4ULL << 30});
  r.topology.numa_nodes.push_back({1, CpuSet{{2, 3}}, 4ULL << 30});
  CHECK(render(r, Format::Table).find("NUMA memory") == std::string::npos);  // 8 GiB both ways
  r.topology.numa_nodes.pop_back();
  const auto text = render(r, Format::Table);
  CHECK(text.find("nodes hold 4.0 GiB in all, /proc/meminfo says 8.0 GiB") != std::string::npos);
}

TEST_CASE("info: markdown and csv are refused", "[info]") {
  CHECK_THROWS_AS(render(sample_report(), Format::Csv), UsageError);
}

TEST_CASE("parse_format: the subcommand's own table of formats", "[info]") {
  using conc_probe::bench_formats;
  using conc_probe::info_formats;
  CHECK(conc_probe::parse_format("json", info_formats()) == Format::Json);
  CHECK(conc_probe::parse_format("table", info_formats()) == Format::Table);
  CHECK(conc_probe::parse_format("csv", bench_formats()) == Format::Csv);
  CHECK_THROWS_AS(conc_probe::parse_format("csv", info_formats()), UsageError);
  CHECK_THROWS_WITH(conc_probe::parse_format("jsn", info_formats()),
                    Catch::Contains("did you mean 'json'"));
  CHECK_THROWS_WITH(conc_probe::parse_format("xml", bench_formats()),
                    Catch::Contains("table, json, markdown or csv"));
  CHECK_THROWS_AS(conc_probe::parse_format("", info_formats()), UsageError);
}

TEST_CASE("format tables: extensions choose a file's format, names make the help", "[info]") {
  using conc_probe::bench_formats;
  using conc_probe::format_for_extension;
  CHECK(format_for_extension(".md", bench_formats()) == Format::Markdown);
  CHECK(format_for_extension(".csv", bench_formats()) == Format::Csv);
  CHECK(format_for_extension(".txt", bench_formats()) == Format::Table);
  CHECK(format_for_extension(".json", bench_formats()) == Format::Json);
  CHECK_FALSE(format_for_extension(".csv", conc_probe::info_formats()).has_value());
  CHECK_FALSE(format_for_extension("", bench_formats()).has_value());
  CHECK(conc_probe::format_names(conc_probe::info_formats()) == "table or json");
  CHECK(conc_probe::format_names(conc_probe::compare_formats()) == "table, markdown or json");
  // Every format a table names has a writer: rendering it does not throw.
  for (const auto& row : conc_probe::info_formats())
    CHECK_NOTHROW(render(sample_report(), row.format));
}
