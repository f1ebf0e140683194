// The workload registry: names, kinds, descriptions and the factory.
#include <algorithm>
#include <string>

#include "conc_probe/error.hpp"
#include "conc_probe/text.hpp"
#include "workloads/echo_server.hpp"
#include "workloads/op_overhead.hpp"
#include "workloads/workload_base.hpp"

namespace conc_probe {

namespace {

using Factory = std::unique_ptr<Workload> (*)(WorkloadInfo);

struct Entry {
  WorkloadInfo info;
  Factory factory;
  std::uint64_t max_op_size;  ///< 0: no limit
  /// Throws UsageError when the workload cannot run with these params in this build.
  void (*check)(const WorkloadParams&) = nullptr;
};

const std::vector<Entry>& registry() {
  using namespace workloads;
  static const std::vector<Entry> entries{
      {{"count", WorkloadKind::Cpu, "count down from 100000 in a tight loop"},
       make_count_workload,
       0},
      {{"primes", WorkloadKind::Cpu, "count primes among 1024 numbers by trial division"},
       make_primes_workload,
       0},
      {{"hash", WorkloadKind::Cpu, "FNV-1a hash of a 65536-byte buffer"},
       make_hash_workload,
       kMaxBufferBytes},
      {{"sleep", WorkloadKind::Io, "sleep for --io-latency, standing for a remote call"},
       make_sleep_workload,
       0},
      {{"file", WorkloadKind::Io, "write, fsync, read back and delete a 4096-byte file"},
       make_file_workload,
       kMaxBufferBytes},
      {{"net", WorkloadKind::Io,
        "64-byte request/response to a loopback TCP echo server delayed by --io-latency"},
       make_net_workload,
       kMaxFramePayload},
      {{"mixed", WorkloadKind::Mixed,
        "20000 count iterations (--compute-time, --io-fraction), then a blocking wait of "
        "--io-latency"},
       make_mixed_workload,
       0},
      {{"convoy", WorkloadKind::Io,
        "one thread's loopback TCP round trips while the workers spin on CPU work (the convoy "
        "effect)",
        true},
       make_convoy_workload,
       kMaxFramePayload},
      {{"convoy-ready", WorkloadKind::Io,
        "like convoy, with reads from an always-ready descriptor (/dev/zero) as the blocking call",
        true},
       make_convoy_ready_workload,
       kMaxBufferBytes},
      {{"db", WorkloadKind::Io,
        "insert a 100-byte row into a database table and read it back (SQLite, or PostgreSQL "
        "with --db-url)"},
       make_db_workload,
       kMaxDbBytes,
       check_db_params},
  };
  return entries;
}

std::vector<std::string> workload_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.info.name);
  return names;
}

[[noreturn]] void throw_unknown(const std::string& name) {
  const auto names = workload_names();
  if (const auto guess = text::suggest(name, names)) {
    throw UsageError("unknown workload '" + name + "' (did you mean '" + *guess + "'?)");
  }
  std::string known;
  for (const auto& candidate : names) known += (known.empty() ? "" : ", ") + candidate;
  throw UsageError("unknown workload '" + name + "' (known: " + known + ")");
}

}  // namespace

std::string_view to_string(WorkloadKind kind) noexcept {
  switch (kind) {
    case WorkloadKind::Cpu:
      return "cpu";
    case WorkloadKind::Io:
      return "io";
    case WorkloadKind::Mixed:
      return "mixed";
  }
  return "unknown";
}

const std::vector<WorkloadInfo>& workload_catalog() {
  static const std::vector<WorkloadInfo> catalog = [] {
    std::vector<WorkloadInfo> infos;
    for (const auto& entry : registry()) infos.push_back(entry.info);
    return infos;
  }();
  return catalog;
}

std::unique_ptr<Workload> make_workload(const WorkloadParams& params) {
  const auto& entries = registry();
  const auto found = std::find_if(entries.begin(), entries.end(), [&](const Entry& entry) {
    return entry.info.name == params.name;
  });
  if (found == entries.end()) throw_unknown(params.name);
  if (found->max_op_size != 0 && params.op_size > found->max_op_size) {
    throw UsageError("op size " + std::to_string(params.op_size) + " of workload '" + params.name +
                     "' is too large (at most " + std::to_string(found->max_op_size) + ")");
  }
  if (found->check != nullptr) found->check(params);
  if (params.io_latency.count() < 0) {
    throw UsageError("io latency of workload '" + params.name + "' must not be negative");
  }
  if (params.op_overhead.count() < 0) throw UsageError("--op-overhead must not be negative");
  return workloads::with_op_overhead(found->factory(found->info), params);
}

}  // namespace conc_probe
