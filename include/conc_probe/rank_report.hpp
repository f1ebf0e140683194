#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "conc_probe/cpu_set.hpp"
#include "conc_probe/format.hpp"
#include "conc_probe/platform.hpp"

/// `conc-probe info` under mpirun: where each rank runs, and the placement mistakes that
/// cost MPI jobs their speed (ranks sharing CPUs, more ranks × threads than a host has).
namespace conc_probe {

/// One rank's placement, as that rank saw it.
struct RankPlacement {
  unsigned rank = 0;
  std::string host;
  long pid = 0;
  std::optional<CpuSet> affinity;    ///< the CPUs the rank may run on
  std::optional<unsigned> usable;    ///< CPUs of the host the job may use (online, cgroup, quota)
  std::optional<unsigned> online;    ///< online CPUs of the host
  std::vector<unsigned> numa_nodes;  ///< NUMA nodes the affinity touches; empty = unknown
  unsigned threads = 1;              ///< threads each rank runs (OMP_NUM_THREADS, else 1)
};

/// The placement of the calling rank from its own probe.
RankPlacement placement_of(const PlatformReport& report, unsigned rank, std::string host, long pid,
                           unsigned threads);

/// The warnings of a set of placements, in a fixed order: per host, ranks whose affinity
/// overlaps ("ranks 0,1 share CPUs 0-1 on vm"), and ranks × threads beyond the host's usable
/// CPUs (the smallest usable count the host's ranks reported).
std::vector<std::string> placement_warnings(const std::vector<RankPlacement>& ranks);

/// Writes the per-rank report as a table or JSON (schema in docs/mpi.md).
void write_rank_report(std::ostream& out, const std::vector<RankPlacement>& ranks, Format format);

/// One placement as a JSON text and back (how ranks send theirs to rank 0); parsing
/// throws std::runtime_error on malformed text.
std::string placement_to_json(const RankPlacement& placement);
RankPlacement placement_from_json(const std::string& text);

}  // namespace conc_probe
